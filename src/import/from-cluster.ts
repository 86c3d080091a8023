// Reads the objects `meshctl import` needs straight from a cluster, through the kubeconfig (the
// same client, credentials and timeouts as diff and apply): one LIST per kind and namespace, or
// per kind across all namespaces. A kind the cluster does not serve is skipped (an Istio kind
// then says Istio is not installed). Findings name each object by kind/namespace/name.
import { Discovery, KubeClient } from '../cluster/index.js';
import { resourcePath } from '../cluster/discovery.js';
import { loadKubeConfig } from '../cluster/kubeconfig.js';
import { ISTIO_KINDS } from './import-mesh.js';
import { clusterObject, type InputObject } from './read-objects.js';

/** The kinds read, at the versions asked for. */
const KINDS: readonly (readonly [string, string])[] = [
  ...ISTIO_KINDS.map((kind) => [kind === 'AuthorizationPolicy' || kind === 'PeerAuthentication' || kind === 'RequestAuthentication' ? 'security.istio.io/v1' : kind === 'Telemetry' ? 'telemetry.istio.io/v1' : kind === 'EnvoyFilter' ? 'networking.istio.io/v1alpha3' : 'networking.istio.io/v1', kind] as const),
  ['v1', 'Service'],
  ['apps/v1', 'Deployment'],
  ['v1', 'ConfigMap'],
];

export interface ClusterReadOptions {
  kubeconfig?: string;
  context?: string;
  /** Namespaces to read; empty: every namespace. */
  namespaces: readonly string[];
  requestTimeoutMs?: number;
}

export async function readClusterObjects(options: ClusterReadOptions): Promise<{ objects: InputObject[]; skipped: string[] }> {
  const client = new KubeClient(loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context }), { timeoutMs: options.requestTimeoutMs });
  try {
    const discovery = new Discovery(client);
    const objects: InputObject[] = [];
    const skipped: string[] = [];
    const scopes = options.namespaces.length > 0 ? [...new Set(options.namespaces)] : [undefined];
    for (const [apiVersion, kind] of KINDS) {
      const info = await discovery.find(apiVersion, kind);
      if (!info) {
        skipped.push(`${apiVersion} ${kind}`);
        continue;
      }
      for (const namespace of scopes) {
        const response = await client.request('GET', resourcePath(info, namespace), { subject: `${kind} in ${namespace ?? 'every namespace'}` });
        const list = JSON.parse(response.body) as { items?: Record<string, unknown>[] };
        // A list's items carry no apiVersion and kind of their own.
        for (const item of list.items ?? []) objects.push(clusterObject({ ...item, apiVersion, kind }));
      }
    }
    // Namespaces give the injection labels.
    const namespaceInfo = await discovery.find('v1', 'Namespace');
    if (namespaceInfo) {
      for (const namespace of scopes) {
        const path = namespace === undefined ? resourcePath(namespaceInfo, undefined) : resourcePath(namespaceInfo, undefined, namespace);
        const response = await client.request('GET', path, { subject: `Namespace ${namespace ?? ''}`, accept: [404] });
        if (response.status === 404) continue;
        const parsed = JSON.parse(response.body) as { items?: Record<string, unknown>[] } & Record<string, unknown>;
        for (const item of parsed.items ?? [parsed]) objects.push(clusterObject({ ...item, apiVersion: 'v1', kind: 'Namespace' }));
      }
    }
    return { objects, skipped };
  } finally {
    client.close();
  }
}
