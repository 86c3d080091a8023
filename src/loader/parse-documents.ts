// Cuts a file into YAML documents and parses each to plain data.
//
// Positions are expensive: `yaml`'s positioned parser runs at about 2 MB/s, js-yaml at about
// 24 MB/s (see the architecture notes). So every document is parsed with js-yaml first, and the
// positioned parser runs only where it is needed: to explain a syntax error, for documents that
// use anchors or tags (which js-yaml would accept too readily), and later, lazily, to place the
// diagnostics of documents that have findings (see span-resolver.ts).
//
// Documents are cut at `---` lines before parsing, so both parsers see exactly the same slices and
// a document index means the same thing to both.
import jsYaml from 'js-yaml';
import { isAlias, isCollection, isPair, isScalar, parseDocument, visit, type Alias, type Node as YamlNode } from 'yaml';
import { createFinding } from '../diagnostics/finding.js';
import type { Finding } from '../diagnostics/types.js';
import { recoverIdentity } from './recover-identity.js';
import yamlSyntax from './rules/MESH001-yaml-syntax.js';
import duplicateKey from './rules/MESH002-duplicate-key.js';
import tabIndentation from './rules/MESH003-tab-indentation.js';
import yamlTag from './rules/MESH005-yaml-tag.js';
import aliasLimit from './rules/MESH006-alias-limit.js';
import nestingTooDeep from './rules/MESH007-nesting-too-deep.js';
import fileTooLarge from './rules/MESH008-file-too-large.js';
import emptyFile from './rules/MESH009-empty-file.js';
import type { LoadLimits } from './limits.js';
import { SourceText, type SourceDocument } from './source-file.js';

export interface DocumentSlice {
  start: number;
  end: number;
  /** The slice's text, with the `---` marker blanked so columns stay true. */
  text: string;
}

const DOCUMENT_MARKER = /^---(?=[ \t\r\n]|$)/;
const DOCUMENT_END = /^\.\.\.(?=[ \t\r\n]|$)/;
const DIRECTIVE = /^%/;
// Anchors and tags are rare in mesh files; a document that may use one goes to the positioned
// parser, which bounds alias expansion and reports tags. False positives only cost speed.
const MAY_USE_ANCHOR_OR_TAG = /(?:^|[\s[\]{},:-])[&!]\S/m;
const CONTENT_LINE = /^[ \t]*[^\s#]/m;

/** The regex is slow on large slices; most documents hold neither character, which indexOf rules out fast. */
function mayUseAnchorOrTag(text: string): boolean {
  return (text.includes('&') || text.includes('!')) && MAY_USE_ANCHOR_OR_TAG.test(text);
}

/** Splits text into document slices at `---` markers. */
export function sliceDocuments(text: string): DocumentSlice[] {
  const starts = [0];
  for (let offset = 0; offset < text.length; ) {
    const newline = text.indexOf('\n', offset);
    const lineEnd = newline === -1 ? text.length : newline + 1;
    if (offset > 0 && DOCUMENT_MARKER.test(text.slice(offset, Math.min(lineEnd, offset + 4)))) starts.push(offset);
    offset = lineEnd;
  }
  return starts.map((start, i) => {
    const end = starts[i + 1] ?? text.length;
    return { start, end, text: blankNonContentLines(text.slice(start, end)) };
  });
}

/**
 * Blanks the `---` marker, `...` and directive lines of a document's slice with spaces, so that
 * both parsers see one document and every offset stays where it was in the file.
 */
export function blankNonContentLines(slice: string): string {
  // Every slice but the first starts with its `---` line; other marker lines are rare.
  const firstLineEnd = slice.indexOf('\n');
  const rest = firstLineEnd === -1 ? '' : slice.slice(firstLineEnd);
  const first = firstLineEnd === -1 ? slice : slice.slice(0, firstLineEnd);
  const blankedFirst = DOCUMENT_MARKER.test(first) ? '   ' + first.slice(3) : DOCUMENT_END.test(first) || DIRECTIVE.test(first) ? first.replace(/[^\r]/g, ' ') : first;
  if (!/\n(?:---|\.\.\.|%)/.test(rest)) return blankedFirst + rest;
  return (
    blankedFirst +
    rest.replace(/^[^\n]*/gm, (line) => {
      if (DOCUMENT_MARKER.test(line)) return '   ' + line.slice(3);
      if (DOCUMENT_END.test(line) || DIRECTIVE.test(line)) return line.replace(/[^\r]/g, ' ');
      return line;
    })
  );
}

export interface ParsedFile {
  documents: SourceDocument[];
  findings: Finding[];
}

export function parseDocuments(source: SourceText, limits: LoadLimits): ParsedFile {
  const findings: Finding[] = [];
  const longLine = findLongLine(source, limits.maxLineLength);
  if (longLine) {
    findings.push(
      createFinding(fileTooLarge, 'lineLength', { length: longLine.length, limit: limits.maxLineLength }, { span: source.lineSpan(longLine.line) }),
    );
    return { documents: [], findings };
  }

  const documents: SourceDocument[] = [];
  for (const slice of sliceDocuments(source.text)) {
    const content = CONTENT_LINE.exec(slice.text);
    if (!content) continue;
    const firstLine = source.position(slice.start + content.index + (content[0].length - 1)).line;
    const parsed = parseSlice(source, slice, limits);
    findings.push(...parsed.findings);
    const recovered = parsed.ok ? undefined : recoverIdentity(slice.text);
    documents.push({
      file: source.file,
      index: documents.length,
      startOffset: slice.start,
      endOffset: slice.end,
      firstLine,
      value: parsed.ok ? parsed.value : undefined,
      ...(parsed.ok && cannotHoldPrototypeKey(slice.text) ? { noPrototypeKey: true as const } : {}),
      ...(recovered ? { recovered } : {}),
    });
  }
  if (documents.length === 0) {
    findings.push(createFinding(emptyFile, 'empty', {}, { span: source.lineSpan(1) }));
  }
  return { documents, findings };
}

/**
 * Whether no key parsed from the text can be `__proto__`, which a parser gives as an own key (both
 * define it rather than set the prototype) and the schema check must report. Both parsers build
 * every key from the characters of the text: folding a line break gives a space or a line feed,
 * and js-yaml joins a sequence used as a key with commas. Only an escape in a double-quoted
 * scalar (`\x5f`, `\u005f`, an escaped line break) gives characters the text does not hold as
 * they are. So a text with neither `__proto__` nor a backslash has no such key.
 */
function cannotHoldPrototypeKey(text: string): boolean {
  return !text.includes('__proto__') && !text.includes('\\');
}

function findLongLine(source: SourceText, limit: number): { line: number; length: number } | undefined {
  if (source.text.length <= limit) return undefined;
  for (let line = 1; line <= source.lineCount; line++) {
    const length = source.lineEnd(line) - source.lineStart(line);
    if (length > limit) return { line, length };
  }
  return undefined;
}

type SliceResult = { ok: true; value: unknown; findings: Finding[] } | { ok: false; findings: Finding[] };

function parseSlice(source: SourceText, slice: DocumentSlice, limits: LoadLimits): SliceResult {
  const deep = findDeepFlowNesting(slice.text, limits.maxDepth);
  if (deep !== undefined) {
    return { ok: false, findings: [createFinding(nestingTooDeep, 'deep', { limit: limits.maxDepth }, { span: source.span(slice.start + deep, slice.start + deep + 1) })] };
  }
  if (!mayUseAnchorOrTag(slice.text)) {
    try {
      const value = jsYaml.load(slice.text, { schema: jsYaml.CORE_SCHEMA, maxDepth: limits.maxDepth } as jsYaml.LoadOptions);
      return { ok: true, value, findings: [] };
    } catch (error) {
      if (error instanceof jsYaml.YAMLException && /maxDepth/.test(error.reason)) {
        const at = slice.start + (error.mark?.position ?? 0);
        return { ok: false, findings: [createFinding(nestingTooDeep, 'deep', { limit: limits.maxDepth }, { span: source.span(at, at + 1) })] };
      }
      // Any other failure: the positioned parser explains it with an exact location.
    }
  }
  return parseSliceWithPositions(source, slice, limits);
}

/** Finds where `[`/`{` nesting first exceeds the limit, outside quoted scalars and comments. */
function findDeepFlowNesting(text: string, limit: number): number | undefined {
  if (!/[[{]/.test(text)) return undefined;
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (quote) {
      if (char === '\\' && quote === '"') i++;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === '"' || char === "'") {
      const previous = text[i - 1];
      if (previous === undefined || /[\s[{,:]/.test(previous)) quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const newline = text.indexOf('\n', i);
      i = newline === -1 ? text.length : newline;
    } else if (char === '[' || char === '{') {
      if (++depth > limit) return i;
    } else if (char === ']' || char === '}') {
      depth = Math.max(0, depth - 1);
    }
  }
  return undefined;
}

function parseSliceWithPositions(source: SourceText, slice: DocumentSlice, limits: LoadLimits): SliceResult {
  const findings: Finding[] = [];
  const at = (range: readonly number[] | null | undefined) => {
    const start = slice.start + (range?.[0] ?? 0);
    const end = slice.start + (range?.[1] ?? range?.[0] ?? 0);
    return { span: source.span(start, end) };
  };
  let document;
  try {
    document = parseDocument(slice.text, { uniqueKeys: true, schema: 'core', prettyErrors: false, strict: true });
  } catch (error) {
    // The parser recurses per nesting level; a RangeError here means nesting too deep for it.
    if (error instanceof RangeError) {
      return { ok: false, findings: [createFinding(nestingTooDeep, 'deep', { limit: limits.maxDepth }, at([0, 1]))] };
    }
    throw error;
  }
  // The parser notices a missing closing quote only where the text ends; the author needs the
  // opening one. Everything after it was swallowed into the quoted scalar, so later errors are
  // only its echoes.
  const unclosed = document.errors.find((error) => error.code === 'MISSING_CHAR' && /closing ["']quote/.test(error.message));
  const opening = unclosed && openingQuote(slice.text, unclosed.pos[0], unclosed.message.includes('"') ? '"' : "'");
  // After a tab used as indentation the parser loses track of the structure: the syntax errors
  // that follow it are its echoes, not problems of their own.
  const tab = document.errors.find((error) => error.code === 'TAB_AS_INDENT');
  for (const error of document.errors) {
    if (tab && error !== tab && error.code !== 'TAB_AS_INDENT' && error.pos[0] >= tab.pos[0]) continue;
    const detail = error.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
    if (error.code === 'DUPLICATE_KEY') {
      findings.push(createFinding(duplicateKey, 'duplicate', { key: keyText(slice.text, error.pos) }, at(error.pos)));
    } else if (error.code === 'TAB_AS_INDENT') {
      findings.push(createFinding(tabIndentation, 'tab', {}, at(error.pos)));
    } else if (error === unclosed && opening !== undefined) {
      findings.push(createFinding(yamlSyntax, 'syntax', { detail: lowerFirst(detail) }, at([opening, opening + 1])));
    } else if (opening !== undefined && error.pos[0] >= opening) {
      continue;
    } else if (/^Flow (?:sequence|map)\b.*end with an? [\]}]$/.test(detail)) {
      // Reported where the collection should have ended; the fix is at its opening bracket.
      const start = unclosedBracket(slice.text, error.pos[0], detail.endsWith(']') ? '[' : '{');
      findings.push(createFinding(yamlSyntax, 'syntax', { detail: lowerFirst(detail) }, at(start === undefined ? error.pos : [start, start + 1])));
    } else {
      findings.push(createFinding(yamlSyntax, 'syntax', { detail: lowerFirst(detail) }, at(error.pos)));
    }
  }
  if (findings.length > 0) return { ok: false, findings: dedupeByLine(findings) };

  let tooDeep: YamlNode | undefined;
  // Every alias with the node it names: the latest node with that anchor before the alias.
  const aliasTargets = new Map<Alias, YamlNode>();
  const anchors = new Map<string, YamlNode>();
  visit(document, {
    Node(_key, node, path) {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) aliasTargets.set(node, target);
        // An alias names an anchor set before it; otherwise the document cannot be read at all.
        else findings.push(createFinding(yamlSyntax, 'syntax', { detail: `alias *${node.source} has no anchor &${node.source} before it` }, at(node.range)));
      } else if (node.anchor !== undefined) {
        anchors.set(node.anchor, node);
      }
      if ((isScalar(node) || isCollection(node)) && node.tag !== undefined) {
        const tag = tagAt(slice.text, node.range);
        findings.push(createFinding(yamlTag, 'tag', { tag: tag?.text ?? node.tag }, at(tag ? [tag.start, tag.start + tag.text.length] : node.range)));
      }
      if (!tooDeep && isCollection(node) && path.filter(isCollection).length >= limits.maxDepth) tooDeep = node;
    },
  });
  if (tooDeep) findings.push(createFinding(nestingTooDeep, 'deep', { limit: limits.maxDepth }, at(tooDeep.range)));
  const bomb = tooDeep || findings.length > 0 ? undefined : aliasBeyondLimit(aliasTargets, limits.maxAliasCount);
  if (bomb) findings.push(createFinding(aliasLimit, 'tooMany', { limit: limits.maxAliasCount }, at(bomb.range)));
  if (findings.length > 0) return { ok: false, findings };
  try {
    return { ok: true, value: document.toJS({ maxAliasCount: limits.maxAliasCount }), findings };
  } catch {
    // toJS counts expansions its own way; should it still refuse, point at the first alias.
    const first = aliasTargets.keys().next().value ?? document.contents;
    return { ok: false, findings: [createFinding(aliasLimit, 'tooMany', { limit: limits.maxAliasCount }, at(first?.range))] };
  }
}

/**
 * The alias at which expanding the document's aliases, in document order, first takes more than
 * `limit` alias expansions in all: the place an alias bomb goes off. An alias inside the node it
 * names never finishes expanding.
 */
function aliasBeyondLimit(targets: ReadonlyMap<Alias, YamlNode>, limit: number): Alias | undefined {
  const expansions = new Map<YamlNode, number>();
  const expansionsOf = (node: unknown): number => {
    if (isAlias(node)) {
      const target = targets.get(node);
      return target === undefined ? 0 : 1 + expansionsOf(target);
    }
    if (!isCollection(node)) return 0;
    const known = expansions.get(node);
    if (known !== undefined) return known;
    expansions.set(node, Infinity);
    let sum = 0;
    for (const item of node.items) {
      sum += isPair(item) ? expansionsOf(item.key) + expansionsOf(item.value) : expansionsOf(item);
      if (sum > limit) break;
    }
    expansions.set(node, sum);
    return sum;
  };
  let total = 0;
  for (const alias of targets.keys()) {
    total += expansionsOf(alias);
    if (total > limit) return alias;
  }
  return undefined;
}

function keyText(text: string, pos: readonly number[]): string {
  const line = text.slice(pos[0], text.indexOf('\n', pos[0]) === -1 ? undefined : text.indexOf('\n', pos[0]));
  const key = /^\s*["']?([^"':]+)/.exec(line)?.[1]?.trim();
  return key ?? line.trim();
}

function tagAt(text: string, range: readonly number[] | null | undefined): { text: string; start: number } | undefined {
  const start = range?.[0];
  if (start === undefined) return undefined;
  // The tag stands just before the node's range starts.
  const from = Math.max(0, start - 200);
  const match = /(![^\s]*)\s*$/.exec(text.slice(from, start));
  return match?.[1] === undefined ? undefined : { text: match[1], start: from + match.index };
}

/** Offset of the innermost `open` bracket still unclosed at `end`, outside quotes and comments. */
function unclosedBracket(text: string, end: number, open: '[' | '{'): number | undefined {
  const stack: { char: string; at: number }[] = [];
  let quote: string | undefined;
  for (let i = 0; i < Math.min(end, text.length); i++) {
    const char = text[i];
    if (quote) {
      if (char === '\\' && quote === '"') i++;
      else if (char === quote) quote = undefined;
    } else if ((char === '"' || char === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1] ?? ''))) {
      quote = char;
    } else if (char === '#' && (i === 0 || /\s/.test(text[i - 1] ?? ''))) {
      const newline = text.indexOf('\n', i);
      i = newline === -1 ? text.length : newline;
    } else if (char === '[' || char === '{') {
      stack.push({ char, at: i });
    } else if (char === ']' || char === '}') {
      stack.pop();
    }
  }
  for (let i = stack.length - 1; i >= 0; i--) if (stack[i]!.char === open) return stack[i]!.at;
  return undefined;
}

/** Offset of the quote that opens an unterminated quoted scalar ending at `end`. */
function openingQuote(text: string, end: number, quote: '"' | "'"): number | undefined {
  for (let i = Math.min(end, text.length) - 1; i >= 0; i--) {
    if (text[i] !== quote) continue;
    if (quote === "'" && text[i - 1] === "'") {
      i--; // '' is an escaped quote inside a single-quoted scalar
      continue;
    }
    if (quote === '"') {
      let backslashes = 0;
      while (text[i - 1 - backslashes] === '\\') backslashes++;
      if (backslashes % 2 === 1) continue;
    }
    return i;
  }
  return undefined;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

/** A single malformed token often yields a cascade of errors on one line; keep the first. */
function dedupeByLine(findings: Finding[]): Finding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const line = 'span' in finding.location ? `${finding.code}:${finding.location.span.line}` : '';
    if (seen.has(line)) return false;
    seen.add(line);
    return true;
  });
}
