// What a diff compares: objects without the fields the server owns (managedFields, status,
// resourceVersion, generation, uid, creationTimestamp) or meshctl's ApplySet bookkeeping, with
// Secret values masked, and every mapping's keys in one order so that both sides line up.
import { compareStrings } from '../diagnostics/types.js';
import type { KubernetesObject } from '../output/manifest.js';
import { APPLYSET_PART_OF_LABEL } from './applyset.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const SERVER_METADATA = ['managedFields', 'resourceVersion', 'generation', 'uid', 'creationTimestamp', 'selfLink'];
const TOP_ORDER = ['apiVersion', 'kind', 'metadata', 'spec', 'data', 'stringData'];
const METADATA_ORDER = ['name', 'namespace', 'labels', 'annotations'];

/** A deep copy with keys in canonical order; like a JSON round trip, undefined drops out of mappings and becomes null in lists. */
function sortKeys(value: unknown, first: readonly string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => (item === undefined ? null : sortKeys(item)));
  if (value === null || typeof value !== 'object') return value;
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).filter((key) => record[key] !== undefined);
  const ordered = [...first.filter((key) => keys.includes(key)), ...keys.filter((key) => !first.includes(key)).sort(compareStrings)];
  const out: Record<string, unknown> = {};
  for (const key of ordered) out[key] = key === 'metadata' && first === TOP_ORDER ? sortKeys(record[key], METADATA_ORDER) : sortKeys(record[key]);
  return out;
}

/**
 * A copy without the server's bookkeeping, keys in canonical order. The membership label is kept
 * unless `dropMembership`: whether an object joins the set is a change, its presence on both sides
 * is noise.
 */
export function normalizeObject(object: KubernetesObject, options: { dropMembership?: boolean } = {}): KubernetesObject {
  // Shallow copies of the two levels edited here; sortKeys copies the rest. The server's
  // bookkeeping (managedFields above all, often the larger part of a live object) is left out
  // before anything is copied, not after.
  const { status: _status, ...copy } = object as KubernetesObject & { status?: unknown };
  const metadata: Record<string, unknown> & KubernetesObject['metadata'] = { ...object.metadata };
  for (const key of SERVER_METADATA) delete metadata[key];
  if (metadata.labels) {
    const labels = { ...metadata.labels };
    if (options.dropMembership) delete labels[APPLYSET_PART_OF_LABEL];
    if (Object.keys(labels).every((key) => labels[key] === undefined)) delete metadata.labels;
    else metadata.labels = labels;
  }
  if (metadata.annotations && Object.keys(metadata.annotations).every((key) => metadata.annotations![key] === undefined)) delete metadata.annotations;
  copy.metadata = metadata;
  return sortKeys(copy, TOP_ORDER) as KubernetesObject;
}

const MASK = '***';
const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';

/**
 * Secret values never reach a terminal or a CI log: each becomes `***` (and so does kubectl's
 * last-applied-configuration annotation, which holds them all), and a value that differs
 * between the two sides becomes `*** (before)` / `*** (after)` so that the diff still shows which
 * keys changed (as kubectl diff does).
 */
export function maskSecretPair(
  before: KubernetesObject | undefined,
  after: KubernetesObject | undefined,
): [KubernetesObject | undefined, KubernetesObject | undefined] {
  const isSecret = (o: KubernetesObject | undefined) => o?.kind === 'Secret' && o.apiVersion === 'v1';
  if (!isSecret(before) && !isSecret(after)) return [before, after];
  const masked = (o: KubernetesObject | undefined, other: KubernetesObject | undefined, side: 'before' | 'after') => {
    if (!o) return o;
    const copy = { ...o } as Record<string, unknown>;
    for (const field of ['data', 'stringData']) {
      const values = o[field] as Record<string, string> | undefined;
      if (!values || typeof values !== 'object') continue;
      const otherValues = (other?.[field] ?? {}) as Record<string, string>;
      const out: Record<string, string> = {};
      for (const key of Object.keys(values)) {
        out[key] = other && key in otherValues && otherValues[key] !== values[key] ? `${MASK} (${side})` : MASK;
      }
      copy[field] = out;
    }
    // kubectl's client-side apply keeps the whole last applied object, values included, in an annotation.
    const annotations = o.metadata?.annotations;
    if (annotations && typeof annotations[LAST_APPLIED_ANNOTATION] === 'string') {
      const otherValue = other?.metadata?.annotations?.[LAST_APPLIED_ANNOTATION];
      const value = other && typeof otherValue === 'string' && otherValue !== annotations[LAST_APPLIED_ANNOTATION] ? `${MASK} (${side})` : MASK;
      copy.metadata = { ...o.metadata, annotations: { ...annotations, [LAST_APPLIED_ANNOTATION]: value } };
    }
    return copy as KubernetesObject;
  };
  return [masked(before, after, 'before'), masked(after, before, 'after')];
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const other = b as unknown[];
    return a.length === other.length && a.every((item, index) => deepEqual(item, other[index]));
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const leftKeys = Object.keys(left).filter((key) => left[key] !== undefined);
  const rightKeys = Object.keys(right).filter((key) => right[key] !== undefined);
  return leftKeys.length === rightKeys.length && leftKeys.every((key) => deepEqual(left[key], right[key]));
}

export type { Json };
