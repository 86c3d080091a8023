// What every stage reports: diagnostics with a code and a source location. A location is either a
// path into a parsed document (resolved to line:col lazily, only for documents with findings) or
// a span already known (syntax errors, I/O errors).

export type Level = 'error' | 'warning' | 'info';
export type LevelSetting = Level | 'off';

/** 1-based lines and columns; endColumn is the column just past the last character. */
export interface SourceSpan {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

export type PathSegment = string | number;

/** A node inside a document: `key` points at a mapping key rather than its value. */
export interface NodeRef {
  file: string;
  document: number;
  path: readonly PathSegment[];
  part?: 'key' | 'value';
}

export type Location = { span: SourceSpan } | { node: NodeRef };

export interface RelatedLocation {
  message: string;
  location: Location;
}

/** A finding before its level is decided and its location resolved. */
export interface Finding {
  code: string;
  messageId: string;
  data: Record<string, string | number>;
  message: string;
  location: Location;
  related?: RelatedLocation[];
}

export interface Diagnostic {
  code: string;
  level: Level;
  message: string;
  messageId: string;
  data: Record<string, string | number>;
  span: SourceSpan;
  /** The path of the offending node inside its document, when known (e.g. spec.routes[2].match). */
  path?: string;
  related?: { message: string; span: SourceSpan }[];
}

export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_][\w-]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export function compareDiagnostics(a: Diagnostic, b: Diagnostic): number {
  return (
    compareStrings(a.span.file, b.span.file) ||
    a.span.line - b.span.line ||
    a.span.column - b.span.column ||
    compareStrings(a.code, b.code) ||
    compareStrings(a.message, b.message)
  );
}

/** Code-point order, independent of the locale the process runs in. */
export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
