// Deciding, without asking the server, that applying an object would change nothing: every field
// meshctl sends has the live value, and meshctl owns no live field that it no longer sends (server-
// side apply would remove those). When this says "may differ", a server-side dry run decides; so a
// wrong "may differ" costs a request, and only a wrong "same" would be a bug — the rules below
// lean that way (lists are compared whole, as Istio's CRDs declare them atomic).
import type { KubernetesObject } from '../output/manifest.js';
import { FIELD_MANAGER } from './applyset.js';
import { deepEqual } from './normalize.js';

interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
}

/** Desired ⊆ live: mappings by key, everything else (lists, scalars) exactly. */
function contains(live: unknown, desired: unknown): boolean {
  if (desired !== null && typeof desired === 'object' && !Array.isArray(desired)) {
    if (live === null || typeof live !== 'object' || Array.isArray(live)) return false;
    const liveRecord = live as Record<string, unknown>;
    return Object.entries(desired as Record<string, unknown>).every(
      ([key, value]) => value === undefined || (key in liveRecord && contains(liveRecord[key], value)),
    );
  }
  return deepEqual(live, desired);
}

/**
 * Every field path meshctl owns per fieldsV1 is also in the desired object. A path below a list
 * item (`k:`, `v:`, `i:`) stops at the list: the list itself was compared whole.
 */
function ownedFieldsAreSent(owned: Record<string, unknown>, desired: unknown): boolean {
  for (const [key, children] of Object.entries(owned)) {
    if (key === '.') continue;
    if (!key.startsWith('f:')) return true; // a list's items: the list was compared whole
    const field = key.slice(2);
    if (desired === null || typeof desired !== 'object' || Array.isArray(desired)) return false;
    const value = (desired as Record<string, unknown>)[field];
    if (value === undefined) return false;
    if (children && typeof children === 'object' && Object.keys(children).length > 0) {
      if (Array.isArray(value)) continue;
      if (!ownedFieldsAreSent(children as Record<string, unknown>, value)) return false;
    }
  }
  return true;
}

/** True when applying `desired` (which carries meshctl's labels) to `live` is known to change nothing. */
export function appliesUnchanged(desired: KubernetesObject, live: KubernetesObject): boolean {
  if (desired.apiVersion !== live.apiVersion) return false;
  const { apiVersion: _a, kind: _k, ...desiredFields } = desired;
  if (!contains(live, desiredFields)) return false;
  const entries = ((live.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? []).filter(
    (entry) => entry.manager === FIELD_MANAGER && entry.operation === 'Apply',
  );
  // Without meshctl's apply entry (an object someone else created), the first apply adds one.
  if (entries.length !== 1) return false;
  const [entry] = entries as [ManagedFieldsEntry];
  if (entry.apiVersion !== desired.apiVersion || entry.fieldsType !== 'FieldsV1' || !entry.fieldsV1) return false;
  return ownedFieldsAreSent(entry.fieldsV1, desired);
}
