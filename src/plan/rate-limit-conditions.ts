// Which requests a route's own token bucket counts, decided where the bucket lives: the inbound
// proxy of the service's instances. The callers' proxies pick the route (first match wins), but the
// server's proxy never sees that choice: Istio applies VirtualService routes to outbound traffic
// only, and a sidecar's inbound route configuration is one catch-all route per port. So the server
// reproduces the choice from the request itself: a route's bucket counts the requests that match
// the route's conditions and none of the earlier routes that also deliver requests here.
//
// The server sees the request after the caller's proxy changed it, so a route's conditions are
// taken as the server sees them: a path rewritten to /new is matched as /new, a header the route
// sets is matched with its new value, one it removes as absent. Conditions the server cannot check
// are left out: the calling workload (`from`), anything a route changes in a way that cannot be
// followed (an appended header, a prefix rewrite of a regex path), and a regex over the program
// size Envoy's RE2 accepts (one such regex makes Envoy refuse the whole listener). Leaving out a
// condition makes a bucket count more requests, never fewer, so a limit is never silently lifted.
// For the same reason an earlier route is only excluded when the server can tell its requests
// apart: not when it rewrites what it matched on, and not when it matches by caller.
//
// Every condition becomes an Envoy header matcher: the path, its query parameters and the method
// are matched on the `:path` and `:method` pseudo-headers, cookies on the `cookie` header, with RE2
// regexes that match the whole value (as Istio and Envoy route matches do).
import { compareStrings } from '../diagnostics/types.js';
import { routeName } from '../model/names.js';
import type { MeshModel, ServiceNode } from '../model/mesh-model.js';
import { checkRe2, ENVOY_MAX_PROGRAM_SIZE } from '../common/re2-regex.js';
import { normalizeRouteMatch, type PathCondition, type ValueCondition } from '../model/route-match.js';
import type { RouteSpec } from '../schema/traffic.js';
import { COOKIE_HEADER, cookieRegex, PATH_HEADER, queryParameterPresentRegex, re2Escape } from '../model/conditions.js';
import type { HeaderMatcher } from './rate-limit-types.js';

const METHOD_HEADER = ':method';

/** The conditions of a route as the server's proxy can check them. */
export interface ServerSideMatch {
  /** All must hold; empty when the route matches every request the server sees. */
  readonly matchers: HeaderMatcher[];
  /** False when a condition had to be left out: the server cannot tell exactly which requests match. */
  readonly exact: boolean;
}

/** A route of the service, named as in the compiled VirtualService, with its position. */
export interface NamedRoute {
  readonly route: RouteSpec;
  readonly index: number;
  readonly name: string;
}

export function namedRoutes(service: ServiceNode): NamedRoute[] {
  return (service.resource.spec.routes ?? []).map((route, index) => ({ route, index, name: routeName(route, index) }));
}

/** True when the route forwards at least part of its requests to the service's own instances. */
export function deliversToService(model: MeshModel, service: ServiceNode, route: RouteSpec): boolean {
  if (route.redirect !== undefined || route.directResponse !== undefined) return false;
  if (route.to === undefined || typeof route.to === 'string') return true;
  return route.to.some((destination) => destination.service === undefined || model.findDestination(destination.service, service.namespace) === service);
}

/** A route's conditions on the request as the server receives it; 'unknown' where that cannot be followed. */
interface ServerView {
  readonly path: PathCondition | undefined | 'unknown';
  readonly methods: ReadonlySet<string> | undefined;
  readonly headers: ReadonlyMap<string, ValueCondition | 'unknown'>;
  readonly query: ReadonlyMap<string, ValueCondition>;
  readonly cookies: ReadonlyMap<string, ValueCondition> | 'unknown';
  /** The route matches by calling workload, which the server cannot see. */
  readonly byCaller: boolean;
}

function serverView(route: RouteSpec, namespace: string): ServerView {
  const match = normalizeRouteMatch(route.match, namespace);
  const changes = requestHeaderChanges(route);
  const headers = new Map<string, ValueCondition | 'unknown'>();
  for (const [name, condition] of match.headers) headers.set(name, changes.get(name) ?? condition);
  return {
    path: rewrittenPath(match.path, route),
    methods: match.methods,
    headers,
    query: match.query,
    cookies: changes.has(COOKIE_HEADER) && match.cookies.size > 0 ? 'unknown' : match.cookies,
    byCaller: match.from !== undefined,
  };
}

/** The route's conditions as the server sees the requests it forwards. */
export function serverSideMatch(route: RouteSpec, namespace: string): ServerSideMatch {
  const view = serverView(route, namespace);
  let exact = !view.byCaller;
  const matchers: HeaderMatcher[] = [];
  const add = (matcher: HeaderMatcher | undefined) => {
    if (matcher) matchers.push(matcher);
    else exact = false;
  };
  const path = view.path;
  if (path === 'unknown') exact = false;
  else if (path && !(path.kind === 'prefix' && (path.value === '' || path.value === '/'))) add(pathMatcher(path));
  if (view.methods) add(methodMatcher([...view.methods]));
  for (const [name, condition] of sortedEntries(view.headers)) {
    if (condition === 'unknown') exact = false;
    else add(headerMatcher(name, condition));
  }
  for (const [name, condition] of sortedEntries(view.query)) add(queryMatcher(name, condition));
  if (view.cookies === 'unknown') exact = false;
  else for (const [name, condition] of sortedEntries(view.cookies)) add(cookieMatcher(name, condition));
  return { matchers, exact };
}

/**
 * True when no request can match both routes as the server sees them: different paths, methods or
 * header values. Excluding an earlier route that could never take the target's requests would only
 * add work to every request, so such routes are left out of the target's actions.
 */
export function provablyDisjoint(a: RouteSpec, b: RouteSpec, namespace: string): boolean {
  const first = serverView(a, namespace);
  const second = serverView(b, namespace);
  if (first.path !== 'unknown' && second.path !== 'unknown' && first.path && second.path && pathsDisjoint(first.path, second.path)) return true;
  if (first.methods && second.methods && ![...first.methods].some((method) => second.methods!.has(method))) return true;
  for (const [name, condition] of first.headers) {
    const other = second.headers.get(name);
    if (condition !== 'unknown' && other !== undefined && other !== 'unknown' && valuesDisjoint(condition, other)) return true;
  }
  return false;
}

function pathsDisjoint(a: PathCondition, b: PathCondition): boolean {
  if (a.kind === 'regex' || b.kind === 'regex' || a.kind === 'malformed' || b.kind === 'malformed') return false;
  if (a.kind === 'exact' && b.kind === 'exact') return a.value !== b.value;
  if (a.kind === 'exact') return !a.value.startsWith(b.value);
  if (b.kind === 'exact') return !b.value.startsWith(a.value);
  return !a.value.startsWith(b.value) && !b.value.startsWith(a.value);
}

function valuesDisjoint(a: ValueCondition, b: ValueCondition): boolean {
  if (a.kind === 'absent' || b.kind === 'absent') return a.kind !== b.kind && a.kind !== 'malformed' && b.kind !== 'malformed';
  if (a.kind === 'exact' && b.kind === 'exact') return a.value !== b.value;
  if (a.kind === 'exact' && b.kind === 'prefix') return !a.value.startsWith(b.value);
  if (a.kind === 'prefix' && b.kind === 'exact') return !b.value.startsWith(a.value);
  if (a.kind === 'prefix' && b.kind === 'prefix') return !a.value.startsWith(b.value) && !b.value.startsWith(a.value);
  return false;
}

/**
 * True when the server sees the route's requests as the route matched them: no caller condition, no
 * rewrite, and no header change to a header or cookie the route matches on.
 */
export function seenUnchanged(route: RouteSpec, namespace: string): boolean {
  const match = normalizeRouteMatch(route.match, namespace);
  if (match.from !== undefined) return false;
  if (match.path !== undefined && (route.rewrite?.uri !== undefined || route.rewrite?.prefix !== undefined)) return false;
  const changed = requestHeaderChanges(route);
  if (match.cookies.size > 0 && changed.has(COOKIE_HEADER)) return false;
  return [...match.headers.keys()].every((name) => !changed.has(name));
}

/** What the server sees of each header the route changes: a new condition, absent, or unknowable. */
function requestHeaderChanges(route: RouteSpec): Map<string, ValueCondition | 'unknown'> {
  const request = route.headers?.request;
  const changes = new Map<string, ValueCondition | 'unknown'>();
  for (const [name, value] of Object.entries(request?.set ?? {})) changes.set(name.toLowerCase(), { kind: 'exact', value });
  // An appended value joins the caller's, and Envoy matches the joined header: no longer predictable.
  for (const name of Object.keys(request?.add ?? {})) changes.set(name.toLowerCase(), 'unknown');
  for (const name of request?.remove ?? []) changes.set(name.toLowerCase(), { kind: 'absent' });
  if (route.rewrite?.authority !== undefined) {
    for (const name of [':authority', 'host']) changes.set(name, { kind: 'exact', value: route.rewrite.authority });
  }
  return changes;
}

/** The path the server sees; undefined: any path; 'unknown': a rewrite that cannot be followed. */
function rewrittenPath(path: PathCondition | undefined, route: RouteSpec): PathCondition | undefined | 'unknown' {
  const rewrite = route.rewrite;
  if (rewrite?.uri !== undefined) return { kind: 'exact', value: rewrite.uri };
  if (rewrite?.prefix === undefined || path === undefined) return path;
  // Istio rewrites the matched prefix (for an exact match: the whole path) and keeps the rest.
  if (path.kind === 'prefix') return { kind: 'prefix', value: rewrite.prefix };
  if (path.kind === 'exact') return { kind: 'exact', value: rewrite.prefix };
  return 'unknown';
}

/**
 * `:path` carries the query string as well, so exact and regex paths allow an optional query; a
 * prefix needs nothing more. A path whose regex would exceed the program size Envoy accepts is left
 * out, like any condition the server cannot check.
 */
function pathMatcher(path: PathCondition): HeaderMatcher | undefined {
  if (path.kind === 'malformed') return undefined;
  if (path.kind === 'prefix') return { name: PATH_HEADER, string_match: { prefix: path.value } };
  const regex = path.kind === 'exact' ? `${re2Escape(path.value)}(\\?.*)?` : `(${path.value})(\\?.*)?`;
  return fitsEnvoy(regex) ? { name: PATH_HEADER, string_match: { safe_regex: { regex } } } : undefined;
}

function methodMatcher(methods: string[]): HeaderMatcher {
  const sorted = [...new Set(methods)].sort(compareStrings);
  return { name: METHOD_HEADER, string_match: sorted.length === 1 ? { exact: sorted[0]! } : { safe_regex: { regex: sorted.join('|') } } };
}

function headerMatcher(name: string, condition: ValueCondition): HeaderMatcher | undefined {
  switch (condition.kind) {
    case 'exact':
      return { name, string_match: { exact: condition.value } };
    case 'prefix':
      return { name, string_match: { prefix: condition.value } };
    case 'regex':
      return { name, string_match: { safe_regex: { regex: condition.value } } };
    case 'present':
      return { name, present_match: true };
    // Istio's translation of an absent header: an inverted presence check.
    case 'absent':
      return { name, present_match: true, invert_match: true };
    case 'malformed':
      return undefined;
  }
}

/** A query parameter, found in the query string of `:path` (Envoy's raw, undecoded value, as routes match it). */
function queryMatcher(name: string, condition: ValueCondition): HeaderMatcher | undefined {
  const parameter = `[^?]*\\?(.*&)?${re2Escape(name)}`;
  let regex: string;
  switch (condition.kind) {
    case 'exact':
      regex = `${parameter}=${re2Escape(condition.value)}(&.*)?`;
      break;
    case 'prefix':
      regex = `${parameter}=${re2Escape(condition.value)}[^&]*(&.*)?`;
      break;
    case 'regex':
      regex = `${parameter}=(${condition.value})(&.*)?`;
      break;
    case 'present':
    case 'absent':
      regex = queryParameterPresentRegex(name);
      break;
    case 'malformed':
      return undefined;
  }
  if (!fitsEnvoy(regex)) return undefined;
  return { name: PATH_HEADER, string_match: { safe_regex: { regex } }, ...(condition.kind === 'absent' ? { invert_match: true } : {}) };
}

/** A cookie, found in the `cookie` header as the VirtualService matches it; absent when the header is missing too. */
function cookieMatcher(name: string, condition: ValueCondition): HeaderMatcher | undefined {
  if (condition.kind === 'malformed') return undefined;
  const regex = cookieRegex(name, condition.kind === 'absent' ? { kind: 'present' } : condition);
  if (!fitsEnvoy(regex)) return undefined;
  return {
    name: COOKIE_HEADER,
    string_match: { safe_regex: { regex } },
    ...(condition.kind === 'absent' ? { invert_match: true, treat_missing_header_as_empty: true } : {}),
  };
}

/** True when RE2 accepts the regex and Envoy's default program-size limit does too. */
function fitsEnvoy(regex: string): boolean {
  const check = checkRe2(regex);
  return check.valid && check.programSize <= ENVOY_MAX_PROGRAM_SIZE;
}

function sortedEntries<T>(map: ReadonlyMap<string, T>): [string, T][] {
  return [...map.entries()].sort(([a], [b]) => compareStrings(a, b));
}
