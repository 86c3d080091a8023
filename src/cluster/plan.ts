// The change set: what applying the compiled objects would create, change and prune. Live state
// comes from one LIST per kind and namespace; a server-side dry run (field manager meshctl) is
// asked only for objects that are new or may differ (compare.ts), with bounded concurrency. An
// object whose only difference is the value of an annotation meshctl alone owns (its source
// annotation after a file moved) needs no dry run either: the answer is known (compare.ts).
import { compareObjects, type KubernetesObject } from '../output/manifest.js';
import {
  APPLYSET_PART_OF_LABEL,
  FIELD_MANAGER,
  MANAGED_BY_LABEL,
  TOOL_NAME,
  applySetId,
  formatGroupKind,
  isMember,
  namespaceLabelsFieldManager,
  parseGroupKind,
  readParent,
  withMembership,
  type ApplySetParentRef,
  type ParentState,
} from './applyset.js';
import type { KubeClient } from './client.js';
import { appliesUnchanged, hasUnrecordedCreate, predictAnnotationValueChange } from './compare.js';
import { Discovery, resourcePath, type ResourceInfo } from './discovery.js';
import { ClusterError, type FieldConflict } from './errors.js';
import { findUnmanagedObjects } from './namespace-contents.js';
import { deepEqual, normalizeObject } from './normalize.js';
import { objectLabel, summarize, type ChangeSummary, type ObjectChange } from './render.js';

export interface PlanOptions {
  applyset: ApplySetParentRef;
  /** `--adopt`: objects that exist without belonging to anyone become members of the set. */
  adopt?: boolean;
}

export interface PlannedObject {
  /**
   * As it will be sent: the compiled object with the ApplySet membership label; for a namespace
   * that is not the set's own, its labels alone.
   */
  desired: KubernetesObject;
  info: ResourceInfo;
  live?: KubernetesObject;
  /** `create`: new, created exclusively; `adopt`: exists, joins the set by --adopt. */
  action: 'create' | 'change' | 'adopt' | 'unchanged';
  /**
   * `member`: the object is (or becomes) a member of the set, applied whole by field manager
   * meshctl. `labels`: a namespace that existed before and is not the set's: only its labels are
   * applied, by the set's own field manager; it never becomes a member and is never pruned.
   */
  mode: 'member' | 'labels';
  fieldManager: string;
  /** The dry-run result (create, change). */
  after?: KubernetesObject;
  /** Fields another manager owns that this apply would change. */
  conflicts: FieldConflict[];
  /** The namespace is created by this same apply, so the server could not dry-run the object. */
  dryRunSkipped: boolean;
}

export interface PruneCandidate {
  info: ResourceInfo;
  live: KubernetesObject;
}

/** A member the mesh no longer produces that is left in place, and why. */
export interface KeptObject extends PruneCandidate {
  reason: string;
}

export interface ChangePlan {
  client: KubeClient;
  parentRef: ApplySetParentRef;
  applysetId: string;
  parentLive?: KubernetesObject;
  /** The set as the parent last recorded it (empty for a new set). */
  previous: ParentState;
  objects: PlannedObject[];
  prune: PruneCandidate[];
  /** Members the mesh no longer produces that are not pruned: namespaces holding objects meshctl does not manage. */
  kept: KeptObject[];
  /** Namespaces that exist in the cluster now. */
  existingNamespaces: Set<string>;
  /** Live members of the set before this apply (for the mass-prune guard). */
  currentMemberCount: number;
  changes: ObjectChange[];
  unchanged: number;
  summary: ChangeSummary;
  /** Per-object problems found while planning (422 from a dry run, objects of another owner). */
  errors: ClusterError[];
  /** Objects that belong to someone else and were left out. */
  skipped: string[];
}

function isTerminating(object: KubernetesObject): boolean {
  return (object.metadata as { deletionTimestamp?: string }).deletionTimestamp !== undefined;
}

export function objectKey(group: string, kind: string, namespace: string | undefined, name: string): string {
  return `${group}|${kind}|${namespace ?? ''}|${name}`;
}

function keyOf(object: KubernetesObject, info: ResourceInfo): string {
  return objectKey(info.group, info.kind, info.namespaced ? object.metadata.namespace : undefined, object.metadata.name);
}

interface ObjectList {
  items?: KubernetesObject[];
  metadata?: { continue?: string };
}

async function listAll(client: KubeClient, info: ResourceInfo, namespace: string | undefined, labelSelector?: string): Promise<KubernetesObject[]> {
  const items: KubernetesObject[] = [];
  let token: string | undefined;
  do {
    const response = await client.request('GET', resourcePath(info, namespace), {
      query: { labelSelector, limit: '500', continue: token },
    });
    const list = JSON.parse(response.body) as ObjectList;
    // Items of built-in lists carry no apiVersion and kind.
    for (const item of list.items ?? []) items.push({ ...item, apiVersion: info.apiVersion, kind: info.kind });
    token = list.metadata?.continue || undefined;
  } while (token);
  return items;
}

export function applyQuery(options: { dryRun: boolean; force: boolean }): Record<string, string | undefined> {
  return {
    fieldManager: FIELD_MANAGER,
    force: options.force ? 'true' : undefined,
    dryRun: options.dryRun ? 'All' : undefined,
    fieldValidation: 'Strict',
  };
}

/** Server-side apply of one object; the server's answer. */
export async function serverSideApply(
  client: KubeClient,
  info: ResourceInfo,
  object: KubernetesObject,
  options: { dryRun: boolean; force: boolean; fieldManager?: string },
): Promise<KubernetesObject> {
  const response = await client.request('PATCH', resourcePath(info, object.metadata.namespace, object.metadata.name), {
    query: { ...applyQuery(options), fieldManager: options.fieldManager ?? FIELD_MANAGER },
    // JSON is YAML: the apply-patch content type takes either.
    body: JSON.stringify(object),
    contentType: 'application/apply-patch+yaml',
    subject: objectLabel({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name }),
  });
  return JSON.parse(response.body) as KubernetesObject;
}

/** An existing object meshctl must not take over: another ApplySet's member, or another tool's. */
function foreignOwner(live: KubernetesObject, id: string): string | undefined {
  const partOf = live.metadata.labels?.[APPLYSET_PART_OF_LABEL];
  if (partOf !== undefined && partOf !== id) return `belongs to another ApplySet (${partOf})`;
  const managedBy = live.metadata.labels?.[MANAGED_BY_LABEL];
  if (managedBy !== undefined && managedBy !== TOOL_NAME) return `is managed by "${managedBy}"`;
  return undefined;
}

const isNamespaceInfo = (info: ResourceInfo) => info.group === '' && info.kind === 'Namespace';

/**
 * What meshctl applies to a namespace that is not the set's own: the compiled labels (sidecar
 * injection and the like), not meshctl's ownership labels, not its annotations.
 */
function namespaceLabelsOnly(object: KubernetesObject): KubernetesObject | undefined {
  const labels = { ...object.metadata.labels };
  delete labels[MANAGED_BY_LABEL];
  delete labels[APPLYSET_PART_OF_LABEL];
  if (Object.keys(labels).length === 0) return undefined;
  return { apiVersion: object.apiVersion, kind: object.kind, metadata: { name: object.metadata.name, labels } };
}

export async function planChanges(client: KubeClient, compiled: readonly KubernetesObject[], options: PlanOptions): Promise<ChangePlan> {
  const discovery = new Discovery(client);
  const parentRef = options.applyset;
  const id = applySetId({ name: parentRef.name, namespace: parentRef.namespace, kind: parentRef.kind, group: '' });
  const sorted = [...compiled].sort(compareObjects);

  // Discovery first: a missing CRD is one clear error before anything else is asked.
  const infos = await Promise.all(sorted.map((object) => discovery.resolve(object.apiVersion, object.kind)));
  const parentInfo = await discovery.resolve('v1', parentRef.kind);

  const parentResponse = await client.request('GET', resourcePath(parentInfo, parentRef.namespace, parentRef.name), { accept: [404] });
  const parentLive = parentResponse.status === 404 ? undefined : ({ ...JSON.parse(parentResponse.body), apiVersion: 'v1', kind: parentRef.kind } as KubernetesObject);
  const previous: ParentState = parentLive ? readParent(parentLive, parentRef, id) : { groupKinds: [], namespaces: [parentRef.namespace] };

  // What to LIST: every kind and namespace the mesh writes to, whole (an object someone else
  // created there must be seen before it is taken over), and every kind and namespace the set had,
  // by its membership label (prune candidates).
  const selector = `${APPLYSET_PART_OF_LABEL}=${id}`;
  const lists = new Map<string, { info: ResourceInfo; namespace?: string; labelSelector?: string }>();
  const listKey = (info: ResourceInfo, namespace: string | undefined) => `${info.apiVersion}|${info.resource}|${namespace ?? ''}`;
  sorted.forEach((object, index) => {
    const info = infos[index]!;
    const namespace = info.namespaced ? object.metadata.namespace : undefined;
    lists.set(listKey(info, namespace), { info, namespace });
  });
  const namespaceInfo = await discovery.resolve('v1', 'Namespace');
  lists.set(listKey(namespaceInfo, undefined), { info: namespaceInfo });
  for (const text of previous.groupKinds) {
    const { group, kind } = parseGroupKind(text);
    const info = await discovery.resolveGroupKind(group, kind);
    if (!info) continue; // the kind is gone from the cluster, and its objects with it
    for (const namespace of info.namespaced ? previous.namespaces : [undefined]) {
      const key = listKey(info, namespace);
      if (!lists.has(key)) lists.set(key, { info, namespace, labelSelector: selector });
    }
  }
  const listed = await Promise.all([...lists.values()].map(async (task) => ({ task, items: await listAll(client, task.info, task.namespace, task.labelSelector) })));

  const live = new Map<string, { info: ResourceInfo; object: KubernetesObject }>();
  const existingNamespaces = new Set<string>();
  for (const { task, items } of listed) {
    for (const item of items) {
      live.set(keyOf(item, task.info), { info: task.info, object: item });
      if (task.info.group === '' && task.info.kind === 'Namespace') existingNamespaces.add(item.metadata.name);
    }
  }

  const errors: ClusterError[] = [];
  const skipped: string[] = [];
  const objects: PlannedObject[] = [];
  const desiredKeys = new Set<string>();
  const labelsManager = namespaceLabelsFieldManager(id);
  const where = `ApplySet ${parentRef.namespace}/${parentRef.name}`;
  sorted.forEach((object, index) => {
    const info = infos[index]!;
    const key = keyOf(object, info);
    desiredKeys.add(key);
    const label = objectLabel({ kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name });
    const current = live.get(key)?.object;
    const member = (action: PlannedObject['action'], desired: KubernetesObject) =>
      objects.push({ desired, info, live: current, action, mode: 'member', fieldManager: FIELD_MANAGER, conflicts: [], dryRunSkipped: false });
    if (!current) {
      member('create', withMembership(object, id));
      return;
    }
    const desired = withMembership(object, id);
    const owner = foreignOwner(current, id);
    if (isMember(current, id) && !owner) {
      member(!isTerminating(current) && appliesUnchanged(desired, current) ? 'unchanged' : 'change', desired);
      return;
    }
    if (!owner && options.adopt) {
      member('adopt', desired);
      return;
    }
    if (isNamespaceInfo(info)) {
      // A namespace meshctl did not create for this set: it may get the mesh's labels, never a
      // membership, and so it is never pruned.
      const labels = namespaceLabelsOnly(object);
      if (!labels) return;
      objects.push({
        desired: labels,
        info,
        live: current,
        action: !isTerminating(current) && appliesUnchanged(labels, current, labelsManager) ? 'unchanged' : 'change',
        mode: 'labels',
        fieldManager: labelsManager,
        conflicts: [],
        dryRunSkipped: false,
      });
      return;
    }
    const reason = owner
      ? `${label} ${owner}; meshctl does not take it over`
      : `${label} exists and was not created by meshctl for ${where}; meshctl does not take it over (--adopt makes it a member of the set, to be changed and pruned with it)`;
    errors.push(new ClusterError(reason, 'refused'));
    skipped.push(key);
  });

  // Dry runs, for what may change. The client bounds the requests in flight.
  const predicted = new Set<PlannedObject>();
  await Promise.all(
    objects.map(async (planned) => {
      if (planned.action === 'unchanged') return;
      const known = planned.live && !isTerminating(planned.live) ? predictAnnotationValueChange(planned.desired, planned.live) : undefined;
      if (known) {
        planned.after = known;
        predicted.add(planned);
        return;
      }
      const namespace = planned.info.namespaced ? planned.desired.metadata.namespace : undefined;
      if (namespace && !existingNamespaces.has(namespace)) {
        // The namespace is created by this apply: the server cannot dry-run into it yet.
        planned.after = planned.desired;
        planned.dryRunSkipped = true;
        return;
      }
      try {
        // Without force first, so that conflicts are known (and reported) even when they will be taken over.
        planned.after = await serverSideApply(client, planned.info, planned.desired, { dryRun: true, force: false, fieldManager: planned.fieldManager });
      } catch (error) {
        if (!(error instanceof ClusterError) || error.fatal || error.kind === 'forbidden') throw error;
        if (planned.action === 'create' && error.kind === 'conflict') {
          // Listed as absent, yet the dry run met another manager's fields: someone created the
          // object between the list and the dry run (another apply racing for a new namespace).
          const subject = objectLabel({ kind: planned.desired.kind, namespace: planned.info.namespaced ? planned.desired.metadata.namespace : undefined, name: planned.desired.metadata.name });
          const live = await readLive(client, planned.info, planned.desired, subject);
          if (!live || !isMember(live, id)) {
            errors.push(createdMeanwhile(subject, live));
            return;
          }
          // Created by another apply of this same set: this apply changes it as usual.
          planned.live = live;
          planned.action = 'change';
          try {
            planned.after = await serverSideApply(client, planned.info, planned.desired, { dryRun: true, force: true, fieldManager: planned.fieldManager });
          } catch (retryError) {
            if (!(retryError instanceof ClusterError) || retryError.fatal || retryError.kind === 'forbidden') throw retryError;
            errors.push(retryError);
          }
          return;
        }
        if (error.kind === 'conflict' && error.conflicts.length > 0) {
          planned.conflicts = [...error.conflicts];
          try {
            planned.after = await serverSideApply(client, planned.info, planned.desired, { dryRun: true, force: true, fieldManager: planned.fieldManager });
          } catch (retryError) {
            if (!(retryError instanceof ClusterError) || retryError.fatal || retryError.kind === 'forbidden') throw retryError;
            errors.push(retryError);
          }
          return;
        }
        errors.push(error);
      }
    }),
  );
  for (const planned of objects) {
    // A predicted answer differs from the live object by construction.
    if (
      planned.action === 'change' &&
      planned.after &&
      planned.live &&
      !predicted.has(planned) &&
      !(planned.mode === 'member' && hasUnrecordedCreate(planned.live)) &&
      deepEqual(normalizeObject(planned.after), normalizeObject(planned.live))
    ) {
      planned.action = 'unchanged';
    }
  }

  // Prune candidates: members of this set that the mesh no longer produces.
  const candidates: PruneCandidate[] = [];
  let currentMemberCount = 0;
  for (const [key, { info, object }] of live) {
    if (!isMember(object, id)) continue;
    currentMemberCount++;
    if (desiredKeys.has(key) || skipped.includes(key) || isTerminating(object)) continue;
    const managedBy = object.metadata.labels?.[MANAGED_BY_LABEL];
    if (managedBy !== undefined && managedBy !== TOOL_NAME) continue;
    candidates.push({ info, live: object });
  }
  candidates.sort((a, b) => compareObjects(a.live, b.live));
  // Deleting a namespace deletes everything in it: one that holds anything but the members
  // pruned with it is left in place.
  const { prune, kept } = await keepOccupiedNamespaces(client, candidates, id);

  const changes: ObjectChange[] = [];
  for (const planned of objects) {
    if (planned.action === 'unchanged' || !planned.after) continue;
    changes.push({
      action: planned.action,
      ...(planned.mode === 'labels' ? { note: 'labels only: the namespace is not a member of the ApplySet (meshctl did not create it) and is never pruned' } : {}),
      apiVersion: planned.desired.apiVersion,
      kind: planned.desired.kind,
      namespace: planned.info.namespaced ? planned.desired.metadata.namespace : undefined,
      name: planned.desired.metadata.name,
      before: planned.live,
      after: planned.after,
      conflicts: planned.conflicts,
    });
  }
  for (const candidate of prune) {
    changes.push({
      action: 'delete',
      apiVersion: candidate.info.apiVersion,
      kind: candidate.info.kind,
      namespace: candidate.info.namespaced ? candidate.live.metadata.namespace : undefined,
      name: candidate.live.metadata.name,
      before: candidate.live,
      conflicts: [],
    });
  }
  const unchanged = objects.filter((planned) => planned.action === 'unchanged').length;
  return {
    client,
    parentRef,
    applysetId: id,
    parentLive,
    previous,
    objects,
    prune,
    kept,
    existingNamespaces,
    currentMemberCount,
    changes,
    unchanged,
    summary: summarize(changes, unchanged),
    errors,
    skipped,
  };
}

/** The group-kinds and namespaces of the objects the mesh produces. */
export function desiredSet(plan: ChangePlan): { groupKinds: string[]; namespaces: string[] } {
  const groupKinds = new Set<string>();
  const namespaces = new Set<string>([plan.parentRef.namespace]);
  for (const planned of plan.objects) {
    groupKinds.add(formatGroupKind(planned.info));
    if (planned.info.namespaced && planned.desired.metadata.namespace) namespaces.add(planned.desired.metadata.namespace);
  }
  return { groupKinds: [...groupKinds], namespaces: [...namespaces] };
}

/**
 * Splits prune candidates into those to delete and namespaces to keep: a namespace goes only when
 * every object in it is a member of this set pruned along with it (or something Kubernetes itself
 * puts in every namespace). Anything else in it — another tool's Deployment, another ApplySet's
 * object, a ConfigMap created by hand — or a kind that cannot be listed keeps the namespace.
 */
export async function keepOccupiedNamespaces(
  client: KubeClient,
  candidates: readonly PruneCandidate[],
  id: string,
): Promise<{ prune: PruneCandidate[]; kept: KeptObject[] }> {
  const namespaces = candidates.filter((candidate) => isNamespaceInfo(candidate.info));
  if (namespaces.length === 0) return { prune: [...candidates], kept: [] };
  const pruned = new Set(candidates.map((candidate) => keyOf(candidate.live, candidate.info)));
  const prunedWithIt = (object: KubernetesObject, info: ResourceInfo) => isMember(object, id) && pruned.has(keyOf(object, info));
  const kept: KeptObject[] = [];
  await Promise.all(
    namespaces.map(async (candidate) => {
      const found = await findUnmanagedObjects(client, candidate.live.metadata.name, prunedWithIt);
      if (found.length > 0) kept.push({ ...candidate, reason: `it holds objects meshctl does not manage for this ApplySet (${found.join(', ')})` });
    }),
  );
  kept.sort((a, b) => compareObjects(a.live, b.live));
  const keptNames = new Set(kept.map((entry) => entry.live.metadata.name));
  return { prune: candidates.filter((candidate) => !(isNamespaceInfo(candidate.info) && keptNames.has(candidate.live.metadata.name))), kept };
}

export async function readLive(client: KubeClient, info: ResourceInfo, desired: KubernetesObject, subject: string): Promise<KubernetesObject | undefined> {
  const response = await client.request('GET', resourcePath(info, desired.metadata.namespace, desired.metadata.name), { subject, accept: [404] });
  return response.status === 404 ? undefined : (JSON.parse(response.body) as KubernetesObject);
}

/** The one line for an apply that lost a race: the object it was about to create appeared meanwhile. */
export function createdMeanwhile(subject: string, live: KubernetesObject | undefined): ClusterError {
  return new ClusterError(`${subject} was created by ${ownerOf(live)} while this apply ran; meshctl does not take it over and wrote nothing in it: run the apply again`, 'refused');
}

/** Who created the object meshctl was about to create. */
function ownerOf(live: KubernetesObject | undefined): string {
  const partOf = live?.metadata.labels?.[APPLYSET_PART_OF_LABEL];
  const managedBy = live?.metadata.labels?.[MANAGED_BY_LABEL];
  if (partOf !== undefined) return `another ApplySet (${partOf})`;
  if (managedBy !== undefined && managedBy !== TOOL_NAME) return `"${managedBy}"`;
  return 'someone else';
}
