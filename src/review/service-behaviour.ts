// A service's behaviour as the cluster will run it, in a form two revisions can be compared in:
// its routes in the order Envoy tries them, computed by the same route plan the Istio emitter
// uses (so an A/B test's cohort routes and the generated default route are there, and shares are
// the weights Istio gets), and its other settings as values. Nothing here refers to files or
// lines, so moving a service to another file changes nothing.
import type { MeshModel, ServiceNode } from '../model/mesh-model.js';
import { normalizeRouteMatch, normalizeValueMatch, type NormalizedRouteMatch } from '../model/route-match.js';
import { hasHttpPort, hasStreamPort } from '../model/ports.js';
import type { PlannedDestination } from '../plan/destinations.js';
import { distinctEntries } from '../plan/match.js';
import { forwardedTo, planHttpRoutes, planTcpRoutes, type PlannedHttpRoute } from '../plan/routes.js';
import type { ServiceSpecT } from '../schema/resources.js';
import type { RouteMatchSpec, RouteSpec } from '../schema/traffic.js';
import { showValue, stableJson } from './field-diff.js';

export interface TrafficShare {
  /** "v2" for a version of the service itself, "all versions", or "ns/other v1:8080" for another destination. */
  readonly destination: string;
  /** `namespace/name` of the destination service or external service, and the version when one is named. */
  readonly target: string;
  readonly version?: string;
  readonly percent: number;
}

export type RouteAction = 'forward' | 'redirect' | 'direct-response';

export interface RouteBehaviour {
  readonly name: string;
  /** True when the route was given its name in the mesh file (or is the generated default route). */
  readonly named: boolean;
  /** A route copied for the A/B test's cohort. */
  readonly cohort: boolean;
  /** The requests it accepts, as Istio will be told: equal keys, equal requests. */
  readonly matchKey: string;
  readonly matchText: string;
  /** For the "which route wins" analysis of a reorder. */
  readonly match: NormalizedRouteMatch;
  readonly action: RouteAction;
  readonly shares: readonly TrafficShare[];
  readonly timeout?: string;
  readonly retries?: RouteSpec['retries'];
  readonly fault?: RouteSpec['fault'];
  readonly rateLimit?: RouteSpec['rateLimit'];
  /** Redirect, direct response, rewrite, mirror, header changes and CORS: compared as values. */
  readonly settings: Readonly<Record<string, unknown>>;
}

export interface TcpRouteBehaviour {
  readonly callers: string;
  readonly shares: readonly TrafficShare[];
}

export interface ServiceBehaviour {
  readonly key: string;
  readonly routes: readonly RouteBehaviour[];
  readonly tcpRoutes: readonly TcpRouteBehaviour[];
  readonly abTest?: ServiceSpecT['abTest'];
  readonly canary?: ServiceSpecT['canary'];
  readonly resilience?: ServiceSpecT['resilience'];
  readonly rateLimit?: ServiceSpecT['rateLimit'];
  /** Everything else the spec says that is not access (compared field by field). */
  readonly other: Readonly<Record<string, unknown>>;
}

export function describeServiceBehaviour(model: MeshModel, service: ServiceNode): ServiceBehaviour {
  const spec = service.resource.spec;
  const planned = hasHttpPort(service) ? planHttpRoutes(model, service) : [];
  const cohorts = cohortFlags(planned, spec.abTest !== undefined);
  const routes = planned.map((route, index) => describeRoute(service, route, cohorts[index]!));
  const tcpRoutes = hasStreamPort(service)
    ? planTcpRoutes(model, service).map((route) => ({
        callers: route.callers ? route.callers.map((c) => `${c.namespace} ${showValue(c.labels)}`).join(', ') : 'every connection',
        shares: shares(service, route.destinations),
      }))
    : [];
  return {
    key: service.key,
    routes,
    tcpRoutes,
    ...(spec.abTest ? { abTest: spec.abTest } : {}),
    ...(spec.canary ? { canary: spec.canary } : {}),
    ...(spec.resilience ? { resilience: spec.resilience } : {}),
    ...(spec.rateLimit ? { rateLimit: spec.rateLimit } : {}),
    other: {
      selector: spec.selector,
      serviceAccount: spec.serviceAccount,
      ports: spec.ports,
      versions: spec.versions,
      vms: spec.vms,
      telemetry: spec.telemetry,
      dependsOn: spec.dependsOn,
    },
  };
}

/**
 * Which planned routes are the A/B test's cohort copies. The plan puts each right before the route
 * it was copied from (same mesh route), and the generated cohort route right before the generated
 * default route, which is always last.
 */
function cohortFlags(planned: readonly PlannedHttpRoute[], hasAbTest: boolean): boolean[] {
  return planned.map((route, index) => {
    if (!hasAbTest) return false;
    const next = planned[index + 1];
    if (next === undefined) return false;
    if (route.route !== undefined) return next.route === route.route;
    return next.route === undefined;
  });
}

function describeRoute(service: ServiceNode, planned: PlannedHttpRoute, cohort: boolean): RouteBehaviour {
  const route = planned.route;
  const abTest = service.resource.spec.abTest;
  let match = normalizeRouteMatch(route?.match, service.namespace);
  let matchText = describeMatch(route?.match);
  if (cohort && abTest) {
    const { header, cookie } = abTest.cohort;
    if (header) match = { ...match, headers: new Map([...match.headers, [header.name.toLowerCase(), normalizeValueMatch(header.value)]]) };
    if (cookie) match = { ...match, cookies: new Map([...match.cookies, [cookie.name, normalizeValueMatch(cookie.value)]]) };
    const condition = describeCohort(abTest.cohort);
    matchText = matchText === 'every request' ? `${condition} (cohort)` : `${matchText}, ${condition} (cohort)`;
  }
  const action: RouteAction = route?.redirect ? 'redirect' : route?.directResponse ? 'direct-response' : 'forward';
  return {
    name: planned.name,
    named: route === undefined ? !cohort : route.name !== undefined,
    cohort,
    matchKey: stableJson(distinctEntries(planned.entries) ?? null),
    matchText,
    match,
    action,
    shares: shares(service, forwardedTo(planned) ?? []),
    ...(route?.timeout !== undefined ? { timeout: route.timeout } : {}),
    ...(route?.retries !== undefined ? { retries: route.retries } : {}),
    ...(route?.fault !== undefined ? { fault: route.fault } : {}),
    ...(route?.rateLimit !== undefined ? { rateLimit: route.rateLimit } : {}),
    settings: {
      redirect: route?.redirect,
      directResponse: route?.directResponse,
      rewrite: route?.rewrite,
      mirror: route?.mirror,
      headers: route?.headers,
      cors: route?.cors,
    },
  };
}

function shares(service: ServiceNode, destinations: readonly PlannedDestination[]): TrafficShare[] {
  return destinations.map((destination) => ({
    destination: destinationLabel(service, destination),
    target: destination.node.key,
    ...(destination.version !== undefined ? { version: destination.version } : {}),
    percent: destinations.length === 1 ? 100 : (destination.weight ?? 0),
  }));
}

/** How a review names a destination: a version of the service itself by its name alone. */
export function destinationLabel(service: ServiceNode, destination: Pick<PlannedDestination, 'node' | 'version' | 'port'>): string {
  const own = destination.node.kind === 'Service' && destination.node.key === service.key;
  const target = own
    ? (destination.version ?? 'all versions')
    : `${destination.node.namespace === service.namespace ? destination.node.name : destination.node.key}${destination.version !== undefined ? ` ${destination.version}` : ''}`;
  return destination.port !== undefined ? `${target}:${destination.port}` : target;
}

export function describeMatch(match: RouteMatchSpec | undefined): string {
  if (!match) return 'every request';
  const parts: string[] = [];
  if (match.path !== undefined) {
    if (typeof match.path === 'string') parts.push(`path prefix ${match.path}`);
    else if (match.path.exact !== undefined) parts.push(`path = ${match.path.exact}`);
    else if (match.path.prefix !== undefined) parts.push(`path prefix ${match.path.prefix}`);
    else if (match.path.regex !== undefined) parts.push(`path ~ ${match.path.regex}`);
  }
  if (match.methods) parts.push(match.methods.join('|'));
  for (const [name, value] of Object.entries(match.headers ?? {})) parts.push(describeCondition('header', name, value));
  for (const [name, value] of Object.entries(match.query ?? {})) parts.push(describeCondition('query', name, value));
  for (const [name, value] of Object.entries(match.cookies ?? {})) parts.push(describeCondition('cookie', name, value));
  if (match.from) parts.push(`from ${match.from.join(', ')}`);
  return parts.length > 0 ? parts.join(', ') : 'every request';
}

function describeCondition(what: string, name: string, value: Parameters<typeof normalizeValueMatch>[0]): string {
  const condition = normalizeValueMatch(value);
  switch (condition.kind) {
    case 'exact':
      return `${what} ${name}=${condition.value}`;
    case 'prefix':
      return `${what} ${name}=${condition.value}…`;
    case 'regex':
      return `${what} ${name}~${condition.value}`;
    case 'present':
      return `${what} ${name} present`;
    case 'absent':
      return `without ${what} ${name}`;
    case 'malformed':
      return `${what} ${name} (malformed)`;
  }
}

export function describeCohort(cohort: NonNullable<ServiceSpecT['abTest']>['cohort']): string {
  if (cohort.header) return describeCondition('header', cohort.header.name, cohort.header.value);
  if (cohort.cookie) return describeCondition('cookie', cohort.cookie.name, cohort.cookie.value);
  return 'no cohort';
}
