// The ApplySet convention (KEP-3659) as kubectl computes it: the parent's id, its annotations, and
// the membership label. Pure: the parent is read and written by plan.ts and apply.ts.
import { createHash } from 'node:crypto';
import { compareStrings } from '../diagnostics/types.js';
import type { KubernetesObject } from '../output/manifest.js';
import { ClusterError } from './errors.js';
import { MANAGED_BY_LABEL } from '../common/managed-by.js';

export const APPLYSET_ID_LABEL = 'applyset.kubernetes.io/id';
export const APPLYSET_PART_OF_LABEL = 'applyset.kubernetes.io/part-of';
export const APPLYSET_TOOLING_ANNOTATION = 'applyset.kubernetes.io/tooling';
export const APPLYSET_GROUP_KINDS_ANNOTATION = 'applyset.kubernetes.io/contains-group-kinds';
export const APPLYSET_NAMESPACES_ANNOTATION = 'applyset.kubernetes.io/additional-namespaces';
export const SOURCE_COMMIT_ANNOTATION = 'meshctl.dev/source-commit';
export const VERSION_ANNOTATION = 'meshctl.dev/version';
export { MANAGED_BY_LABEL };
export const TOOL_NAME = 'meshctl';
export const FIELD_MANAGER = 'meshctl';

/** Istio's root namespace: it exists wherever Istio is installed, and mesh-wide objects live there. */
export const DEFAULT_APPLYSET_NAMESPACE = 'istio-system';

export interface ApplySetParentRef {
  kind: 'Secret' | 'ConfigMap';
  /** The plural resource, for URLs. */
  resource: 'secrets' | 'configmaps';
  namespace: string;
  name: string;
}

export interface GroupKind {
  group: string;
  kind: string;
}

/** The default parent name for a mesh: `meshctl-<Mesh metadata.name>`. */
export function defaultApplySetName(meshName: string | undefined): string {
  return `meshctl-${meshName ?? 'mesh'}`;
}

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;

/**
 * `--applyset`: `NAME`, `NAMESPACE/NAME`, or `secrets/NAMESPACE/NAME` / `configmaps/NAMESPACE/NAME`.
 */
export function parseApplySetRef(reference: string, defaultNamespace = DEFAULT_APPLYSET_NAMESPACE): ApplySetParentRef {
  const parts = reference.split('/');
  let resource: ApplySetParentRef['resource'] = 'secrets';
  let namespace = defaultNamespace;
  let name: string;
  if (parts.length === 1) [name] = parts as [string];
  else if (parts.length === 2) [namespace, name] = parts as [string, string];
  else if (parts.length === 3) {
    const [kind, ns, n] = parts as [string, string, string];
    const normalised = kind.toLowerCase();
    if (['secret', 'secrets'].includes(normalised)) resource = 'secrets';
    else if (['configmap', 'configmaps'].includes(normalised)) resource = 'configmaps';
    else throw new ClusterError(`--applyset ${reference}: the parent must be a secret or a configmap, not "${kind}"`);
    namespace = ns;
    name = n;
  } else {
    throw new ClusterError(`--applyset ${reference}: expected NAME, NAMESPACE/NAME or secrets|configmaps/NAMESPACE/NAME`);
  }
  if (!DNS_SUBDOMAIN.test(name)) throw new ClusterError(`--applyset ${reference}: "${name}" is not a valid object name`);
  if (!DNS_LABEL.test(namespace)) throw new ClusterError(`--applyset ${reference}: "${namespace}" is not a valid namespace name`);
  return { kind: resource === 'secrets' ? 'Secret' : 'ConfigMap', resource, namespace, name };
}

/**
 * `applyset-<base64url(sha256(<name>.<namespace>.<kind>.<group>))>-v1`, unpadded, exactly as
 * kubectl's ApplySet.ID() (k8s.io/kubectl/pkg/cmd/apply/applyset.go). Secret and ConfigMap are in
 * the core group, whose name is empty: the string ends with a dot.
 */
export function applySetId(parent: { name: string; namespace: string; kind: string; group?: string }): string {
  const unencoded = [parent.name, parent.namespace, parent.kind, parent.group ?? ''].join('.');
  const digest = createHash('sha256').update(unencoded).digest('base64url');
  return `applyset-${digest}-v1`;
}

/** `VirtualService.networking.istio.io`, or `Namespace` for the core group. */
export function formatGroupKind({ group, kind }: GroupKind): string {
  return group === '' ? kind : `${kind}.${group}`;
}

/** As kubectl's schema.ParseGroupKind: the kind is up to the first dot. */
export function parseGroupKind(text: string): GroupKind {
  const dot = text.indexOf('.');
  return dot === -1 ? { kind: text, group: '' } : { kind: text.slice(0, dot), group: text.slice(dot + 1) };
}

export function groupKindsAnnotation(groupKinds: Iterable<string>): string {
  return [...new Set(groupKinds)].sort(compareStrings).join(',');
}

export function namespacesAnnotation(namespaces: Iterable<string>, parentNamespace: string): string {
  return [...new Set(namespaces)].filter((ns) => ns !== '' && ns !== parentNamespace).sort(compareStrings).join(',');
}

function splitList(value: string | undefined): string[] {
  return value ? value.split(',').filter((item) => item !== '') : [];
}

/** What a live parent says about the set as of the last apply. */
export interface ParentState {
  groupKinds: string[];
  /** The parent's namespace and the additional ones. */
  namespaces: string[];
}

/** Checks that a live parent is ours and reads it; refuses parents of another tool or id. */
export function readParent(live: KubernetesObject, ref: ApplySetParentRef, id: string): ParentState {
  const where = `${ref.kind} ${ref.namespace}/${ref.name}`;
  const annotations = live.metadata.annotations ?? {};
  const labels = live.metadata.labels ?? {};
  const tooling = annotations[APPLYSET_TOOLING_ANNOTATION];
  if (tooling === undefined) {
    throw new ClusterError(`the ApplySet parent ${where} exists but is not an ApplySet parent (no ${APPLYSET_TOOLING_ANNOTATION} annotation); choose another --applyset`, 'refused');
  }
  const toolName = tooling.includes('/') ? tooling.slice(0, tooling.lastIndexOf('/')) : tooling;
  if (toolName !== TOOL_NAME) {
    throw new ClusterError(`the ApplySet parent ${where} is managed by "${toolName}", not meshctl; choose another --applyset`, 'refused');
  }
  if (labels[APPLYSET_ID_LABEL] !== id) {
    throw new ClusterError(`the ApplySet parent ${where} has label ${APPLYSET_ID_LABEL}=${labels[APPLYSET_ID_LABEL] ?? '(none)'}, expected ${id}`, 'refused');
  }
  return {
    groupKinds: splitList(annotations[APPLYSET_GROUP_KINDS_ANNOTATION]),
    namespaces: [ref.namespace, ...splitList(annotations[APPLYSET_NAMESPACES_ANNOTATION])],
  };
}

export interface ParentContent {
  groupKinds: Iterable<string>;
  namespaces: Iterable<string>;
  version: string;
  commit?: string;
}

/** The parent as meshctl applies it: only the fields the ApplySet specification and meshctl own. */
export function buildParent(ref: ApplySetParentRef, id: string, content: ParentContent): KubernetesObject {
  const annotations: Record<string, string> = {
    [APPLYSET_NAMESPACES_ANNOTATION]: namespacesAnnotation(content.namespaces, ref.namespace),
    [APPLYSET_GROUP_KINDS_ANNOTATION]: groupKindsAnnotation(content.groupKinds),
    [APPLYSET_TOOLING_ANNOTATION]: `${TOOL_NAME}/v${content.version.replace(/^v/, '')}`,
    [VERSION_ANNOTATION]: content.version.replace(/^v/, ''),
  };
  if (content.commit) annotations[SOURCE_COMMIT_ANNOTATION] = content.commit;
  return {
    apiVersion: 'v1',
    kind: ref.kind,
    metadata: {
      name: ref.name,
      namespace: ref.namespace,
      labels: { [APPLYSET_ID_LABEL]: id, [MANAGED_BY_LABEL]: TOOL_NAME },
      annotations,
    },
  };
}

/**
 * The field manager of the labels meshctl sets on a namespace that is not its own (one that existed
 * before, or another ApplySet's): one per ApplySet, so that two meshes sharing a namespace each own
 * their labels and neither apply removes the other's.
 */
export function namespaceLabelsFieldManager(id: string): string {
  return `${FIELD_MANAGER}/${id}`;
}

/** Whether a live object is a member of the ApplySet `id`: meshctl created it for the set, or it was adopted. */
export function isMember(live: KubernetesObject, id: string): boolean {
  return live.metadata.labels?.[APPLYSET_PART_OF_LABEL] === id;
}

/** A member as meshctl applies it: the compiled object plus the part-of label. */
export function withMembership(object: KubernetesObject, id: string): KubernetesObject {
  return { ...object, metadata: { ...object.metadata, labels: { ...object.metadata.labels, [APPLYSET_PART_OF_LABEL]: id } } };
}
