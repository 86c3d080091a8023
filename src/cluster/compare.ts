// Deciding, without asking the server, that applying an object would change nothing: every field
// meshctl sends has the live value, and meshctl owns no live field that it no longer sends (server-
// side apply would remove those). When this says "may differ", a server-side dry run decides; so a
// wrong "may differ" costs a request, and only a wrong "same" would be a bug — the rules below
// lean that way (lists are compared whole, as Istio's CRDs declare them atomic).
import type { KubernetesObject } from '../output/manifest.js';
import { FIELD_MANAGER } from './applyset.js';
import { deepEqual } from './normalize.js';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: string;
  apiVersion?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

/**
 * meshctl created the object (its POST is an Update entry) but was stopped before recording those
 * fields as applied: the next apply has to record them first, or fields the mesh later drops would
 * stay, co-owned by the create.
 */
export function hasUnrecordedCreate(live: KubernetesObject): boolean {
  const entries = (live.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? [];
  const ours = entries.filter((entry) => entry.manager === FIELD_MANAGER && !entry.subresource);
  return ours.some((entry) => entry.operation === 'Update') && !ours.some((entry) => entry.operation === 'Apply');
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

/**
 * True when applying `desired` (which carries meshctl's labels) to `live` under `fieldManager` is
 * known to change nothing.
 */
export function appliesUnchanged(desired: KubernetesObject, live: KubernetesObject, fieldManager: string = FIELD_MANAGER): boolean {
  if (desired.apiVersion !== live.apiVersion) return false;
  const { apiVersion: _a, kind: _k, ...desiredFields } = desired;
  if (!contains(live, desiredFields)) return false;
  const entries = ((live.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? []).filter(
    (entry) => entry.manager === fieldManager && entry.operation === 'Apply',
  );
  // Without meshctl's apply entry (an object someone else created), the first apply adds one.
  if (entries.length !== 1) return false;
  const [entry] = entries as [ManagedFieldsEntry];
  if (entry.apiVersion !== desired.apiVersion || entry.fieldsType !== 'FieldsV1' || !entry.fieldsV1) return false;
  return ownedFieldsAreSent(entry.fieldsV1, desired);
}

/** The ObjectMeta limit the API server enforces on the sum of annotation key and value bytes. */
const ANNOTATIONS_SIZE_LIMIT = 256 * 1024;

function ownsAnnotation(entry: ManagedFieldsEntry, key: string): boolean {
  const metadata = entry.fieldsV1?.['f:metadata'] as Record<string, unknown> | undefined;
  const annotations = metadata?.['f:annotations'] as Record<string, unknown> | undefined;
  return annotations !== undefined && `f:${key}` in annotations;
}

/**
 * The server's answer to applying `desired` to `live`, known without asking it, when the only
 * difference is the value of annotations that live already has, that meshctl's apply owns and no
 * other manager does: the server replaces the values and nothing else. This is what moving a mesh
 * file, or a line shift above an object, does to meshctl.dev/source on every object below it.
 * Such an apply cannot conflict (no other owner) and cannot be refused (an annotation value is any
 * string, the size limit is checked here); anything else is left to a dry run. Undefined when the
 * rule does not apply.
 */
export function predictAnnotationValueChange(desired: KubernetesObject, live: KubernetesObject): KubernetesObject | undefined {
  const desiredAnnotations = desired.metadata.annotations ?? {};
  const liveAnnotations = live.metadata.annotations ?? {};
  const changed = Object.keys(desiredAnnotations).filter((key) => desiredAnnotations[key] !== undefined && desiredAnnotations[key] !== liveAnnotations[key]);
  if (changed.length === 0) return undefined;
  // Only values replaced: a new key is subject to the server's name rules.
  if (changed.some((key) => typeof liveAnnotations[key] !== 'string' || typeof desiredAnnotations[key] !== 'string')) return undefined;
  const liveValues: Record<string, string> = Object.fromEntries(changed.map((key) => [key, liveAnnotations[key]!]));
  const asIfUnchanged: KubernetesObject = { ...desired, metadata: { ...desired.metadata, annotations: { ...desiredAnnotations, ...liveValues } } };
  // Everything else applies unchanged (which also requires meshctl's one apply entry).
  if (!appliesUnchanged(asIfUnchanged, live)) return undefined;
  for (const entry of (live.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? []) {
    const isMeshctlApply = entry.manager === FIELD_MANAGER && entry.operation === 'Apply';
    for (const key of changed) {
      if (ownsAnnotation(entry, key) !== isMeshctlApply) return undefined;
    }
  }
  const annotations = { ...liveAnnotations };
  for (const key of changed) annotations[key] = desiredAnnotations[key]!;
  const size = Object.entries(annotations).reduce((sum, [key, value]) => sum + Buffer.byteLength(key) + Buffer.byteLength(String(value)), 0);
  if (size > ANNOTATIONS_SIZE_LIMIT) return undefined;
  return { ...live, metadata: { ...live.metadata, annotations } };
}
