// The routes of a service, in the order a proxy must try them, before a target writes them for
// callers' sidecars or for gateways (the Istio target as a mesh and an ingress VirtualService, the
// Envoy target as virtual hosts). Both carry the same routes: a request from the internet meets
// the same redirects, A/B test and canary as one from inside the mesh.
//
// Order: the service's routes as the mesh file lists them (the first match wins), then a default
// route to the default split unless a route already matches every request (a proxy that matches
// no route answers 404, so the default route is what keeps unmatched requests flowing).
//
// The A/B test. `abTest` says "requests in the cohort go to the variant, the rest to the control
// (default: the default split)", and a route without `to` "follows the default split". So the A/B
// test decides where the default split goes: every route that follows it is emitted twice, first
// narrowed to the cohort and sent to the variant, then for everyone else sent to the control; the
// default route likewise. Each cohort route comes right before the route it was copied from, so it
// takes that route's place in the order and keeps its settings (timeout, retries, headers, CORS...);
// it is named `<route>-<A/B test name>` (`cohort` when the test has no name). Routes that
// redirect, answer directly or name their own `to` treat the cohort like everyone else: putting one
// cohort route in front of all routes would skip the service's redirects and direct responses for
// the cohort, and send it past routes that pin a version for a reason.
//
// On tcp and tls ports nothing of a request is visible but the connection, so TCP routes keep only
// the forwarding routes that match every request or only by caller (and name no HTTP port), then
// the default split; the A/B test, which needs a header or cookie, does not apply to them.
//
// Every route carries its resolved action (route-actions.ts): the targets write the action and
// never read the mesh route again. `route` names the mesh route a planned route came from, for
// review and graph, which show settings as the mesh file wrote them.
import { routeName } from '../model/names.js';
import type { MeshModel, ServiceNode } from '../model/mesh-model.js';
import { isHttpFamily, hasHttpPort } from '../model/ports.js';
import { matchesEverything, normalizeRouteMatch } from '../model/route-match.js';
import type { RouteSpec } from '../schema/traffic.js';
import { defaultSplit, explicitDestinations, versionOf, type PlannedDestination } from './destinations.js';
import { callerMatch, cohortCondition, matchEntries, withCondition, type CallerMatch, type MatchEntry } from './match.js';
import { corsPlan, headerChanges, routeAction, type CorsPlan, type HeaderChanges, type RouteAction } from './route-actions.js';

export interface PlannedHttpRoute {
  readonly name: string;
  /** Undefined: every request. */
  readonly entries?: readonly MatchEntry[];
  /** The mesh route this route was planned from; undefined for the generated default routes. */
  readonly route?: RouteSpec;
  readonly action: RouteAction;
  readonly cors?: CorsPlan;
  readonly headers?: HeaderChanges;
}

export interface PlannedTcpRoute {
  /** Undefined: every connection. */
  readonly callers?: readonly CallerMatch[];
  readonly destinations: readonly PlannedDestination[];
}

/** The name of the generated route to the default split. */
export const DEFAULT_ROUTE_NAME = 'default';

/** True when the route forwards to the default split: no `to`, no redirect, no direct response. */
export function followsDefaultSplit(route: RouteSpec): boolean {
  return route.to === undefined && route.redirect === undefined && route.directResponse === undefined;
}

/** Where the route forwards to; undefined when it redirects or answers directly. */
export function forwardedTo(planned: PlannedHttpRoute): readonly PlannedDestination[] | undefined {
  return planned.action.kind === 'forward' ? planned.action.destinations : undefined;
}

export function planHttpRoutes(model: MeshModel, service: ServiceNode): PlannedHttpRoute[] {
  const spec = service.resource.spec;
  const routes = spec.routes ?? [];
  const names = new UniqueNames(routes.map((route, index) => routeName(route, index)));
  const split = defaultSplit(service);
  const abTest = spec.abTest && hasHttpPort(service) ? spec.abTest : undefined;
  const cohort = abTest ? cohortCondition(abTest.cohort) : undefined;
  const variant = abTest ? versionOf(service, abTest.variant) : undefined;
  const everyoneElse = abTest?.control !== undefined ? versionOf(service, abTest.control) : split;
  const cohortLabel = abTest?.name ?? 'cohort';

  const planned: PlannedHttpRoute[] = [];
  const plan = (name: string, entries: readonly MatchEntry[] | undefined, route: RouteSpec | undefined, destinations: readonly PlannedDestination[] | undefined): PlannedHttpRoute => {
    const cors = route?.cors ? corsPlan(route.cors) : undefined;
    const headers = route?.headers ? headerChanges(route.headers) : undefined;
    return {
      name,
      ...(entries ? { entries } : {}),
      ...(route ? { route } : {}),
      action: routeAction(model, service, route, destinations),
      ...(cors ? { cors } : {}),
      ...(headers ? { headers } : {}),
    };
  };
  routes.forEach((route, index) => {
    const name = routeName(route, index);
    const entries = matchEntries(model, service, route.match);
    if (!followsDefaultSplit(route)) {
      const destinations = route.to !== undefined ? explicitDestinations(model, service, route.to) : undefined;
      planned.push(plan(name, entries, route, destinations));
      return;
    }
    if (cohort && variant) planned.push(plan(names.claim(`${name}-${cohortLabel}`), withCondition(entries, cohort), route, variant));
    planned.push(plan(name, entries, route, everyoneElse));
  });

  const catchAll = routes.some((route) => matchesEverything(normalizeRouteMatch(route.match, service.namespace)));
  if (!catchAll) {
    if (cohort && variant) planned.push(plan(names.claim(cohortLabel), withCondition(undefined, cohort), undefined, variant));
    planned.push(plan(names.claim(DEFAULT_ROUTE_NAME), undefined, undefined, everyoneElse));
  }
  return planned;
}
export function planTcpRoutes(model: MeshModel, service: ServiceNode): PlannedTcpRoute[] {
  const split = defaultSplit(service);
  const planned: PlannedTcpRoute[] = [];
  for (const route of service.resource.spec.routes ?? []) {
    if (route.redirect !== undefined || route.directResponse !== undefined) continue;
    const match = normalizeRouteMatch(route.match, service.namespace);
    // The conditions a byte stream cannot show must all be absent; `from` is the caller's identity.
    if (!matchesEverything({ ...match, from: undefined })) continue;
    const destinations = route.to !== undefined ? explicitDestinations(model, service, route.to) : split;
    // A route that names an HTTP port speaks about that port's requests, not about streams.
    if (destinations.some((destination) => destination.port !== undefined && !isStreamPort(destination.node, destination.port))) continue;
    const callers = route.match?.from?.map((ref) => callerMatch(model, ref, service.namespace));
    planned.push({ ...(callers ? { callers } : {}), destinations });
    if (!callers) return planned;
  }
  planned.push({ destinations: split });
  return planned;
}

function isStreamPort(node: PlannedDestination['node'], port: number): boolean {
  return node.resource.spec.ports.some((candidate) => candidate.port === port && !isHttpFamily(candidate));
}

/** Route names as Envoy's stats and access logs show them: distinct within a VirtualService. */
class UniqueNames {
  private readonly taken: Set<string>;

  constructor(names: readonly string[]) {
    this.taken = new Set(names);
  }

  claim(base: string): string {
    let name = base;
    for (let suffix = 2; this.taken.has(name); suffix++) name = `${base}-${suffix}`;
    this.taken.add(name);
    return name;
  }
}
