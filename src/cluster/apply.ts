// Applying a change plan: the ApplySet parent first lists the union of the old and new kinds and
// namespaces (so an interrupted apply leaves nothing orphaned), then namespaces, then every other
// object in a stable order, by server-side apply; only after all of that succeeded, members the
// mesh no longer produces are deleted (uid preconditions) and the parent shrinks to the new set.
import {
  APPLYSET_GROUP_KINDS_ANNOTATION,
  APPLYSET_NAMESPACES_ANNOTATION,
  APPLYSET_TOOLING_ANNOTATION,
  FIELD_MANAGER,
  SOURCE_COMMIT_ANNOTATION,
  VERSION_ANNOTATION,
  buildParent,
  isMember,
  type ParentContent,
} from './applyset.js';
import type { KubeClient } from './client.js';
import type { KubernetesObject } from '../output/manifest.js';
import { checkAccess } from './access.js';
import { Discovery, resourcePath, type ResourceInfo } from './discovery.js';
import { ClusterError, type FieldConflict } from './errors.js';
import { hasUnrecordedCreate, type ManagedFieldsEntry } from './compare.js';
import { createdMeanwhile, desiredSet, keepOccupiedNamespaces, readLive, serverSideApply, type ChangePlan, type KeptObject, type PlannedObject, type PruneCandidate } from './plan.js';
import { parseStatus } from './status.js';
import { objectLabel } from './render.js';

export interface ApplyOptions {
  dryRun?: boolean;
  forceConflicts?: boolean;
  allowMassPrune?: boolean;
  version: string;
  commit?: string;
  onProgress?: (event: ApplyEvent) => void;
}

export type AppliedAction = 'created' | 'changed' | 'adopted' | 'pruned';

export interface ApplyEvent {
  action: AppliedAction | 'failed';
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  done: number;
  total: number;
}

export interface AppliedObject {
  action: AppliedAction;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
}

export interface ApplyResult {
  dryRun: boolean;
  created: number;
  changed: number;
  adopted: number;
  unchanged: number;
  pruned: number;
  /** Members the mesh no longer produces that were left in place (a namespace holding other objects). */
  kept: { apiVersion: string; kind: string; name: string; reason: string }[];
  conflicts: (FieldConflict & { kind: string; namespace?: string; name: string })[];
  objects: AppliedObject[];
  errors: ClusterError[];
  /** Whether anything was written (or, in a dry run, would have been). */
  wrote: boolean;
}

function identity(planned: PlannedObject): Omit<AppliedObject, 'action'> {
  return {
    apiVersion: planned.desired.apiVersion,
    kind: planned.desired.kind,
    ...(planned.info.namespaced ? { namespace: planned.desired.metadata.namespace } : {}),
    name: planned.desired.metadata.name,
  };
}

function pruneIdentity(candidate: PruneCandidate): Omit<AppliedObject, 'action'> {
  return {
    apiVersion: candidate.info.apiVersion,
    kind: candidate.info.kind,
    ...(candidate.info.namespaced ? { namespace: candidate.live.metadata.namespace } : {}),
    name: candidate.live.metadata.name,
  };
}

function keptIdentity(entry: KeptObject): ApplyResult['kept'][number] {
  return { apiVersion: entry.info.apiVersion, kind: entry.info.kind, name: entry.live.metadata.name, reason: entry.reason };
}

const isNamespace = (info: ResourceInfo) => info.group === '' && info.kind === 'Namespace';

/**
 * Creates an object only if it does not exist yet: a POST, which the API server refuses with 409
 * AlreadyExists when someone created the same object since the plan (another ApplySet racing for a
 * new namespace). Server-side apply cannot do that: it creates or takes over alike. The fields the
 * POST set are then recorded as meshctl's applied configuration, exactly what a server-side apply
 * would have recorded, so that later applies own them (and remove them when the mesh drops them).
 */
async function createExclusively(client: KubeClient, planned: PlannedObject, id: string, force: boolean): Promise<void> {
  const { info, desired } = planned;
  const subject = objectLabel({ kind: desired.kind, namespace: info.namespaced ? desired.metadata.namespace : undefined, name: desired.metadata.name });
  const response = await client.request('POST', resourcePath(info, desired.metadata.namespace), {
    query: { fieldManager: FIELD_MANAGER, fieldValidation: 'Strict' },
    body: JSON.stringify(desired),
    subject,
    accept: [409],
  });
  if (response.status !== 409) {
    await recordAsApplied(client, info, JSON.parse(response.body) as KubernetesObject, desired, subject);
    return;
  }
  const status = parseStatus(response.body);
  if (status?.reason !== 'AlreadyExists') throw new ClusterError(`conflict: ${subject}: ${status?.message ?? 'refused with 409 Conflict'}`, 'conflict');
  const live = await readLive(client, info, desired, subject);
  if (live && isMember(live, id)) {
    // Another apply of this same set created it a moment ago: it is this set's, apply as usual.
    await recordAsApplied(client, info, live, desired, subject);
    await serverSideApply(client, info, desired, { dryRun: false, force, fieldManager: FIELD_MANAGER });
    return;
  }
  throw createdMeanwhile(subject, live);
}

/** A fieldsV1 set narrowed to the fields SENT has; below a list, everything (lists are sent whole). */
function restrictToSent(fields: Record<string, unknown>, sent: unknown): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, children] of Object.entries(fields)) {
    if (!key.startsWith('f:')) {
      out[key] = children;
      continue;
    }
    if (sent === null || typeof sent !== 'object' || Array.isArray(sent)) continue;
    const value = (sent as Record<string, unknown>)[key.slice(2)];
    if (value === undefined) continue;
    const nested = children !== null && typeof children === 'object' && Object.keys(children).length > 0;
    out[key] = nested && !Array.isArray(value) ? restrictToSent(children as Record<string, unknown>, value) : children;
  }
  return out;
}

/**
 * Turns meshctl's entry of the create (operation Update) into an Apply entry, as kubectl does when
 * it moves an object from client-side to server-side apply: a JSON patch of managedFields alone,
 * conditional on the resourceVersion, retried on the fresh object if something changed it meanwhile.
 * Also used for a member whose create was interrupted before this step (hasUnrecordedCreate).
 */
export async function recordAsApplied(client: KubeClient, info: ResourceInfo, created: KubernetesObject, desired: KubernetesObject, subject: string): Promise<void> {
  let current = created;
  for (let attempt = 0; attempt < 5; attempt++) {
    const entries = (current.metadata as { managedFields?: ManagedFieldsEntry[] }).managedFields ?? [];
    const index = entries.findIndex((entry) => entry.manager === FIELD_MANAGER && entry.operation === 'Update' && !entry.subresource);
    if (index === -1) return;
    if (entries.some((entry) => entry.manager === FIELD_MANAGER && entry.operation === 'Apply')) return;
    // As a server-side apply would own them: the fields meshctl sent, not those the server added
    // when it created the object (a namespace's kubernetes.io/metadata.name label).
    const converted = { ...entries[index]!, operation: 'Apply', fieldsV1: restrictToSent(entries[index]!.fieldsV1 ?? {}, desired) };
    const managedFields = entries.map((entry, position) => (position === index ? converted : entry));
    const path = resourcePath(info, current.metadata.namespace, current.metadata.name);
    const response = await client.request('PATCH', path, {
      body: JSON.stringify([
        { op: 'test', path: '/metadata/resourceVersion', value: (current.metadata as { resourceVersion?: string }).resourceVersion },
        { op: 'replace', path: '/metadata/managedFields', value: managedFields },
      ]),
      contentType: 'application/json-patch+json',
      subject,
      accept: [409, 422],
    });
    if (response.status < 400) return;
    const fresh = await client.request('GET', path, { subject, accept: [404] });
    if (fresh.status === 404) return;
    current = JSON.parse(fresh.body) as KubernetesObject;
  }
  throw new ClusterError(`${subject}: created, but its fields could not be recorded as meshctl's (the object kept changing); run the apply again`, 'conflict');
}

function parentAnnotationsEqual(plan: ChangePlan, content: ParentContent): boolean {
  if (!plan.parentLive) return false;
  const wanted = buildParent(plan.parentRef, plan.applysetId, content).metadata.annotations ?? {};
  const live = plan.parentLive.metadata.annotations ?? {};
  return [APPLYSET_TOOLING_ANNOTATION, APPLYSET_GROUP_KINDS_ANNOTATION, APPLYSET_NAMESPACES_ANNOTATION, VERSION_ANNOTATION, SOURCE_COMMIT_ANNOTATION].every(
    (key) => (wanted[key] ?? '') === (live[key] ?? ''),
  );
}

export async function applyPlan(plan: ChangePlan, options: ApplyOptions): Promise<ApplyResult> {
  const dryRun = options.dryRun ?? false;
  const force = options.forceConflicts ?? false;
  const client = plan.client;
  const result: ApplyResult = {
    dryRun,
    created: 0,
    changed: 0,
    adopted: 0,
    unchanged: plan.unchanged,
    pruned: 0,
    kept: plan.kept.map(keptIdentity),
    conflicts: [],
    objects: [],
    errors: [...plan.errors],
    wrote: false,
  };

  const toApply = plan.objects.filter((planned) => planned.action !== 'unchanged');
  for (const planned of toApply) {
    for (const conflict of planned.conflicts) result.conflicts.push({ ...conflict, kind: planned.desired.kind, namespace: identity(planned).namespace, name: planned.desired.metadata.name });
  }
  // Everything that can be known before writing is checked before writing: objects of other
  // owners, objects the server refused in the dry run, conflicts, and the mass-prune guard.
  if (!force && result.conflicts.length > 0) {
    for (const planned of toApply) {
      if (planned.conflicts.length === 0) continue;
      const subject = objectLabel(identity(planned));
      result.errors.push(
        new ClusterError(planned.conflicts.map((c) => `conflict: ${subject}: ${c.field} is owned by "${c.manager}" (--force-conflicts takes it over)`).join('\n'), 'conflict', {
          conflicts: planned.conflicts,
        }),
      );
    }
  }
  if (plan.prune.length > 0 && plan.prune.length * 2 > plan.currentMemberCount && !options.allowMassPrune) {
    result.errors.push(
      new ClusterError(
        `refusing to prune ${plan.prune.length} of the ${plan.currentMemberCount} objects of ApplySet ${plan.parentRef.namespace}/${plan.parentRef.name} (more than half); pass --allow-mass-prune if this is intended`,
        'refused',
      ),
    );
  }
  if (result.errors.length > 0) return result;
  if (toApply.length === 0 && plan.prune.length === 0) return result;

  const { groupKinds, namespaces } = desiredSet(plan);
  const superset: ParentContent = {
    groupKinds: [...plan.previous.groupKinds, ...groupKinds],
    namespaces: [...plan.previous.namespaces, ...namespaces],
    version: options.version,
    commit: options.commit,
  };
  const latest: ParentContent = { groupKinds, namespaces, version: options.version, commit: options.commit };
  const discovery = new Discovery(client);
  const parentInfo = await discovery.resolve('v1', plan.parentRef.kind);
  try {
    await checkAccess(client, [
      { verb: 'patch', info: parentInfo, namespace: plan.parentRef.namespace },
      ...toApply.map((planned) => ({ verb: 'patch' as const, info: planned.info, namespace: planned.desired.metadata.namespace })),
      ...toApply.filter((planned) => planned.action === 'create').map((planned) => ({ verb: 'create' as const, info: planned.info, namespace: planned.desired.metadata.namespace })),
      ...plan.prune.map((candidate) => ({ verb: 'delete' as const, info: candidate.info, namespace: candidate.live.metadata.namespace })),
    ]);
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    result.errors.push(error);
    return result;
  }
  const total = toApply.length + plan.prune.length;
  let done = 0;
  const report = (action: ApplyEvent['action'], object: Omit<AppliedObject, 'action'>) => {
    done++;
    options.onProgress?.({ action, ...object, done, total });
  };

  const applied = new Map<PlannedObject, AppliedAction>();
  const applyOne = async (planned: PlannedObject) => {
    try {
      // In a dry run there is nothing to send: the plan already had the server dry-run exactly
      // this object (or could not, because its namespace is created by this apply).
      if (!dryRun && planned.action === 'create') await createExclusively(client, planned, plan.applysetId, force);
      else if (!dryRun && planned.live && planned.mode === 'member' && hasUnrecordedCreate(planned.live)) {
        await recordAsApplied(client, planned.info, planned.live, planned.desired, objectLabel(identity(planned)));
        await serverSideApply(client, planned.info, planned.desired, { dryRun: false, force, fieldManager: planned.fieldManager });
      } else if (!dryRun) await serverSideApply(client, planned.info, planned.desired, { dryRun: false, force, fieldManager: planned.fieldManager });
      const action: AppliedAction = planned.action === 'create' ? 'created' : planned.action === 'adopt' ? 'adopted' : 'changed';
      applied.set(planned, action);
      report(action, identity(planned));
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      result.errors.push(error);
      report('failed', identity(planned));
      if (error.fatal) throw error;
    }
  };
  const writeParent = async (content: ParentContent) => {
    if (dryRun || parentAnnotationsEqual(plan, content)) return;
    const parent = buildParent(plan.parentRef, plan.applysetId, content);
    // The parent's fields are meshctl's alone; taking them back from a stray edit is right (kubectl does the same).
    plan.parentLive = await serverSideApply(client, parentInfo, parent, { dryRun: false, force: true });
  };

  try {
    // The parent must exist (listing the superset) before any member does; its namespace may be
    // one this apply creates.
    const parentNamespace = toApply.find(
      (planned) => planned.desired.kind === 'Namespace' && planned.info.group === '' && planned.desired.metadata.name === plan.parentRef.namespace,
    );
    if (parentNamespace && !plan.existingNamespaces.has(plan.parentRef.namespace)) await applyOne(parentNamespace);
    else if (!dryRun && !plan.existingNamespaces.has(plan.parentRef.namespace)) {
      throw new ClusterError(
        `the namespace ${plan.parentRef.namespace} of the ApplySet parent does not exist; create it or choose another with --applyset NAMESPACE/NAME`,
        'config',
      );
    }
    await writeParent(superset);
    result.wrote = !dryRun;
    const namespaceObjects = toApply.filter((planned) => planned.info.group === '' && planned.desired.kind === 'Namespace' && planned !== parentNamespace);
    await Promise.all(namespaceObjects.map(applyOne));
    if (result.errors.length === 0) {
      const rest = toApply.filter((planned) => !(planned.info.group === '' && planned.desired.kind === 'Namespace'));
      await Promise.all(rest.map(applyOne));
    }
    if (result.errors.length === 0) {
      const pruneAll = (candidates: readonly PruneCandidate[]) =>
        Promise.all(
          candidates.map((candidate) =>
            pruneOne(plan, candidate, dryRun, result).then((ok) => {
              if (ok) report('pruned', pruneIdentity(candidate));
              return ok ? candidate : undefined;
            }),
          ),
        );
      // Namespaces last, each looked into once more just before: whatever was put into one since
      // the plan keeps it.
      const pruned = await pruneAll(plan.prune.filter((candidate) => !isNamespace(candidate.info)));
      const namespaces = plan.prune.filter((candidate) => isNamespace(candidate.info));
      if (result.errors.length === 0 && namespaces.length > 0) {
        const recheck = await keepOccupiedNamespaces(client, plan.prune, plan.applysetId);
        result.kept.push(...recheck.kept.map(keptIdentity));
        const stillEmpty = namespaces.filter((candidate) => recheck.prune.includes(candidate));
        pruned.push(...(await pruneAll(stillEmpty)));
      }
      if (result.errors.length === 0) {
        await writeParent(latest);
        for (const candidate of pruned) if (candidate) result.objects.push({ action: 'pruned', ...pruneIdentity(candidate) });
      }
    }
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    if (!result.errors.includes(error)) result.errors.push(error);
  }
  // In plan order, whatever order the requests finished in.
  const appliedObjects: AppliedObject[] = [];
  for (const planned of toApply) {
    const action = applied.get(planned);
    if (!action) continue;
    appliedObjects.push({ action, ...identity(planned) });
    if (action === 'created') result.created++;
    else if (action === 'adopted') result.adopted++;
    else result.changed++;
  }
  result.objects = [...appliedObjects, ...result.objects];
  result.pruned = result.objects.filter((o) => o.action === 'pruned').length;
  return result;
}

async function pruneOne(plan: ChangePlan, candidate: PruneCandidate, dryRun: boolean, result: ApplyResult): Promise<boolean> {
  const { live, info } = candidate;
  const uid = (live.metadata as { uid?: string }).uid;
  const subject = objectLabel(pruneIdentity(candidate));
  try {
    // The uid precondition: never delete a same-named object created since the LIST.
    // dryRun belongs in the body: with a body, the API server reads a DELETE's options from it
    // alone and ignores the query string, so a query-only dryRun would delete for real.
    await plan.client.request('DELETE', resourcePath(info, live.metadata.namespace, live.metadata.name), {
      body: JSON.stringify({
        apiVersion: 'v1',
        kind: 'DeleteOptions',
        preconditions: { uid },
        propagationPolicy: 'Background',
        ...(dryRun ? { dryRun: ['All'] } : {}),
      }),
      subject,
      accept: [404],
    });
    // A 404 means it is already gone, which is what pruning wanted.
    return true;
  } catch (error) {
    if (!(error instanceof ClusterError)) throw error;
    if (error.kind === 'conflict') {
      // Replaced by another object of the same name since the plan: not ours to delete.
      return false;
    }
    result.errors.push(error);
    if (error.fatal) throw error;
    return false;
  }
}
