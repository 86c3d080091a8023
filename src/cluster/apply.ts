// Applying a change plan: the ApplySet parent first lists the union of the old and new kinds and
// namespaces (so an interrupted apply leaves nothing orphaned), then namespaces, then every other
// object in a stable order, by server-side apply; only after all of that succeeded, members the
// mesh no longer produces are deleted (uid preconditions) and the parent shrinks to the new set.
import {
  APPLYSET_GROUP_KINDS_ANNOTATION,
  APPLYSET_NAMESPACES_ANNOTATION,
  APPLYSET_TOOLING_ANNOTATION,
  SOURCE_COMMIT_ANNOTATION,
  VERSION_ANNOTATION,
  buildParent,
  type ParentContent,
} from './applyset.js';
import { checkAccess } from './access.js';
import { Discovery, resourcePath } from './discovery.js';
import { ClusterError, type FieldConflict } from './errors.js';
import { desiredSet, serverSideApply, type ChangePlan, type PlannedObject, type PruneCandidate } from './plan.js';
import { objectLabel } from './render.js';

export interface ApplyOptions {
  dryRun?: boolean;
  forceConflicts?: boolean;
  allowMassPrune?: boolean;
  version: string;
  commit?: string;
  onProgress?: (event: ApplyEvent) => void;
}

export type AppliedAction = 'created' | 'changed' | 'pruned';

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
  unchanged: number;
  pruned: number;
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
    unchanged: plan.unchanged,
    pruned: 0,
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
      if (!dryRun) await serverSideApply(client, planned.info, planned.desired, { dryRun: false, force });
      const action: AppliedAction = planned.action === 'create' ? 'created' : 'changed';
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
      const pruned = await Promise.all(plan.prune.map((candidate) => pruneOne(plan, candidate, dryRun, result).then((ok) => {
        if (ok) report('pruned', pruneIdentity(candidate));
        return ok ? candidate : undefined;
      })));
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
