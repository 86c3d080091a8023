// The VirtualService that binds an exposed service to its gateways (`expose`). A gateway applies
// only the VirtualServices bound to it, never the service's mesh VirtualService, so this one
// carries the service's own routes too (redirects, CORS, A/B test, canary...): a request from the
// internet is routed as the service's file says, not straight to every version. Each route is
// narrowed to the exposed path prefixes; routes by caller (`from`) never match at a gateway (its
// callers are the gateway itself) and are left out. Gateways send to an explicit port: the
// request arrived on the gateway's port, not on one of the service's.
//
// Several `expose` entries share one VirtualService. When they name different gateways, each match
// names its gateway; when entries on one gateway expose different paths for different hosts, each
// match also names its hosts (an `authority` regex, case-insensitive, any port), so no host gets
// the paths of another. A service without HTTP ports is exposed as a byte stream: TLS routes by SNI
// for tls ports (passthrough listeners), else a TCP route.
import { compareStrings } from '../../../diagnostics/types.js';
import { compiledName } from '../../../model/compiled-names.js';
import { qualify, type MeshModel, type ServiceNode } from '../../../model/mesh-model.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import { API, objectMeta, serviceHost } from '../common.js';
import type { IstioEmitter } from '../index.js';
import { hasHttpPort } from './destinations.js';
import { toIstioHttpRoute } from './http-route.js';
import type { IstioStringMatch, IstioVirtualServiceSpec } from './istio-types.js';
import { isUnconditional, type MatchEntry } from './match.js';
import { planHttpRoutes, type PlannedHttpRoute } from './route-plan.js';
import { PATH_HEADER, re2Escape } from './string-match.js';

export const compileIngressVirtualServices: IstioEmitter = (model) =>
  model.services.flatMap((service) => compileIngressVirtualService(model, service));

/** What one route must additionally match to come through one exposure. */
interface Restriction {
  readonly paths: readonly string[];
  readonly gateway?: string;
  /** Undefined: any host the VirtualService is bound to. */
  readonly authorities?: readonly IstioStringMatch[];
}

interface Binding {
  readonly gateway: string;
  readonly hosts: readonly string[];
  readonly paths: readonly string[];
}

export function compileIngressVirtualService(model: MeshModel, service: ServiceNode): KubernetesObject[] {
  const exposures = service.resource.spec.expose ?? [];
  if (exposures.length === 0) return [];
  const bindings: Binding[] = exposures.map((exposure) => ({
    gateway: gatewayReference(model, exposure.gateway, service),
    hosts: unique(exposure.hosts.map((host) => host.toLowerCase())),
    paths: unique(exposure.paths?.length ? exposure.paths : ['/']),
  }));
  const gateways = unique(bindings.map((binding) => binding.gateway));
  const hosts = unique(bindings.flatMap((binding) => binding.hosts));
  const spec: IstioVirtualServiceSpec = { hosts, gateways };
  const ports = service.resource.spec.ports;

  if (hasHttpPort(service)) {
    const restrictions = toRestrictions(bindings, gateways.length > 1);
    const context = { model, service, ports: 'always' } as const;
    spec.http = planHttpRoutes(model, service).flatMap((planned) => {
      const entries = narrowToExposures(planned, restrictions);
      return entries === null ? [] : [toIstioHttpRoute(planned, entries, context)];
    });
  } else {
    const tlsPort = ports.find((port) => port.protocol === 'tls');
    const destination = { host: serviceHost(service), port: { number: (tlsPort ?? ports[0]!).port } };
    if (tlsPort) spec.tls = [{ match: [{ sniHosts: hosts }], route: [{ destination }] }];
    else spec.tcp = [{ route: [{ destination }] }];
  }
  const name = compiledName.ingressVirtualService(service.name);
  return [{ apiVersion: API.networking, kind: 'VirtualService', metadata: objectMeta(service, name, service.namespace), spec }];
}

/** `namespace/name` of the compiled Gateway, as a VirtualService's `gateways` names it. */
function gatewayReference(model: MeshModel, ref: string, service: ServiceNode): string {
  const gateway = model.findGateway(ref, service.namespace);
  if (!gateway) throw new Error(`${service.key}: gateway "${qualify(ref, service.namespace)}" is not in the mesh; validation should have refused it`);
  return `${gateway.namespace}/${compiledName.gateway(gateway.name)}`;
}

/**
 * Exposures grouped by gateway. Entries on one gateway that expose the same paths are one
 * restriction (their hosts all get those paths); otherwise each entry is limited to its own hosts.
 */
function toRestrictions(bindings: readonly Binding[], nameGateway: boolean): Restriction[] {
  const restrictions: Restriction[] = [];
  for (const gateway of unique(bindings.map((binding) => binding.gateway))) {
    const group = bindings.filter((binding) => binding.gateway === gateway);
    const samePaths = group.every((binding) => samePathSet(binding.paths, group[0]!.paths));
    const at = nameGateway ? { gateway } : {};
    if (samePaths) {
      restrictions.push({ paths: group[0]!.paths, ...at });
      continue;
    }
    for (const binding of group) {
      const authorities = binding.hosts.includes('*') ? undefined : binding.hosts.map(authorityMatch);
      restrictions.push({ paths: binding.paths, ...at, ...(authorities ? { authorities } : {}) });
    }
  }
  return restrictions;
}

/**
 * The route's match entries narrowed to the exposures (undefined: every request through them), or
 * null when no request through them can match the route.
 */
function narrowToExposures(planned: PlannedHttpRoute, restrictions: readonly Restriction[]): MatchEntry[] | undefined | null {
  const entries: readonly MatchEntry[] = planned.entries ?? [{ headers: [], query: [] }];
  const rewritesPrefix = planned.route?.rewrite?.prefix !== undefined && planned.route.rewrite.uri === undefined;
  const narrowed: MatchEntry[] = [];
  for (const restriction of restrictions) {
    for (const prefix of restriction.paths) {
      for (const entry of entries) {
        if (entry.caller) continue;
        const underPrefix = narrowToPrefix(entry, prefix, rewritesPrefix);
        if (!underPrefix) continue;
        for (const authority of restriction.authorities ?? [undefined]) {
          narrowed.push({
            ...underPrefix,
            ...(restriction.gateway ? { gateway: restriction.gateway } : {}),
            ...(authority ? { authority } : {}),
          });
        }
      }
    }
  }
  if (narrowed.length === 0) return null;
  return narrowed.some(isUnconditional) ? undefined : narrowed;
}

/**
 * The entry limited to paths starting with `prefix`, or null when its path cannot start with it.
 * The prefix goes into the entry's path when that keeps its meaning; otherwise (a regex path, or a
 * prefix rewrite that must keep replacing the route's own prefix) it is a `:path` prefix condition.
 */
function narrowToPrefix(entry: MatchEntry, prefix: string, rewritesPrefix: boolean): MatchEntry | null {
  if (prefix === '' || prefix === '/') return entry;
  const asPathCondition = (): MatchEntry => ({ ...entry, headers: [...entry.headers, { name: PATH_HEADER, match: { prefix }, negated: false }] });
  const path = entry.path;
  if (path === undefined) return rewritesPrefix ? asPathCondition() : { ...entry, path: { kind: 'prefix', value: prefix } };
  switch (path.kind) {
    case 'exact':
      return path.value.startsWith(prefix) ? entry : null;
    case 'prefix':
      if (path.value.startsWith(prefix)) return entry;
      if (!prefix.startsWith(path.value)) return null;
      return rewritesPrefix ? asPathCondition() : { ...entry, path: { kind: 'prefix', value: prefix } };
    case 'regex':
      return asPathCondition();
  }
}

/**
 * The `authority` match for an exposed host: case-insensitive like DNS, with any port, a leading
 * `*.` standing for one or more labels (as in Istio's host wildcards).
 */
export function authorityMatch(host: string): IstioStringMatch {
  const name = host.startsWith('*.') ? `[a-z0-9.-]+\\.${re2Escape(host.slice(2))}` : re2Escape(host);
  return { regex: `(?i)${name}(:[0-9]+)?` };
}

function samePathSet(a: readonly string[], b: readonly string[]): boolean {
  const sortedA = [...a].sort(compareStrings);
  const sortedB = [...b].sort(compareStrings);
  return sortedA.length === sortedB.length && sortedA.every((path, index) => path === sortedB[index]);
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}
