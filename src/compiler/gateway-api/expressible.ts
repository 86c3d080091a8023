// What the Gateway API (standard channel of the pinned version) can say of a mesh route, decided in
// one place: the emitter leaves out or drops what it cannot say, and the target's rules (MESH700,
// MESH701) report the same uses at their place in the mesh file. A route whose match cannot be said
// is left out whole rather than widened: a route taking requests its match excludes would be worse
// than requests falling through to the next route.
import type { PathSegment } from '../../diagnostics/types.js';
import type { RouteSpec } from '../../schema/traffic.js';
import { normalizeValueMatch } from '../../model/route-match.js';
import { type MatchEntry } from '../../plan/match.js';
import { type PlannedHttpRoute } from '../../plan/routes.js';

/** Why a route's match cannot be said; undefined when it can. */
export type UnsayableMatch = 'caller' | 'absent' | 'repeated-header' | 'pseudo-header' | 'grpc-match' | 'grpc-redirect' | 'direct-response';

export type RouteFamily = 'http' | 'grpc';

export function unsayableMatch(entries: readonly MatchEntry[] | undefined, family: RouteFamily = 'http'): UnsayableMatch | undefined {
  for (const entry of entries ?? []) {
    if (entry.caller) return 'caller';
    if (entry.headers.some((header) => header.negated)) return 'absent';
    // The Istio target narrows some ingress routes with a condition on `:path`, which no Gateway API match names.
    if (entry.headers.some((header) => header.name.startsWith(':'))) return 'pseudo-header';
    if (family === 'grpc' && (entry.method !== undefined || entry.query.length > 0 || (entry.path !== undefined && grpcMethod(entry.path) === undefined))) return 'grpc-match';
    // Gateway API considers only the first of several matches on one header name.
    const names = entry.headers.map((header) => header.name);
    if (new Set(names).size !== names.length) return 'repeated-header';
  }
  return undefined;
}

/** A route setting the target drops (the route is kept without it), with the field that holds it. */
export interface DroppedSetting {
  readonly field: 'retries' | 'fault' | 'rewrite' | 'cors' | 'timeout';
  readonly path: PathSegment[];
}

/**
 * Settings of a mesh route the Gateway API cannot carry. Retries are in the experimental channel
 * only; fault injection and direct responses not at all; a prefix rewrite needs a PathPrefix match,
 * which matches by path segments, so it is said only when the route matches paths by prefix.
 */
export function droppedSettings(routeIndex: number, route: RouteSpec, family: RouteFamily = 'http'): DroppedSetting[] {
  const at = (field: DroppedSetting['field']): DroppedSetting => ({ field, path: ['spec', 'routes', routeIndex, field] });
  const dropped: DroppedSetting[] = [];
  const forwards = route.redirect === undefined && route.directResponse === undefined;
  if (forwards && route.retries) dropped.push(at('retries'));
  if (forwards && route.fault && (route.fault.delay || route.fault.abort)) dropped.push(at('fault'));
  if (family === 'grpc') {
    // A GRPCRoute has no timeouts, rewrite or CORS filter.
    if (forwards && route.timeout !== undefined) dropped.push(at('timeout'));
    if (forwards && route.rewrite) dropped.push(at('rewrite'));
    if (route.cors) dropped.push(at('cors'));
    return dropped;
  }
  if (forwards && route.rewrite?.prefix !== undefined && route.rewrite.uri === undefined && !hasPrefixPath(route)) dropped.push(at('rewrite'));
  if (route.cors && !corsSayable(route.cors)) dropped.push(at('cors'));
  return dropped;
}

/**
 * Gateway API CORS origins are exact origins or "*"; a prefix or regex origin cannot be said, and
 * an absent one (which allows nothing) is left out as the Istio target leaves it out.
 */
export function corsSayable(cors: NonNullable<RouteSpec['cors']>): boolean {
  return cors.allowOrigins.every((origin) => {
    const kind = normalizeValueMatch(origin).kind;
    return kind === 'exact' || kind === 'present' || kind === 'absent';
  });
}

function hasPrefixPath(route: RouteSpec): boolean {
  const path = route.match?.path;
  return typeof path === 'string' || path?.prefix !== undefined;
}

/** Why the planned route is left out of the compiled routes (its match or action cannot be said); undefined when it is kept. */
export function leftOutBecause(planned: PlannedHttpRoute, entries: readonly MatchEntry[] | undefined, family: RouteFamily): UnsayableMatch | undefined {
  if (planned.route?.directResponse !== undefined) return 'direct-response';
  if (family === 'grpc' && planned.route?.redirect !== undefined) return 'grpc-redirect';
  return unsayableMatch(entries, family);
}

/** A gRPC method is the path /<service>/<method>: an exact path names one, a prefix /<service>/ a whole service. */
export function grpcMethod(path: NonNullable<MatchEntry['path']>): Record<string, string> | undefined {
  if (path.kind === 'exact') {
    const parts = /^\/([^/]+)\/([^/]+)$/.exec(path.value);
    return parts ? { type: 'Exact', service: parts[1]!, method: parts[2]! } : undefined;
  }
  if (path.kind === 'prefix') {
    const parts = /^\/([^/]+)\/$/.exec(path.value);
    return parts ? { type: 'Exact', service: parts[1]! } : undefined;
  }
  return undefined;
}
