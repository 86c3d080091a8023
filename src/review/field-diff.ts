// Field-by-field differences between two plain values (parts of mesh specs), as short lines:
// "outlierDetection.consecutive5xx: 5 → 3". Used for the settings whose meaning is their value
// (resilience, rate limits, telemetry, ports...), where a field path says enough.
import { compareStrings } from '../diagnostics/types.js';

export interface FieldChange {
  readonly path: string;
  readonly before?: unknown;
  readonly after?: unknown;
}

/** Leaves of a value, keyed by dotted path; arrays of scalars stay one leaf ("[GET, HEAD]"). */
function flatten(value: unknown, prefix: string, out: Map<string, unknown>): void {
  if (value === undefined) return;
  if (Array.isArray(value)) {
    if (value.every((item) => item === null || typeof item !== 'object')) {
      out.set(prefix, value);
      return;
    }
    value.forEach((item, index) => flatten(item, `${prefix}[${index}]`, out));
    if (value.length === 0) out.set(prefix, value);
    return;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    if (entries.length === 0) {
      out.set(prefix, value);
      return;
    }
    for (const [key, child] of entries) flatten(child, prefix === '' ? key : `${prefix}.${key}`, out);
    return;
  }
  out.set(prefix, value);
}

export function fieldChanges(before: unknown, after: unknown, prefix = ''): FieldChange[] {
  const a = new Map<string, unknown>();
  const b = new Map<string, unknown>();
  flatten(before, prefix, a);
  flatten(after, prefix, b);
  const paths = [...new Set([...a.keys(), ...b.keys()])].sort(compareStrings);
  const changes: FieldChange[] = [];
  for (const path of paths) {
    const x = a.get(path);
    const y = b.get(path);
    if (a.has(path) && b.has(path) && sameValue(x, y)) continue;
    changes.push({ path, ...(a.has(path) ? { before: x } : {}), ...(b.has(path) ? { after: y } : {}) });
  }
  return changes;
}

export function sameValue(a: unknown, b: unknown): boolean {
  return stableJson(a) === stableJson(b);
}

/** JSON with object keys sorted: equal values give equal text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => compareStrings(x, y)))
      : v,
  );
}

/** A value as a reviewer reads it: scalars plain, lists in brackets, mappings inline. */
export function showValue(value: unknown): string {
  if (value === undefined) return '(none)';
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(showValue).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    return `{${entries.map(([k, v]) => `${k}: ${showValue(v)}`).join(', ')}}`;
  }
  return String(value);
}

export function describeFieldChange(change: FieldChange): string {
  if (!('before' in change)) return `${change.path}: ${showValue(change.after)} (added)`;
  if (!('after' in change)) return `${change.path}: ${showValue(change.before)} (removed)`;
  return `${change.path}: ${showValue(change.before)} → ${showValue(change.after)}`;
}

/** At most `limit` field changes in one line; the rest counted. */
export function describeFieldChanges(changes: readonly FieldChange[], limit = 6): string {
  const shown = changes.slice(0, limit).map(describeFieldChange);
  if (changes.length > limit) shown.push(`and ${changes.length - limit} more`);
  return shown.join('; ');
}
