// Mesh traffic as GAMMA routes: a route object per port of a service, its parent that Service port,
// read by the sidecars of the service's callers as the Istio target's VirtualService is. HTTP and
// HTTP/2 ports get an HTTPRoute, gRPC ports a GRPCRoute, tcp and tls ports a TCPRoute when they
// have something to decide (a canary). A service gets route objects exactly when the Istio target
// gives it a VirtualService, and the rules come from the same plan (route-plan.ts), so both targets
// route alike wherever the Gateway API can say the route.
import type { MeshModel, ServiceNode } from '../../model/mesh-model.js';
import type { KubernetesObject } from '../../output/manifest.js';
import type { ServicePortT } from '../../schema/resources.js';
import { objectMeta } from '../istio/common.js';
import { GATEWAY_API } from './api.js';
import { leftOutBecause, type RouteFamily } from './expressible.js';
import { backendRefs, routeRule, type Json, type RuleContext } from './http-route.js';
import { portFamily, routeObjectName } from './names.js';
import { type MatchEntry } from '../../plan/match.js';
import { planHttpRoutes, planTcpRoutes, type PlannedHttpRoute } from '../../plan/routes.js';
import { serviceObjects } from '../istio/compiled-names.js';

export function compileMeshRoutes(model: MeshModel): KubernetesObject[] {
  return model.services.flatMap((service) => serviceRoutes(model, service));
}

function serviceRoutes(model: MeshModel, service: ServiceNode): KubernetesObject[] {
  if (!serviceObjects(service).some((object) => object.kind === 'VirtualService')) return [];
  const objects: KubernetesObject[] = [];
  const ports = service.resource.spec.ports;
  const planned = ports.some((port) => portFamily(port) !== 'stream') ? planHttpRoutes(model, service) : [];
  for (const port of ports) {
    const family = portFamily(port);
    if (family === 'stream') {
      const tcp = tcpRoute(model, service, port);
      if (tcp) objects.push(tcp);
      continue;
    }
    const kind = family === 'grpc' ? 'GRPCRoute' : 'HTTPRoute';
    const context: RuleContext = { model, service, namespace: service.namespace, parentPort: port.port, kind };
    const rules = rulesOf(planned, context, family);
    if (rules.length === 0) continue;
    objects.push(routeObject(kind, model, service, port, rules));
  }
  return objects;
}

/** The rules of the kept routes, in plan order, each rule name kept only where it is a valid, unused section name. */
export function rulesOf(
  planned: readonly PlannedHttpRoute[],
  context: RuleContext,
  family: RouteFamily,
  entriesOf: (route: PlannedHttpRoute) => readonly MatchEntry[] | undefined | null = (route) => route.entries,
): Json[] {
  const rules: Json[] = [];
  const names = new Set<string>();
  for (const route of planned) {
    const entries = entriesOf(route);
    if (entries === null) continue;
    if (leftOutBecause(route, entries, family) !== undefined) continue;
    const rule = routeRule(route, entries, context);
    if (!rule) continue;
    const name = rule.name as string;
    if (!SECTION_NAME.test(name) || names.has(name)) delete rule.name;
    else names.add(name);
    rules.push(rule);
  }
  return rules;
}

const SECTION_NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function routeObject(kind: string, model: MeshModel, service: ServiceNode, port: ServicePortT, rules: Json[]): KubernetesObject {
  return {
    apiVersion: GATEWAY_API,
    kind,
    metadata: objectMeta(service, routeObjectName(model, service, port.port), service.namespace),
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: service.name, port: port.port }],
      rules,
    },
  };
}

/**
 * A byte stream shows nothing of a request: a TCPRoute only splits connections. Routes by caller
 * cannot be said (MESH700), so the stream follows the first route that applies to every caller.
 * Nothing is written when that is the whole service on the same port, which is what a connection
 * gets without any route.
 */
function tcpRoute(model: MeshModel, service: ServiceNode, port: ServicePortT): KubernetesObject | undefined {
  const route = planTcpRoutes(model, service).find((planned) => planned.callers === undefined);
  if (!route) return undefined;
  const [only, ...rest] = route.destinations;
  if (rest.length === 0 && only?.node === service && only.version === undefined && (only.port === undefined || only.port === port.port)) return undefined;
  const context: RuleContext = { model, service, namespace: service.namespace, parentPort: port.port, kind: 'HTTPRoute' };
  return {
    apiVersion: GATEWAY_API,
    kind: 'TCPRoute',
    metadata: objectMeta(service, routeObjectName(model, service, port.port), service.namespace),
    spec: {
      parentRefs: [{ group: '', kind: 'Service', name: service.name, port: port.port }],
      rules: [{ backendRefs: backendRefs(route.destinations, context) }],
    },
  };
}
