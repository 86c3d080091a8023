// A file's text with its line table, and the documents cut from it. Offsets are UTF-16 indices
// into the text; lines and columns are 1-based.
import type { RecoveredIdentity } from './recover-identity.js';
import type { SourceSpan } from '../diagnostics/types.js';

export class SourceText {
  private readonly lineStarts: number[];

  constructor(
    readonly file: string,
    readonly text: string,
  ) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
  }

  get lineCount(): number {
    return this.lineStarts.length;
  }

  lineStart(line: number): number {
    return this.lineStarts[Math.min(Math.max(line, 1), this.lineStarts.length) - 1] ?? 0;
  }

  lineEnd(line: number): number {
    const next = this.lineStarts[line];
    if (next === undefined) return this.text.length;
    return this.text[next - 2] === '\r' ? next - 2 : next - 1;
  }

  position(offset: number): { line: number; column: number } {
    let low = 0;
    let high = this.lineStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if ((this.lineStarts[mid] ?? 0) <= offset) low = mid;
      else high = mid - 1;
    }
    return { line: low + 1, column: offset - (this.lineStarts[low] ?? 0) + 1 };
  }

  span(start: number, end: number): SourceSpan {
    const from = this.position(start);
    // A span never ends before it starts, and an empty one still covers one column.
    const to = this.position(Math.max(end, start + 1));
    return { file: this.file, line: from.line, column: from.column, endLine: to.line, endColumn: to.column };
  }

  /** The whole of one line, without its line break. */
  lineSpan(line: number): SourceSpan {
    const start = this.lineStart(line);
    return this.span(start, Math.max(this.lineEnd(line), start + 1));
  }
}

export function fileStartSpan(file: string): SourceSpan {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
}

/** One YAML document of a file: its slice of the text and the plain value parsed from it. */
export interface SourceDocument {
  readonly file: string;
  /** Index among the file's documents, counting only non-empty ones. */
  readonly index: number;
  /** Offset of the document's slice in the file's text. */
  readonly startOffset: number;
  readonly endOffset: number;
  /** Line of the document's first content (not comment) line. */
  readonly firstLine: number;
  /** The parsed value; undefined when the document could not be parsed. */
  readonly value: unknown;
  /**
   * True when no mapping of the value can have the key `__proto__`, proven from the document's
   * text (see parse-documents.ts): the schema check then need not search the value for one.
   * Absent when not proven.
   */
  readonly noPrototypeKey?: true;
  /** For a document that could not be parsed: the kind and name its text still shows, if any. */
  readonly recovered?: RecoveredIdentity;
}

export interface LoadedFile {
  readonly source: SourceText;
  readonly documents: SourceDocument[];
}
