// The hosts each gateway serves exposed services on, and which services, under which paths.
// A gateway must see one VirtualService per host (Istio merges several VirtualServices for one host
// unreliably, and the result can change with creation order), so `expose` entries are grouped here
// by (gateway, host) rather than by service: the emitter writes one VirtualService per group, the
// naming rules predict its name, and MESH227 checks that the services of one group do not overlap.
import { compareStrings } from '../diagnostics/types.js';
import type { GatewayNode, MeshModel, ServiceNode } from './mesh-model.js';

/** The path prefix an exposure uses when it lists none. */
export const DEFAULT_EXPOSED_PATH = '/';

/** Which requests an exposed path takes: those to exactly this path, or to every path starting with it. */
export interface ExposedPathMatch {
  readonly kind: 'exact' | 'prefix';
  readonly value: string;
}

/** One path (exact or prefix) a service is exposed under on a host, and where the mesh file says so. */
export interface ExposedPath extends ExposedPathMatch {
  /** Index in `spec.expose`. */
  readonly exposure: number;
  /** Index in that exposure's `paths`; undefined when `paths` is left to its default, "/". */
  readonly path?: number;
  /** Index of the host in that exposure's `hosts`. */
  readonly host: number;
}

export interface HostExposure {
  readonly service: ServiceNode;
  /** Distinct prefixes, in the order the service's exposures list them. */
  readonly paths: readonly ExposedPath[];
}

export interface GatewayHost {
  readonly gateway: GatewayNode;
  /** In lower case: hosts compare case-insensitively, as DNS does. */
  readonly host: string;
  /** The services exposed on this host of this gateway, in the model's order: the order their routes are tried in. */
  readonly exposures: readonly HostExposure[];
}

/**
 * Every (gateway, host) that some service is exposed on: gateways in the model's order, hosts in
 * name order. Exposures naming a gateway the mesh does not declare are left out (MESH205 reports
 * them).
 */
export function gatewayHosts(model: MeshModel): GatewayHost[] {
  const byGateway = new Map<GatewayNode, Map<string, Map<ServiceNode, ExposedPath[]>>>();
  for (const service of model.services) {
    service.resource.spec.expose?.forEach((exposure, e) => {
      const gateway = model.findGateway(exposure.gateway, service.namespace);
      if (!gateway) return;
      const hosts = byGateway.get(gateway) ?? new Map<string, Map<ServiceNode, ExposedPath[]>>();
      byGateway.set(gateway, hosts);
      exposure.hosts.forEach((written, h) => {
        const host = written.toLowerCase();
        const services = hosts.get(host) ?? new Map<ServiceNode, ExposedPath[]>();
        hosts.set(host, services);
        const paths = services.get(service) ?? [];
        services.set(service, paths);
        const add = (match: ExposedPathMatch | undefined, path?: number) => {
          if (match === undefined) return;
          if (!paths.some((known) => known.kind === match.kind && known.value === match.value)) paths.push({ ...match, exposure: e, ...(path !== undefined ? { path } : {}), host: h });
        };
        if (exposure.paths?.length) exposure.paths.forEach((written, p) => add(exposedPathMatch(written), p));
        else add({ kind: 'prefix', value: DEFAULT_EXPOSED_PATH });
      });
    });
  }
  const result: GatewayHost[] = [];
  for (const gateway of model.gateways) {
    const hosts = byGateway.get(gateway);
    if (!hosts) continue;
    for (const host of [...hosts.keys()].sort(compareStrings)) {
      const exposures = [...hosts.get(host)!].map(([service, paths]) => ({ service, paths }));
      result.push({ gateway, host, exposures });
    }
  }
  return result;
}

/**
 * An `expose.paths` entry as a match: a string is a prefix; an object its one key. An object with
 * none or several keys is undefined (MESH305 reports it).
 */
export function exposedPathMatch(written: string | { readonly exact?: string | undefined; readonly prefix?: string | undefined }): ExposedPathMatch | undefined {
  if (typeof written === 'string') return { kind: 'prefix', value: written };
  if (written.exact !== undefined && written.prefix === undefined) return { kind: 'exact', value: written.exact };
  if (written.prefix !== undefined && written.exact === undefined) return { kind: 'prefix', value: written.prefix };
  return undefined;
}

/** How an exposed path reads in messages and labels: "/cart" for a prefix, "= /login" for an exact path. */
export function describeExposedPath(match: ExposedPathMatch): string {
  return match.kind === 'exact' ? `= ${match.value}` : match.value;
}
