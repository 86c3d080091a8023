// One planned mesh route as a Gateway API route rule: its matches, backends (a version is its own
// Service, names.ts), filters (header changes, mirror, redirect, rewrite, CORS) and timeout. The
// planning (order, A/B cohort, default route) is the Istio target's, so both targets route the
// same requests; what the Gateway API cannot say is decided in expressible.ts.
import { compareStrings } from '../../diagnostics/types.js';
import { parseDuration } from '../../model/duration.js';
import type { Destination, MeshModel, ServiceNode } from '../../model/mesh-model.js';
import { normalizeValueMatch } from '../../model/route-match.js';
import type { RouteSpec } from '../../schema/traffic.js';
import { corsSayable, grpcMethod } from './expressible.js';
import { versionServiceName } from './names.js';
import { re2Escape, type StringCondition } from '../../model/conditions.js';
import { ingressPort } from '../../model/ports.js';
import { resolveDestination, type PlannedDestination } from '../../plan/destinations.js';
import { type MatchEntry } from '../../plan/match.js';
import { forwardedTo, type PlannedHttpRoute } from '../../plan/routes.js';

export type Json = Record<string, unknown>;

/** Where the rule is written: the namespace of the route object and the port its parent listens on. */
export interface RuleContext {
  readonly model: MeshModel;
  readonly service: ServiceNode;
  readonly namespace: string;
  /** The service port the route is attached to (mesh), or undefined at a gateway. */
  readonly parentPort?: number;
  readonly kind: 'HTTPRoute' | 'GRPCRoute';
}

/** The Istio backend kind for hosts outside the cluster (Istio's ServiceEntry hosts). */
const ISTIO_HOSTNAME = { group: 'networking.istio.io', kind: 'Hostname' } as const;

/** A backend: a Service (the version's own when a version is named), or an external host. */
export function backendRef(destination: Pick<PlannedDestination, 'node' | 'version' | 'port'>, context: RuleContext): Json {
  const node = destination.node;
  const port = destination.port ?? backendPort(node, context);
  if (node.kind === 'ExternalService') return { ...ISTIO_HOSTNAME, name: node.resource.spec.hosts[0]!, port };
  const name = destination.version !== undefined ? versionServiceName(context.model, node, destination.version) : node.name;
  return { name, ...(node.namespace !== context.namespace ? { namespace: node.namespace } : {}), port };
}

/**
 * A Service backend needs a port. Istio keeps the port the caller used when a destination names
 * none: the parent's port where the destination has it, else (as the Istio target does for such
 * destinations, and at gateways) the destination's first HTTP port.
 */
function backendPort(node: Destination, context: RuleContext): number {
  if (context.parentPort !== undefined && node.resource.spec.ports.some((port) => port.port === context.parentPort)) return context.parentPort;
  return ingressPort(node);
}

export function backendRefs(destinations: readonly PlannedDestination[], context: RuleContext): Json[] {
  const weighted = destinations.length > 1;
  return destinations.map((destination) => ({
    ...backendRef(destination, context),
    ...(weighted ? { weight: destination.weight ?? 0 } : {}),
  }));
}

// --- matches -----------------------------------------------------------------------------------

function valueMatch(match: StringCondition): { type: 'Exact' | 'RegularExpression'; value: string } {
  switch (match.kind) {
    case 'exact':
      return { type: 'Exact', value: match.value };
    case 'prefix':
      return { type: 'RegularExpression', value: `${re2Escape(match.value)}.*` };
    case 'regex':
      return { type: 'RegularExpression', value: match.value };
    case 'present':
      // Any value, the empty one included.
      return { type: 'RegularExpression', value: '.*' };
  }
}

/**
 * A mesh path prefix is a plain string prefix (/cart takes /cartoon); a Gateway API PathPrefix
 * matches whole path segments (/cart takes /cart and /cart/x, not /cartoon) and ignores a trailing
 * "/". It is still written as a PathPrefix: Istio ranks a regular expression below every prefix
 * (the default route's "/" included), so a regex would never be reached, while prefixes keep the
 * mesh file's order where the longer prefix comes first. MESH704 reports each prefix that does
 * not end at a segment.
 */
function pathMatch(path: NonNullable<MatchEntry['path']>): Json | undefined {
  switch (path.kind) {
    case 'exact':
      return { type: 'Exact', value: path.value };
    case 'prefix':
      if (path.value === '/' || path.value === '') return undefined;
      return { type: 'PathPrefix', value: path.value };
    case 'regex':
      return { type: 'RegularExpression', value: path.value };
  }
}

export function httpRouteMatch(entry: MatchEntry): Json {
  const path = entry.path ? pathMatch(entry.path) : undefined;
  const headers = [...entry.headers].sort((a, b) => compareStrings(a.name, b.name)).map((header) => ({ name: header.name, ...valueMatch(header.match) }));
  const queryParams = [...entry.query].sort(([a], [b]) => compareStrings(a, b)).map(([name, match]) => ({ name, ...valueMatch(match) }));
  return {
    ...(path ? { path } : {}),
    ...(headers.length > 0 ? { headers } : {}),
    ...(queryParams.length > 0 ? { queryParams } : {}),
    ...(entry.method ? { method: entry.method } : {}),
  };
}

/** A gRPC method is the path /<service>/<method>: an exact path names one, a prefix /<service>/ a whole service. */
export function grpcRouteMatch(entry: MatchEntry): Json | undefined {
  const headers = [...entry.headers].sort((a, b) => compareStrings(a.name, b.name)).map((header) => ({ name: header.name, ...valueMatch(header.match) }));
  const method = entry.path ? grpcMethod(entry.path) : undefined;
  if (entry.path && !method) return undefined;
  return { ...(method ? { method } : {}), ...(headers.length > 0 ? { headers } : {}) };
}

// --- filters -----------------------------------------------------------------------------------

function headerModifier(changes: NonNullable<NonNullable<RouteSpec['headers']>['request']>): Json | undefined {
  const list = (record: Record<string, string> | undefined) =>
    Object.entries(record ?? {})
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([name, value]) => ({ name, value }));
  const set = list(changes.set);
  const add = list(changes.add);
  const remove = [...(changes.remove ?? [])];
  if (set.length + add.length + remove.length === 0) return undefined;
  return { ...(set.length ? { set } : {}), ...(add.length ? { add } : {}), ...(remove.length ? { remove } : {}) };
}

/** A mirror's share: a whole percent as `percent`, else a fraction in millionths. */
function mirrorShare(percent: number): Json {
  if (percent >= 100) return {};
  if (Number.isInteger(percent)) return { percent };
  return { fraction: { numerator: Math.round(percent * 10_000), denominator: 1_000_000 } };
}

function redirectFilter(redirect: NonNullable<RouteSpec['redirect']>): Json {
  return {
    type: 'RequestRedirect',
    requestRedirect: {
      ...(redirect.scheme !== undefined ? { scheme: redirect.scheme } : {}),
      ...(redirect.authority !== undefined ? { hostname: redirect.authority } : {}),
      ...(redirect.uri !== undefined ? { path: { type: 'ReplaceFullPath', replaceFullPath: redirect.uri } } : {}),
      ...(redirect.port !== undefined ? { port: redirect.port } : {}),
      statusCode: redirect.status,
    },
  };
}

function rewriteFilter(rewrite: NonNullable<RouteSpec['rewrite']>, rewritesPrefix: boolean): Json | undefined {
  const path =
    rewrite.uri !== undefined ? { type: 'ReplaceFullPath', replaceFullPath: rewrite.uri }
    : rewrite.prefix !== undefined && rewritesPrefix ? { type: 'ReplacePrefixMatch', replacePrefixMatch: rewrite.prefix }
    : undefined;
  const out = { ...(rewrite.authority !== undefined ? { hostname: rewrite.authority } : {}), ...(path ? { path } : {}) };
  return Object.keys(out).length > 0 ? { type: 'URLRewrite', urlRewrite: out } : undefined;
}

function corsFilter(cors: NonNullable<RouteSpec['cors']>): Json | undefined {
  if (!corsSayable(cors)) return undefined;
  const allowOrigins: string[] = [];
  for (const origin of cors.allowOrigins) {
    const condition = normalizeValueMatch(origin);
    if (condition.kind === 'present') allowOrigins.push('*');
    else if (condition.kind === 'exact') allowOrigins.push(condition.value);
  }
  if (allowOrigins.length === 0) return undefined;
  const maxAge = cors.maxAge !== undefined ? Math.floor((parseDuration(cors.maxAge) ?? 0) / 1000) : undefined;
  return {
    type: 'CORS',
    cors: {
      allowOrigins: [...new Set(allowOrigins)],
      ...(cors.allowMethods?.length ? { allowMethods: [...new Set(cors.allowMethods)] } : {}),
      ...(cors.allowHeaders?.length ? { allowHeaders: [...new Set(cors.allowHeaders)] } : {}),
      ...(cors.exposeHeaders?.length ? { exposeHeaders: [...new Set(cors.exposeHeaders)] } : {}),
      ...(maxAge !== undefined && maxAge > 0 ? { maxAge } : {}),
      ...(cors.allowCredentials !== undefined ? { allowCredentials: cors.allowCredentials } : {}),
    },
  };
}

/** Gateway API durations: at most four parts of at most five digits, whole milliseconds. */
export function gatewayDuration(text: string): string {
  const total = Math.round(parseDuration(text) ?? Number.NaN);
  if (!Number.isFinite(total)) throw new Error(`duration "${text}" reached the compiler; validation should have refused it`);
  if (total === 0) return '0s';
  const parts: string[] = [];
  let rest = total;
  for (const [unit, size] of [['h', 3_600_000], ['m', 60_000], ['s', 1000], ['ms', 1]] as const) {
    const amount = Math.floor(rest / size);
    if (amount > 0) parts.push(`${amount}${unit}`);
    rest -= amount * size;
  }
  return parts.join('');
}

/** True when the route's matches say paths by prefix (a PathPrefix match, which a prefix rewrite needs). */
export function rewritesPrefix(route: RouteSpec | undefined): boolean {
  const rewrite = route?.rewrite;
  if (rewrite?.prefix === undefined || rewrite.uri !== undefined) return false;
  const path = route?.match?.path;
  return typeof path === 'string' || path?.prefix !== undefined;
}

/**
 * The rule for a planned route whose match entries are `entries`; undefined when the GRPCRoute
 * cannot say a match. The caller has left out routes expressible.ts refuses.
 */
export function routeRule(planned: PlannedHttpRoute, entries: readonly MatchEntry[] | undefined, context: RuleContext): Json | undefined {
  const route = planned.route;
  const prefixRewrite = rewritesPrefix(route);
  const grpc = context.kind === 'GRPCRoute';
  let matches: Json[] | undefined;
  if (entries && entries.length > 0) {
    const converted = entries.map((entry) => (grpc ? grpcRouteMatch(entry) : httpRouteMatch(entry)));
    if (converted.some((match) => match === undefined)) return undefined;
    const seen = new Set<string>();
    matches = (converted as Json[]).filter((match) => {
      const key = JSON.stringify(match);
      return seen.has(key) ? false : (seen.add(key), true);
    });
    // A match with no condition matches everything, which is what no matches says.
    if (matches.some((match) => Object.keys(match).length === 0)) matches = undefined;
  }
  const filters: Json[] = [];
  // A rule that matches every request says so with an empty list: left out, the API server would
  // fill in a PathPrefix "/" match, which Istio ranks above every regex path of the route, while
  // no match at all it ranks last, where the mesh file's catch-all is.
  const rule: Json = { name: planned.name, matches: matches ?? [] };
  if (route?.headers?.request) {
    const modifier = headerModifier(route.headers.request);
    if (modifier) filters.push({ type: 'RequestHeaderModifier', requestHeaderModifier: modifier });
  }
  if (route?.headers?.response) {
    const modifier = headerModifier(route.headers.response);
    if (modifier) filters.push({ type: 'ResponseHeaderModifier', responseHeaderModifier: modifier });
  }
  if (route?.redirect && !grpc) {
    filters.push(redirectFilter(route.redirect));
  } else if (!route?.redirect) {
    const destinations = forwardedTo(planned);
    if (!destinations?.length) throw new Error(`${context.service.key}: route "${planned.name}" forwards nowhere`);
    rule.backendRefs = backendRefs(destinations, context);
    if (route?.rewrite && !grpc) {
      const rewrite = rewriteFilter(route.rewrite, prefixRewrite);
      if (rewrite) filters.push(rewrite);
    }
    if (route?.mirror) {
      const mirror = route.mirror;
      const node = mirror.service === undefined ? context.service : resolveDestination(context.model, mirror.service, context.service);
      filters.push({
        type: 'RequestMirror',
        requestMirror: { backendRef: backendRef({ node, ...(mirror.version !== undefined ? { version: mirror.version } : {}) }, context), ...mirrorShare(mirror.percent) },
      });
    }
    if (route?.timeout !== undefined && !grpc) rule.timeouts = { request: gatewayDuration(route.timeout) };
  }
  if (route?.cors && !grpc) {
    const cors = corsFilter(route.cors);
    if (cors) filters.push(cors);
  }
  if (filters.length > 0) rule.filters = filters;
  return rule;
}
