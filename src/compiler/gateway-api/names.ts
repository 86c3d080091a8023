// Names of the Gateway API target's own objects. The Gateway API has no subsets: a route sends a
// version's share to a Kubernetes Service of its own, `<service>-<version>`, in the service's
// namespace. Every name is a DNS label of at most 63 characters; a name that would be longer, or
// that another object of the same kind and namespace would also get (a mesh service already called
// `reviews-v2`, two services whose names run together), is shortened and ends in the first 8 hex
// digits of the SHA-256 of what it stands for, so the same mesh always gives the same names.
import { createHash } from 'node:crypto';
import { compareStrings } from '../../diagnostics/types.js';
import { memoizeByObject } from '../../model/memoize.js';
import type { MeshModel, ServiceNode } from '../../model/mesh-model.js';
import type { ServicePortT } from '../../schema/resources.js';
import { isDnsLabel, MAX_COMPILED_NAME_LENGTH, portName } from '../../model/names.js';
import { isHttpFamily } from '../../model/ports.js';

const HASH_LENGTH = 8;

function hashed(readable: string, identity: string): string {
  const hash = createHash('sha256').update(identity).digest('hex').slice(0, HASH_LENGTH);
  const head = readable.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, MAX_COMPILED_NAME_LENGTH - HASH_LENGTH - 1).replace(/-+$/, '');
  return head === '' ? hash : `${head}-${hash}`;
}

/**
 * Readable names where they are DNS labels and unique within their namespace (and not in `taken`),
 * hashed ones for the rest. `wanted` is [namespace, readable, identity].
 */
function assign(wanted: readonly (readonly [string, string, string])[], taken: ReadonlySet<string>): Map<string, string> {
  const counts = new Map<string, number>();
  for (const [namespace, readable] of wanted) counts.set(`${namespace}/${readable}`, (counts.get(`${namespace}/${readable}`) ?? 0) + 1);
  const names = new Map<string, string>();
  for (const [namespace, readable, identity] of wanted) {
    const key = `${namespace}/${readable}`;
    const clash = counts.get(key)! > 1 || taken.has(key);
    names.set(identity, !clash && isDnsLabel(readable) ? readable : hashed(readable, identity));
  }
  return names;
}

/** The versions of each service that get a Service of their own: every version the mesh defines. */
export const versionServiceNames: (model: MeshModel) => ReadonlyMap<string, string> = memoizeByObject((model: MeshModel) => {
  const wanted: [string, string, string][] = [];
  for (const service of model.services) {
    for (const version of Object.keys(service.resource.spec.versions ?? {}).sort(compareStrings)) {
      wanted.push([service.namespace, `${service.name}-${version}`, versionKey(service, version)]);
    }
  }
  // The mesh's own services (and the Kubernetes Services named after them) keep their names.
  const taken = new Set([...model.services, ...model.externalServices].map((node) => `${node.namespace}/${node.name}`));
  return assign(wanted, taken);
});

function versionKey(service: Pick<ServiceNode, 'namespace' | 'name'>, version: string): string {
  return `${service.namespace}/${service.name}/${version}`;
}

/** The Kubernetes Service that stands for one version of a service. */
export function versionServiceName(model: MeshModel, service: Pick<ServiceNode, 'namespace' | 'name'>, version: string): string {
  const name = versionServiceNames(model).get(versionKey(service, version));
  if (name === undefined) throw new Error(`${service.namespace}/${service.name}: version "${version}" is not defined; validation should have refused it`);
  return name;
}

/**
 * The route object of one port of a service (HTTPRoute, GRPCRoute or TCPRoute): the service's name
 * when it has one port of that family, else `<service>-<port name>`.
 */
export const routeObjectNames: (model: MeshModel) => ReadonlyMap<string, string> = memoizeByObject((model: MeshModel) => {
  const wanted: [string, string, string][] = [];
  for (const service of model.services) {
    for (const family of ['http', 'grpc', 'stream'] as const) {
      const ports = service.resource.spec.ports.filter((port) => portFamily(port) === family);
      for (const port of ports) wanted.push([`${service.namespace}#${family}`, ports.length === 1 ? service.name : `${service.name}-${portName(port)}`, routeKey(service, port.port)]);
    }
  }
  return assign(wanted, new Set());
});

function routeKey(service: Pick<ServiceNode, 'namespace' | 'name'>, port: number): string {
  return `${service.namespace}/${service.name}:${port}`;
}

export function routeObjectName(model: MeshModel, service: ServiceNode, port: number): string {
  return routeObjectNames(model).get(routeKey(service, port))!;
}

/** Which route kind carries a port's traffic. */
export function portFamily(port: Pick<ServicePortT, 'protocol'>): 'http' | 'grpc' | 'stream' {
  if (port.protocol === 'grpc') return 'grpc';
  return isHttpFamily(port) ? 'http' : 'stream';
}

/** A name of at most 63 characters for the ingress route or ReferenceGrant `readable`, unique by `identity`. */
export function boundedName(readable: string, identity: string): string {
  return isDnsLabel(readable) ? readable : hashed(readable, identity);
}
