// The VirtualServices that bind exposed services to their gateways (`expose`): one per host of a
// gateway, never several for one host, because Istio merges the VirtualServices of one host at a
// gateway unreliably (which routes win can change with creation order). Every service exposed on
// the host contributes its routes, services in the model's order; MESH227 makes sure their path
// prefixes do not overlap, so that order decides nothing. The object lives in the gateway's
// namespace and names the Gateway document as its source: the Gateway owns the host, while the
// services only add routes to it.
//
// A gateway applies only the VirtualServices bound to it, never a service's mesh VirtualService, so
// each service's part carries its own routes too (redirects, CORS, A/B test, canary...): a request
// from the internet is routed as the service's file says, not straight to every version. Each route
// is narrowed to the service's exposed paths (prefixes and exact paths) on that host; routes by caller (`from`) never
// match at a gateway (its callers are the gateway itself) and are left out. Gateways send to an
// explicit port: the request arrived on the gateway's port, not on one of the service's. The object
// has one host and one gateway, so its matches need neither an `authority` nor a `gateways`
// condition.
//
// A service without HTTP ports is exposed as a byte stream: a TLS route by SNI for its tls port
// (passthrough listeners), else a TCP route.
import { ingressVirtualServiceNames, compiledName, type NamedGatewayHost } from '../compiled-names.js';
import { qualify, type MeshModel, type ServiceNode } from '../../../model/mesh-model.js';
import { hasHttpPort } from '../../../model/ports.js';
import { narrowToExposedPaths, takesAllOf } from '../../../plan/ingress.js';
import type { MatchEntry } from '../../../plan/match.js';
import { planHttpRoutes } from '../../../plan/routes.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import { API, objectMeta, serviceHost } from '../common.js';
import type { IstioEmitter } from '../index.js';
import { toIstioHttpRoute } from './http-route.js';
import type { IstioHttpRoute, IstioVirtualServiceSpec } from './istio-types.js';

export const compileIngressVirtualServices: IstioEmitter = (model) => {
  requireDeclaredGateways(model);
  return ingressVirtualServiceNames(model).map((entry) => compileIngressVirtualService(model, entry));
};

/** A route of the object and the service whose routes it came from. */
interface OwnedRoute {
  readonly service: ServiceNode;
  readonly route: IstioHttpRoute;
}

export function compileIngressVirtualService(model: MeshModel, entry: NamedGatewayHost): KubernetesObject {
  const gateway = entry.gateway;
  const spec: IstioVirtualServiceSpec = { hosts: [entry.host], gateways: [`${gateway.namespace}/${compiledName.gateway(gateway.name)}`] };
  const http: OwnedRoute[] = [];
  const tls: NonNullable<IstioVirtualServiceSpec['tls']> = [];
  const tcp: NonNullable<IstioVirtualServiceSpec['tcp']> = [];

  for (const { service, paths } of entry.exposures) {
    if (hasHttpPort(service)) {
      const context = { model, service, ports: 'always' } as const;
      const earlier: MatchEntry[] = [];
      for (const planned of planHttpRoutes(model, service)) {
        const entries = narrowToExposedPaths(planned, paths);
        if (entries === null) continue;
        const narrowed = entries ?? [{ headers: [], query: [] }];
        // Narrowed to the exposed paths, a route (typically the default one) can be left with
        // requests that an earlier route of the service already takes all of: it would never match,
        // and Istio reports it as unused (IST0130).
        if (narrowed.every((entry) => earlier.some((before) => takesAllOf(before, entry)))) continue;
        earlier.push(...narrowed);
        http.push({ service, route: toIstioHttpRoute(planned, entries, context) });
      }
      continue;
    }
    const ports = service.resource.spec.ports;
    const tlsPort = ports.find((port) => port.protocol === 'tls');
    const destination = { host: serviceHost(service), port: { number: (tlsPort ?? ports[0]!).port } };
    if (tlsPort) tls.push({ match: [{ sniHosts: [entry.host] }], route: [{ destination }] });
    else tcp.push({ route: [{ destination }] });
  }

  if (http.length > 0) spec.http = withDistinctNames(http);
  if (tls.length > 0) spec.tls = tls;
  if (tcp.length > 0) spec.tcp = tcp;
  return { apiVersion: API.networking, kind: 'VirtualService', metadata: objectMeta(gateway, entry.name, gateway.namespace), spec };
}

/**
 * Validation refuses exposures on undeclared gateways (MESH205); the grouping skips them, so a model
 * that skipped validation would otherwise lose an exposure without a word.
 */
function requireDeclaredGateways(model: MeshModel): void {
  for (const service of model.services) {
    for (const exposure of service.resource.spec.expose ?? []) {
      if (!model.findGateway(exposure.gateway, service.namespace)) {
        throw new Error(`${service.key}: gateway "${qualify(exposure.gateway, service.namespace)}" is not in the mesh; validation should have refused it`);
      }
    }
  }
}

/**
 * Route names as Envoy's stats and access logs show them must stay distinct within the object. Each
 * service's names already are (the route planner and MESH225 see to it), so only a name that
 * several services use changes: each of them becomes `<service>-<name>`. Names that no other service
 * uses are kept as written; a prefixed name that still meets another one gets a number.
 */
function withDistinctNames(routes: readonly OwnedRoute[]): IstioHttpRoute[] {
  const owners = new Map<string, Set<ServiceNode>>();
  for (const { service, route } of routes) {
    const services = owners.get(route.name) ?? new Set<ServiceNode>();
    services.add(service);
    owners.set(route.name, services);
  }
  const shared = (name: string) => owners.get(name)!.size > 1;
  const taken = new Set(routes.filter(({ route }) => !shared(route.name)).map(({ route }) => route.name));
  return routes.map(({ service, route }) => {
    if (!shared(route.name)) return route;
    const base = `${service.name}-${route.name}`;
    let name = base;
    for (let suffix = 2; taken.has(name); suffix++) name = `${base}-${suffix}`;
    taken.add(name);
    return { ...route, name };
  });
}
