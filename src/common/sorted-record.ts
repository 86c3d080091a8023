// A record with its keys in code-point order, so that every emitted object is byte-identical
// whatever order its keys were gathered in.
import { compareStrings } from '../diagnostics/types.js';

export function sortedRecord<T>(record: Readonly<Record<string, T>>): Record<string, T> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareStrings(a, b)));
}
