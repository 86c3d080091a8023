// The VirtualService of a service's in-mesh traffic, read by the sidecars of its callers: one per
// service host (Istio merges several VirtualServices for one host unreliably in sidecars), with no
// `gateways` (so only the mesh uses it). HTTP ports get the service's routes (src/plan/routes.ts); tcp
// and tls ports get TCP routes when they have something to decide (a canary, a route by caller).
import { serviceObjects } from '../compiled-names.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import { API, objectMeta, serviceHost } from '../common.js';
import type { IstioEmitter } from '../index.js';
import { hasHttpPort, hasStreamPort } from '../../../model/ports.js';
import { planHttpRoutes, planTcpRoutes, type PlannedTcpRoute } from '../../../plan/routes.js';
import { toIstioRouteDestinations } from './destinations.js';
import { toIstioHttpRoute } from './http-route.js';
import type { IstioTcpRoute, IstioVirtualServiceSpec } from './istio-types.js';
import { toIstioL4Match } from './match.js';

export const compileVirtualServices: IstioEmitter = (model) => model.services.flatMap((service) => compileVirtualService(model, service));

export function compileVirtualService(model: MeshModel, service: ServiceNode): KubernetesObject[] {
  const object = serviceObjects(service).find((candidate) => candidate.kind === 'VirtualService');
  if (!object) return [];
  const spec: IstioVirtualServiceSpec = { hosts: [serviceHost(service)] };
  if (hasHttpPort(service)) {
    const context = { model, service, ports: 'as-written' } as const;
    spec.http = planHttpRoutes(model, service).map((planned) => toIstioHttpRoute(planned, planned.entries, context));
  }
  if (hasStreamPort(service)) {
    const planned = planTcpRoutes(model, service);
    // With HTTP ports beside them, stream ports only need routes that differ from Istio's default
    // (the whole service, on the port the caller used).
    if (!hasHttpPort(service) || !isDefaultTcpRouting(service, planned)) spec.tcp = planned.map(toIstioTcpRoute);
  }
  return [{ apiVersion: API.networking, kind: 'VirtualService', metadata: objectMeta(service, object.name, service.namespace), spec }];
}

export function toIstioTcpRoute(planned: PlannedTcpRoute): IstioTcpRoute {
  return {
    ...(planned.callers ? { match: planned.callers.map(toIstioL4Match) } : {}),
    route: toIstioRouteDestinations(planned.destinations, 'as-written'),
  };
}

function isDefaultTcpRouting(service: ServiceNode, planned: readonly PlannedTcpRoute[]): boolean {
  const first = planned[0];
  if (!first || first.callers) return false;
  const [destination, ...rest] = first.destinations;
  return rest.length === 0 && destination?.node === service && destination.version === undefined && destination.port === undefined;
}
