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
const PRINTABLE_ASCII = /^[\x20-\x7e]+$/;
const LOOKS_LIKE_NUMBER = /^[-+]?(?:[0-9][0-9_]*(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?|\.[0-9]+|0[xob][0-9a-fA-F_]+|[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?)$/;
const LOOKS_LIKE_DATE = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;
const SPECIAL_WORDS = new Set(['y', 'n', 'yes', 'no', 'on', 'off', 'true', 'false', 'null', '~', '.inf', '.nan', '-.inf', '+.inf', '=', '<<']);

function isPlainSafe(text: string): boolean {
  return (
    PRINTABLE_ASCII.test(text) &&
    !INDICATOR_FIRST.test(text) &&
    !text.endsWith(' ') &&
    !text.endsWith(':') &&
    !text.includes(': ') &&
    !text.includes(' #') &&
    !LOOKS_LIKE_NUMBER.test(text) &&
    !LOOKS_LIKE_DATE.test(text) &&
    !SPECIAL_WORDS.has(text.toLowerCase())
  );
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    const text = String(value);
    // Exponent forms read as strings under YAML 1.1; no emitted number is that large or small.
    if (!Number.isFinite(value) || /e/i.test(text)) throw new TypeError(`cannot write ${value} as YAML`);
    return text;
  }
  if (typeof value === 'string') return isPlainSafe(value) ? value : JSON.stringify(value);
  throw new TypeError(`cannot write a ${typeof value} as YAML`);
}

/** A multi-line string as a literal block, when the block would read back exactly. */
function literalBlock(text: string, indent: string): string | undefined {
  if (!text.includes('\n') || /^[ \t]/.test(text) || /[ \t]\n|[ \t]$|\r|\n\n$/.test(text)) return undefined;
  if (/[\u0000-\u0008\u000b-\u001f\u007f\ufeff]/.test(text)) return undefined;
  const chomp = text.endsWith('\n') ? '' : '-';
  const body = (text.endsWith('\n') ? text.slice(0, -1) : text).split('\n');
  return `|${chomp}\n${body.map((line) => (line === '' ? '' : indent + line)).join('\n')}`;
}

function isCollection(value: unknown): value is Record<string, unknown> | unknown[] {
  return typeof value === 'object' && value !== null;
}

function isEmpty(value: Record<string, unknown> | unknown[]): boolean {
  return Array.isArray(value) ? value.length === 0 : Object.keys(value).every((key) => value[key] === undefined);
}

function writeValue(value: unknown, indent: string, out: string[]): void {
  if (Array.isArray(value)) writeList(value, indent, out);
  else writeMapping(value as Record<string, unknown>, indent, out);
}

function writeMapping(mapping: Record<string, unknown>, indent: string, out: string[]): void {
  for (const key of Object.keys(mapping)) {
    const value = mapping[key];
    if (value === undefined) continue;
    const head = `${indent}${scalar(key)}:`;
    if (isCollection(value)) {
      if (isEmpty(value)) out.push(`${head} ${Array.isArray(value) ? '[]' : '{}'}`);
      else {
        out.push(head);
        writeValue(value, indent + INDENT, out);
      }
    } else if (typeof value === 'string' && value.includes('\n')) {
      out.push(`${head} ${literalBlock(value, indent + INDENT) ?? JSON.stringify(value)}`);
    } else {
      out.push(`${head} ${scalar(value)}`);
    }
  }
}

function writeList(list: readonly unknown[], indent: string, out: string[]): void {
  for (const item of list) {
    if (isCollection(item) && !isEmpty(item)) {
      // The first line of a nested collection shares the line with its dash.
      const nested: string[] = [];
      writeValue(item, indent + INDENT, nested);
      const first = nested[0]!.slice(indent.length + INDENT.length);
      out.push(`${indent}- ${first}`);
      for (const line of nested.slice(1)) out.push(line);
    } else if (isCollection(item)) {
      out.push(`${indent}- ${Array.isArray(item) ? '[]' : '{}'}`);
    } else if (typeof item === 'string' && item.includes('\n')) {
      out.push(`${indent}- ${literalBlock(item, indent + INDENT) ?? JSON.stringify(item)}`);
    } else {
      out.push(`${indent}- ${scalar(item)}`);
    }
  }
}

/** One YAML document (without a `---` marker) for a mapping or list of plain data. */
export function writeYaml(value: Record<string, unknown> | readonly unknown[]): string {
  if (isEmpty(value as Record<string, unknown>)) return Array.isArray(value) ? '[]\n' : '{}\n';
  const out: string[] = [];
  writeValue(value, '', out);
  return out.join('\n') + '\n';
}
