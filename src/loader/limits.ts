// Bounds that keep hostile input (huge files, alias bombs, deep nesting) from exhausting memory or
// time. Every real mesh file is far inside them.
export interface LoadLimits {
  /** Largest file read, in bytes. */
  maxFileBytes: number;
  /** Longest line, in characters. */
  maxLineLength: number;
  /** Deepest nesting of mappings and lists in a document. */
  maxDepth: number;
  /** Most alias nodes a document may use. */
  maxAliasCount: number;
}

export const DEFAULT_LIMITS: LoadLimits = {
  maxFileBytes: 32 * 1024 * 1024,
  maxLineLength: 16 * 1024,
  maxDepth: 64,
  maxAliasCount: 100,
};
