// Which kinds the cluster serves, and how: one discovery request per group/version meshctl needs
// (not a full discovery sweep), giving each kind's plural resource name and scope.
import type { KubeClient } from './client.js';
import { ClusterError } from './errors.js';

export interface ResourceInfo {
  apiVersion: string;
  group: string;
  version: string;
  kind: string;
  /** The plural resource name used in URLs, e.g. `virtualservices`. */
  resource: string;
  namespaced: boolean;
}

interface ApiResourceList {
  resources?: { name: string; kind: string; namespaced: boolean }[];
}

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

export function groupVersionPath(apiVersion: string): string {
  const { group } = splitApiVersion(apiVersion);
  return group === '' ? `/api/${apiVersion}` : `/apis/${apiVersion}`;
}

/** The URL of a collection (namespace given and the kind namespaced) or of one object. */
export function resourcePath(info: ResourceInfo, namespace: string | undefined, name?: string): string {
  const scope = info.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${groupVersionPath(info.apiVersion)}${scope}/${info.resource}${name === undefined ? '' : `/${encodeURIComponent(name)}`}`;
}

export function unservedMessage(apiVersion: string, kind: string): string {
  const { group } = splitApiVersion(apiVersion);
  const hint = group.endsWith('istio.io') ? ': is Istio installed?' : '';
  return `the cluster serves no ${apiVersion} ${kind}${hint}`;
}

export class Discovery {
  private readonly groups = new Map<string, Promise<Map<string, ResourceInfo> | undefined>>();

  constructor(private readonly client: KubeClient) {}

  private groupVersion(apiVersion: string): Promise<Map<string, ResourceInfo> | undefined> {
    let pending = this.groups.get(apiVersion);
    if (!pending) {
      pending = (async () => {
        const response = await this.client.request('GET', groupVersionPath(apiVersion), { accept: [404] });
        if (response.status === 404) return undefined;
        const list = JSON.parse(response.body) as ApiResourceList;
        const { group, version } = splitApiVersion(apiVersion);
        const kinds = new Map<string, ResourceInfo>();
        for (const resource of list.resources ?? []) {
          if (resource.name.includes('/')) continue; // subresources: status, scale
          kinds.set(resource.kind, { apiVersion, group, version, kind: resource.kind, resource: resource.name, namespaced: resource.namespaced });
        }
        return kinds;
      })();
      this.groups.set(apiVersion, pending);
    }
    return pending;
  }

  /** The served resource of a kind, or the "is Istio installed?" error. */
  async resolve(apiVersion: string, kind: string): Promise<ResourceInfo> {
    const info = (await this.groupVersion(apiVersion))?.get(kind);
    if (!info) throw new ClusterError(unservedMessage(apiVersion, kind), 'unserved');
    return info;
  }

  /** The resource when served, else undefined (for kinds listed by an older ApplySet). */
  async find(apiVersion: string, kind: string): Promise<ResourceInfo | undefined> {
    return (await this.groupVersion(apiVersion))?.get(kind);
  }

  /**
   * A group-kind from an ApplySet annotation (`VirtualService.networking.istio.io`), at the group's
   * preferred version.
   */
  async resolveGroupKind(group: string, kind: string): Promise<ResourceInfo | undefined> {
    if (group === '') return this.find('v1', kind);
    const response = await this.client.request('GET', `/apis/${group}`, { accept: [404] });
    if (response.status === 404) return undefined;
    const description = JSON.parse(response.body) as { preferredVersion?: { groupVersion: string }; versions?: { groupVersion: string }[] };
    const versions = [description.preferredVersion?.groupVersion, ...(description.versions ?? []).map((v) => v.groupVersion)];
    for (const groupVersion of versions) {
      if (!groupVersion) continue;
      const info = await this.find(groupVersion, kind);
      if (info) return info;
    }
    return undefined;
  }
}
