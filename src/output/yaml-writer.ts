// A YAML writer for the plain data meshctl emits (mappings, lists, strings, numbers, booleans,
// null). General-purpose dumpers spend most of their time deciding how each scalar may be written;
// this one decides with a few regular expressions and quotes whenever in doubt, so the output
// reads the same under YAML 1.2 (kubectl's and Argo CD's Go parsers follow 1.1 rules for plain
// scalars: `on`, `yes`, `0777`, `1:30` are not strings there) — a test checks both.

const INDENT = '  ';

// A string may stand unquoted only when YAML's plain-scalar rules allow it (printable ASCII, no
// indicator first, no ": " or " #" inside, nothing at either end that a reader would trim) and no
// YAML 1.1 or 1.2 reader would take it for another type.
const INDICATOR_FIRST = /^[-?:,[\]{}#&*!|>'"%@`\s]/;
const LOOKS_LIKE_NUMBER = /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+|0[xob][0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/;
const LOOKS_LIKE_DATE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
const SPECIAL_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~', '.inf', '.nan', '-.inf', '+.inf', '=', '<<']);

const LONGEST_SPECIAL_WORD = Math.max(...[...SPECIAL_WORDS].map((word) => word.length));

// Every key and string value of the output passes through here, so the common case is decided in
// one pass over the characters; the number, date and word checks run only for the few strings
// whose first character or length lets them apply.
function isPlainSafe(text: string): boolean {
  const length = text.length;
  if (length === 0) return false;
  let previous = 0;
  for (let i = 0; i < length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x20 || code > 0x7e) return false; // printable ASCII only
    if ((previous === 0x3a && code === 0x20) || (previous === 0x20 && code === 0x23)) return false; // ": " and " #"
    previous = code;
  }
  if (INDICATOR_FIRST.test(text) || previous === 0x20 || previous === 0x3a) return false;
  const first = text.charCodeAt(0);
  const digitFirst = first >= 0x30 && first <= 0x39;
  if ((digitFirst || first === 0x2b || first === 0x2e) && LOOKS_LIKE_NUMBER.test(text)) return false;
  if (digitFirst && LOOKS_LIKE_DATE.test(text)) return false;
  return length > LONGEST_SPECIAL_WORD || !SPECIAL_WORDS.has(text.toLowerCase());
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError(`cannot write ${value} as YAML`);
    return positionalNumber(value);
  }
  if (typeof value === 'string') return isPlainSafe(value) ? value : doubleQuoted(value);
  throw new TypeError(`cannot write a ${typeof value} as YAML`);
}

/**
 * A double-quoted YAML scalar. JSON's escapes are YAML's, but JSON leaves DEL, the C1 controls and
 * the Unicode line separators raw, which YAML does not allow as printable characters.
 */
function doubleQuoted(text: string): string {
  return JSON.stringify(text).replace(/[\u007f-\u009f\u2028\u2029\ufeff]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/**
 * A number in positional notation: JavaScript writes 1e-7 and 1e21 in exponent form, which YAML
 * 1.1 readers (kubectl's, Argo CD's) take for a string. The digits are moved, not recomputed, so
 * the value reads back exactly.
 */
export function positionalNumber(value: number): string {
  const text = String(value);
  const exponent = /^(-?)(\d)(?:\.(\d+))?e([-+]\d+)$/.exec(text);
  if (!exponent) return text;
  const [, sign, first, rest = '', power] = exponent;
  const digits = first! + rest;
  const point = 1 + Number(power);
  if (point <= 0) return `${sign}0.${'0'.repeat(-point)}${digits}`;
  if (point >= digits.length) return `${sign}${digits}${'0'.repeat(point - digits.length)}`;
  return `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
}

/** A multi-line string as a literal block, when the block would read back exactly. */
function literalBlock(text: string, indent: string): string | undefined {
  if (!text.includes('\n') || /^[ \t]/.test(text) || /[ \t]\n|[ \t]$|\r|\n\n$/.test(text)) return undefined;
  if (/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u2028\u2029\ufeff]/.test(text)) return undefined;
  const chomp = text.endsWith('\n') ? '' : '-';
  const body = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  return `|${chomp}\n${body.map((line) => (line === '' ? '' : indent + line)).join('\n')}`;
}

function isCollection(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function isEmpty(value: Record<string, unknown> | unknown[]): boolean {
  if (Array.isArray(value)) return value.length === 0;
  for (const key of Object.keys(value)) if (value[key] !== undefined) return false;
  return true;
}

// Mapping keys repeat across every object (apiVersion, metadata, name, ...): each is judged once.
const keyTexts = new Map<string, string>();
const MAX_REMEMBERED_KEYS = 10_000;

function keyText(key: string): string {
  let text = keyTexts.get(key);
  if (text === undefined) {
    text = scalar(key);
    if (keyTexts.size < MAX_REMEMBERED_KEYS) keyTexts.set(key, text);
  }
  return text;
}

// Pieces an emitter builds once and places in many documents (an Envoy cluster or route shared by
// every proxy that calls one service) are rendered once per place they stand at: the text of a
// collection depends only on its contents and its indentation. Only collections marked shared are
// remembered (the emitter promises never to change them), so an object built for one document is
// never looked up; a WeakMap lets them go with the compile that made them. A text is kept from its
// second use on, and only up to a budget: at 20,000 services keeping every shared piece's text
// cost 350 MiB for 3% of the CPU time.
const sharedObjects = new WeakSet<object>();
/** Where a shared collection was rendered last without its text being kept. */
const lastPlace = new WeakMap<object, string>();
const sharedTexts = new WeakMap<object, Map<string, string>>();
const MAX_REMEMBERED_CHARS = 64 * 1024 * 1024;
let rememberedChars = 0;

/**
 * The writers build a text as a rope of many small pieces (V8's cons strings), several times its
 * length in memory; writing it out flattens only the whole document that holds it, not the piece.
 * A text kept for reuse is made one flat string: converting it to a number makes V8 flatten it in
 * place. The result goes to a variable only so that the compiler cannot drop the conversion.
 */
let flattened = 0;
function flatten(text: string): void {
  flattened += Number(text) === 0 ? 1 : 0;
}

/** Marks a collection as never modified again, so that its rendering may be reused wherever it appears. */
export function markShared(value: unknown): void {
  if (isCollection(value)) sharedObjects.add(value);
}

// The writers append to one string, each line ending in "\n". `first` stands in for `indent` on the
// first line: a collection inside a list starts on the line of its dash ("- name: x").

function writeValue(value: unknown, indent: string, first: string): string {
  if (sharedObjects.has(value as object)) {
    const shared = value as object;
    const place = first === indent ? indent : `${indent}\n${first}`;
    const texts = sharedTexts.get(shared);
    const known = texts?.get(place);
    if (known !== undefined) return known;
    const text = Array.isArray(value) ? writeList(value, indent, first) : writeMapping(value as Record<string, unknown>, indent, first);
    // The text is kept at its second use in the same place (most pieces serve one proxy only).
    if (lastPlace.get(shared) !== place) lastPlace.set(shared, place);
    else if (rememberedChars + text.length <= MAX_REMEMBERED_CHARS) {
      flatten(text);
      if (texts) texts.set(place, text);
      else sharedTexts.set(shared, new Map([[place, text]]));
      rememberedChars += text.length;
    }
    return text;
  }
  return Array.isArray(value) ? writeList(value, indent, first) : writeMapping(value as Record<string, unknown>, indent, first);
}

function writeMapping(mapping: Record<string, unknown>, indent: string, first: string): string {
  let out = '';
  let lead = first;
  for (const key of Object.keys(mapping)) {
    const value = mapping[key];
    if (value === undefined) continue;
    const head = `${lead}${keyText(key)}:`;
    lead = indent;
    if (isCollection(value)) {
      if (isEmpty(value)) out += `${head} ${Array.isArray(value) ? '[]' : '{}'}\n`;
      else out += `${head}\n${writeValue(value, indent + INDENT, indent + INDENT)}`;
    } else if (typeof value === 'string' && value.includes('\n')) {
      out += `${head} ${literalBlock(value, indent + INDENT) ?? JSON.stringify(value)}\n`;
    } else {
      out += `${head} ${scalar(value)}\n`;
    }
  }
  return out;
}

function writeList(list: readonly unknown[], indent: string, first: string): string {
  let out = '';
  let lead = first;
  for (const item of list) {
    const dash = `${lead}- `;
    lead = indent;
    if (isCollection(item) && !isEmpty(item)) {
      // The first line of a nested collection shares the line with its dash.
      out += writeValue(item, indent + INDENT, dash);
    } else if (isCollection(item)) {
      out += `${dash}${Array.isArray(item) ? '[]' : '{}'}\n`;
    } else if (typeof item === 'string' && item.includes('\n')) {
      out += `${dash}${literalBlock(item, indent + INDENT) ?? JSON.stringify(item)}\n`;
    } else {
      out += `${dash}${scalar(item)}\n`;
    }
  }
  return out;
}

/** One YAML document (without a `---` marker) for a mapping or list of plain data. */
export function writeYaml(value: Record<string, unknown> | readonly unknown[]): string {
  if (isEmpty(value as Record<string, unknown>)) return Array.isArray(value) ? '[]\n' : '{}\n';
  return writeValue(value, '', '');
}
