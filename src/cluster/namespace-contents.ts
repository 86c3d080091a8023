// What a namespace holds, across every kind the cluster serves: before meshctl deletes a namespace
// (and with it everything inside), it makes sure nothing in it is someone else's.
import type { KubernetesObject } from '../output/manifest.js';
import type { KubeClient } from './client.js';
import { groupVersionPath, resourcePath, type ResourceInfo } from './discovery.js';
import { ClusterError } from './errors.js';
import { objectLabel } from './render.js';

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean; verbs?: string[] }[];
}

interface ApiGroupList {
  groups?: { name: string; preferredVersion?: { groupVersion: string } }[];
}

/**
 * Kinds whose objects say nothing about who uses a namespace: events, and metrics derived from pods
 * (the pods themselves are listed).
 */
const IGNORED_GROUP_KINDS = new Set(['|Event', 'events.k8s.io|Event', 'metrics.k8s.io|PodMetrics']);

/** What Kubernetes itself puts into every namespace. */
function isPutThereByKubernetes(object: KubernetesObject, info: ResourceInfo): boolean {
  if (info.group !== '') return false;
  const { name } = object.metadata;
  if (info.kind === 'ConfigMap' && name === 'kube-root-ca.crt') return true;
  if (info.kind === 'ServiceAccount' && name === 'default') return true;
  // Token Secrets of the default service account, on clusters older than 1.24.
  const secret = object as KubernetesObject & { type?: string };
  return info.kind === 'Secret' && secret.type === 'kubernetes.io/service-account-token' && secret.metadata.annotations?.['kubernetes.io/service-account.name'] === 'default';
}

/** Every namespaced kind the cluster can list, at its group's preferred version. */
export async function listableNamespacedResources(client: KubeClient): Promise<ResourceInfo[]> {
  const groups = JSON.parse((await client.request('GET', '/apis')).body) as ApiGroupList;
  const groupVersions = ['v1', ...(groups.groups ?? []).map((group) => group.preferredVersion?.groupVersion).filter((gv): gv is string => gv !== undefined)];
  const lists = await Promise.all(
    groupVersions.map(async (apiVersion) => {
      const response = await client.request('GET', groupVersionPath(apiVersion), { accept: [404, 503] });
      // An aggregated API that is down: its kinds cannot be listed, which keeps the namespace.
      if (response.status !== 200) return [{ apiVersion, unavailable: true } as const];
      const slash = apiVersion.indexOf('/');
      const group = slash === -1 ? '' : apiVersion.slice(0, slash);
      const version = slash === -1 ? apiVersion : apiVersion.slice(slash + 1);
      return ((JSON.parse(response.body) as ApiResourceList).resources ?? [])
        .filter((resource) => resource.namespaced && !resource.name.includes('/') && (resource.verbs ?? []).includes('list'))
        .map((resource): ResourceInfo => ({ apiVersion, group, version, kind: resource.kind, resource: resource.name, namespaced: true }));
    }),
  );
  const resources: ResourceInfo[] = [];
  for (const list of lists) {
    for (const entry of list) {
      if ('unavailable' in entry) throw new ClusterError(`the API ${entry.apiVersion} is unavailable, so what a namespace holds cannot be listed`, 'api');
      if (!IGNORED_GROUP_KINDS.has(`${entry.group}|${entry.kind}`)) resources.push(entry);
    }
  }
  return resources;
}

const SHOWN = 3;

/**
 * The objects in NAMESPACE that deleting it would take along and that `isPrunedWithIt` does not
 * account for, as `Kind namespace/name` (the first few by name, then "and more"), or why they cannot
 * be known. Empty: the namespace holds nothing of anyone else's. Objects that have an owner are
 * left to their owner, which is listed itself; objects already being deleted are gone.
 */
export async function findUnmanagedObjects(
  client: KubeClient,
  namespace: string,
  isPrunedWithIt: (object: KubernetesObject, info: ResourceInfo) => boolean,
): Promise<string[]> {
  let resources: ResourceInfo[];
  try {
    resources = await listableNamespacedResources(client);
  } catch (error) {
    if (!(error instanceof ClusterError) || error.fatal) throw error;
    return [`what it holds cannot be listed (${error.message})`];
  }
  const found: string[] = [];
  const unlistable: string[] = [];
  await Promise.all(
    resources.map(async (info) => {
      // A few of each kind are enough to name; the server lists by name, so these are always the same few.
      const ofThisKind: string[] = [];
      let token: string | undefined;
      try {
        do {
          const response = await client.request('GET', resourcePath(info, namespace), { query: { limit: '250', continue: token } });
          const list = JSON.parse(response.body) as { items?: KubernetesObject[]; metadata?: { continue?: string } };
          for (const item of list.items ?? []) {
            const metadata = item.metadata as KubernetesObject['metadata'] & { ownerReferences?: unknown[]; deletionTimestamp?: string };
            if ((metadata.ownerReferences?.length ?? 0) > 0 || metadata.deletionTimestamp) continue;
            if (isPutThereByKubernetes(item, info) || isPrunedWithIt({ ...item, apiVersion: info.apiVersion, kind: info.kind }, info)) continue;
            ofThisKind.push(objectLabel({ kind: info.kind, namespace, name: item.metadata.name }));
          }
          token = list.metadata?.continue || undefined;
        } while (token && ofThisKind.length <= SHOWN);
      } catch (error) {
        if (!(error instanceof ClusterError) || error.fatal) throw error;
        unlistable.push(info.group === '' ? info.resource : `${info.resource}.${info.group}`);
      }
      found.push(...ofThisKind.slice(0, SHOWN + 1));
    }),
  );
  found.sort();
  const named = found.length > SHOWN ? [...found.slice(0, SHOWN), 'and more'] : found;
  if (unlistable.length > 0) named.push(`${unlistable.sort().join(', ')} that cannot be listed`);
  return named;
}
