// What an Envoy does with one request, read from its configuration in Envoy's own JSON form (proto
// field names: what `envoy -c` reads and what istiod pushes). One evaluator for every source of
// configuration, so that meshctl's Envoy target and Istio's pilot are judged by the same reading:
// which filter chain takes a connection, which virtual host and route take a request, what the
// route does (clusters and weights, timeout, retries, mirrors, faults, rewrites), and whether the
// RBAC filters let it through.
//
// Envoy's matching order is followed where the configurations here rely on it; fields neither side
// uses are rejected rather than ignored, so a configuration this reader does not understand fails
// the test instead of being judged by a guess.

export type Json = Record<string, unknown>;

export interface HttpRequest {
  /** The Host / :authority header, with or without a port. */
  authority: string;
  path: string;
  method: string;
  /** Lower-case names. Cookies go in `cookie`, as a client sends them. */
  headers?: Record<string, string>;
}

/** Who sends the request, as the receiving proxy sees it. */
export interface Caller {
  /** The peer certificate's URI SAN (spiffe://...), when the connection is mutual TLS. */
  principal?: string;
  /** The peer's address. */
  ip?: string;
  /** Claims of a validated JWT: both Istio's (istio_authn) and meshctl's (jwt_authn payload) metadata are filled from them. */
  jwtClaims?: Record<string, string | string[]>;
}

// ---------------------------------------------------------------------------------------------
// Reading

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function num(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value !== '' && !Number.isNaN(Number(value))) return Number(value);
  return undefined;
}

/** A Duration ("1.5s", as both protojson and meshctl write it) in milliseconds. */
export function durationMs(value: unknown): number | undefined {
  const text = str(value);
  if (text === undefined) return undefined;
  const match = /^(-?\d+(?:\.\d+)?)s$/.exec(text);
  if (!match) throw new Error(`not a Duration: ${text}`);
  return Math.round(Number(match[1]) * 1000);
}

// ---------------------------------------------------------------------------------------------
// String matchers (envoy.type.matcher.v3.StringMatcher)

function fullRegex(regex: string, flags = ''): RegExp {
  // RE2 syntax as Envoy uses it is, for the patterns here, also JavaScript syntax.
  return new RegExp(`^(?:${regex})$`, flags);
}

export function stringMatches(matcher: Json, value: string | undefined): boolean {
  if (value === undefined) return false;
  const ignoreCase = matcher.ignore_case === true;
  const v = ignoreCase ? value.toLowerCase() : value;
  const norm = (s: unknown) => (ignoreCase ? String(s).toLowerCase() : String(s));
  if ('exact' in matcher) return v === norm(matcher.exact);
  if ('prefix' in matcher) return v.startsWith(norm(matcher.prefix));
  if ('suffix' in matcher) return v.endsWith(norm(matcher.suffix));
  if ('contains' in matcher) return v.includes(norm(matcher.contains));
  if ('safe_regex' in matcher) return fullRegex(str(obj(matcher.safe_regex).regex) ?? '', ignoreCase ? 'i' : '').test(value);
  throw new Error(`unsupported string matcher ${JSON.stringify(matcher)}`);
}

// ---------------------------------------------------------------------------------------------
// Headers (config.route.v3.HeaderMatcher), shared by routes and RBAC

function headerValue(request: HttpRequest, name: string): string | undefined {
  if (name === ':path') return request.path;
  if (name === ':method') return request.method;
  if (name === ':authority' || name === 'host') return request.authority;
  return request.headers?.[name.toLowerCase()];
}

export function headerMatches(matcher: Json, request: HttpRequest): boolean {
  const invert = matcher.invert_match === true;
  let value = headerValue(request, str(matcher.name) ?? '');
  if ('present_match' in matcher) {
    const result = (value !== undefined) === (matcher.present_match === true);
    return invert ? !result : result;
  }
  // A missing header fails every value matcher, inverted or not, unless it counts as empty.
  if (value === undefined) {
    if (matcher.treat_missing_header_as_empty !== true) return false;
    value = '';
  }
  let result: boolean;
  if ('string_match' in matcher) result = stringMatches(obj(matcher.string_match), value);
  else if ('exact_match' in matcher) result = value === matcher.exact_match;
  else if ('prefix_match' in matcher) result = value.startsWith(String(matcher.prefix_match));
  else if ('suffix_match' in matcher) result = value.endsWith(String(matcher.suffix_match));
  else if ('safe_regex_match' in matcher) result = fullRegex(str(obj(matcher.safe_regex_match).regex) ?? '').test(value);
  else result = true; // no value matcher: presence
  return invert ? !result : result;
}

// ---------------------------------------------------------------------------------------------
// Route configuration

export interface RouteDecision {
  virtualHost: string;
  route: string;
  kind: 'route' | 'redirect' | 'direct_response';
  /** Upstream clusters and their share of requests (fractions summing to 1). */
  clusters: { name: string; share: number }[];
  timeoutMs: number;
  retry?: { attempts: number; on: string[]; statusCodes: number[]; perTryTimeoutMs?: number };
  mirrors: { cluster: string; percent: number }[];
  rewrite?: { prefix?: string; regex?: { pattern: string; substitution: string }; host?: string };
  fault?: { delay?: { fixedMs: number; percent: number }; abort?: { status: number; percent: number } };
  redirect?: Json;
  directResponse?: { status: number };
}

/** The virtual host Envoy picks for the authority: exact, then longest suffix wildcard, then longest prefix wildcard, then "*". */
export function selectVirtualHost(routeConfig: Json, authority: string): Json | undefined {
  const hosts = list(routeConfig.virtual_hosts);
  const host = authority.toLowerCase();
  const candidates = (h: string) => {
    let best: Json | undefined;
    let bestRank = -1;
    for (const vhost of hosts) {
      for (const domain of (vhost.domains as string[] | undefined) ?? []) {
        const d = domain.toLowerCase();
        let rank = -1;
        if (d === h) rank = 3_000_000;
        else if (d.startsWith('*') && d !== '*' && h.endsWith(d.slice(1)) && h.length > d.length - 1) rank = 2_000_000 + d.length;
        else if (d.endsWith('*') && d !== '*' && h.startsWith(d.slice(0, -1)) && h.length > d.length - 1) rank = 1_000_000 + d.length;
        else if (d === '*') rank = 0;
        if (rank > bestRank) {
          bestRank = rank;
          best = vhost;
        }
      }
    }
    return { best, bestRank };
  };
  // istiod writes domains without ports and sets ignore_port_in_host_matching; meshctl writes both forms.
  const target = routeConfig.ignore_port_in_host_matching === true ? host.replace(/:\d+$/, '') : host;
  return candidates(target).best;
}

function pathMatches(match: Json, path: string): boolean {
  const pathOnly = path.split('?')[0] ?? path;
  const caseSensitive = match.case_sensitive !== false;
  const p = caseSensitive ? pathOnly : pathOnly.toLowerCase();
  const norm = (s: unknown) => (caseSensitive ? String(s) : String(s).toLowerCase());
  if ('prefix' in match) return p.startsWith(norm(match.prefix));
  if ('path' in match) return p === norm(match.path);
  if ('safe_regex' in match) return fullRegex(str(obj(match.safe_regex).regex) ?? '', caseSensitive ? '' : 'i').test(pathOnly);
  if ('path_separated_prefix' in match) {
    const prefix = norm(match.path_separated_prefix);
    return p === prefix || p.startsWith(`${prefix}/`);
  }
  throw new Error(`unsupported route match ${JSON.stringify(match)}`);
}

function queryParameters(path: string): Map<string, string> {
  const query = path.includes('?') ? path.slice(path.indexOf('?') + 1) : '';
  return new Map([...new URLSearchParams(query).entries()]);
}

export function routeMatches(match: Json, request: HttpRequest): boolean {
  if (!pathMatches(match, request.path)) return false;
  for (const header of list(match.headers)) if (!headerMatches(header, request)) return false;
  const params = queryParameters(request.path);
  for (const parameter of list(match.query_parameters)) {
    const value = params.get(str(parameter.name) ?? '');
    if ('present_match' in parameter) {
      if ((value !== undefined) !== (parameter.present_match === true)) return false;
    } else if ('string_match' in parameter) {
      if (!stringMatches(obj(parameter.string_match), value)) return false;
    } else if (value === undefined) return false;
  }
  return true;
}

function fraction(value: unknown): number {
  const percent = obj(value);
  const numerator = num(percent.numerator) ?? 0;
  const denominator = str(percent.denominator) ?? 'HUNDRED';
  const scale = denominator === 'HUNDRED' ? 100 : denominator === 'TEN_THOUSAND' ? 10_000 : 1_000_000;
  return (numerator / scale) * 100;
}

function retryOf(policy: Json | undefined): RouteDecision['retry'] {
  if (!policy || Object.keys(policy).length === 0) return undefined;
  const on = (str(policy.retry_on) ?? '').split(',').map((s) => s.trim()).filter((s) => s !== '').sort();
  const attempts = num(policy.num_retries) ?? 1; // Envoy's default when a retry policy is present
  const perTry = durationMs(policy.per_try_timeout);
  return {
    attempts,
    on,
    statusCodes: ((policy.retriable_status_codes as unknown[] | undefined) ?? []).map(Number).sort((a, b) => a - b),
    ...(perTry !== undefined ? { perTryTimeoutMs: perTry } : {}),
  };
}

const FAULT_FILTER = 'envoy.filters.http.fault';

function faultOf(route: Json, vhost: Json): RouteDecision['fault'] {
  const config = obj(obj(route.typed_per_filter_config)[FAULT_FILTER]) as Json;
  const chosen = Object.keys(config).length > 0 ? config : obj(obj(vhost.typed_per_filter_config)[FAULT_FILTER]);
  if (Object.keys(chosen).length === 0) return undefined;
  const fault: NonNullable<RouteDecision['fault']> = {};
  const delay = obj(chosen.delay);
  if (Object.keys(delay).length > 0) fault.delay = { fixedMs: durationMs(delay.fixed_delay) ?? 0, percent: fraction(delay.percentage) };
  const abort = obj(chosen.abort);
  if (Object.keys(abort).length > 0) fault.abort = { status: num(abort.http_status) ?? 0, percent: fraction(abort.percentage) };
  return Object.keys(fault).length > 0 ? fault : undefined;
}

/** Envoy's route timeout when a route sets none. */
const ENVOY_DEFAULT_ROUTE_TIMEOUT_MS = 15_000;

/** The route Envoy picks for the request in this route configuration, and what it does; undefined when none matches (404). */
export function routeRequest(routeConfig: Json, request: HttpRequest): RouteDecision | undefined {
  const vhost = selectVirtualHost(routeConfig, request.authority);
  if (!vhost) return undefined;
  const route = list(vhost.routes).find((candidate) => routeMatches(obj(candidate.match), request));
  if (!route) return undefined;
  const base = { virtualHost: str(vhost.name) ?? '', route: str(route.name) ?? '', mirrors: [] as RouteDecision['mirrors'], clusters: [] as RouteDecision['clusters'] };
  if ('redirect' in route) return { ...base, kind: 'redirect', timeoutMs: 0, redirect: obj(route.redirect) };
  if ('direct_response' in route) return { ...base, kind: 'direct_response', timeoutMs: 0, directResponse: { status: num(obj(route.direct_response).status) ?? 0 } };
  const action = obj(route.route);
  let clusters: RouteDecision['clusters'];
  if (str(action.cluster) !== undefined) clusters = [{ name: str(action.cluster)!, share: 1 }];
  else if ('weighted_clusters' in action) {
    const weighted = list(obj(action.weighted_clusters).clusters).map((c) => ({ name: str(c.name) ?? '', weight: num(c.weight) ?? 0 }));
    const total = weighted.reduce((sum, c) => sum + c.weight, 0);
    clusters = weighted.filter((c) => c.weight > 0).map((c) => ({ name: c.name, share: c.weight / total }));
  } else throw new Error(`unsupported route action ${JSON.stringify(action)}`);
  const timeout = durationMs(action.timeout);
  const retry = retryOf(obj(action.retry_policy).retry_on !== undefined || 'num_retries' in obj(action.retry_policy) ? obj(action.retry_policy) : obj(vhost.retry_policy));
  const rewrite: NonNullable<RouteDecision['rewrite']> = {};
  if (str(action.prefix_rewrite) !== undefined) rewrite.prefix = str(action.prefix_rewrite)!;
  if ('regex_rewrite' in action) {
    const regex = obj(action.regex_rewrite);
    rewrite.regex = { pattern: str(obj(regex.pattern).regex) ?? '', substitution: str(regex.substitution) ?? '' };
  }
  if (str(action.host_rewrite_literal) !== undefined) rewrite.host = str(action.host_rewrite_literal)!;
  const fault = faultOf(route, vhost);
  return {
    ...base,
    kind: 'route',
    clusters,
    timeoutMs: timeout ?? ENVOY_DEFAULT_ROUTE_TIMEOUT_MS,
    ...(retry ? { retry } : {}),
    mirrors: list(action.request_mirror_policies).map((m) => ({ cluster: str(m.cluster) ?? '', percent: 'runtime_fraction' in m ? fraction(obj(m.runtime_fraction).default_value) : 100 })),
    ...(Object.keys(rewrite).length > 0 ? { rewrite } : {}),
    ...(fault ? { fault } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Listeners and filter chains

export interface Connection {
  /** The original destination port (what `destination_port` matches). */
  destinationPort: number;
  transportProtocol: 'tls' | 'raw_buffer';
  /** ALPN the client offers. */
  applicationProtocols?: string[];
  serverName?: string;
}

/** The filter chain Envoy picks for the connection: most specific destination port, then server name, transport protocol, ALPN; else the default chain. */
export function selectFilterChain(listener: Json, connection: Connection): Json | undefined {
  let best: Json | undefined;
  let bestScore = -1;
  for (const chain of list(listener.filter_chains)) {
    const match = obj(chain.filter_chain_match);
    let score = 0;
    const port = num(match.destination_port);
    if (port !== undefined) {
      if (port !== connection.destinationPort) continue;
      score += 1000;
    }
    const names = (match.server_names as string[] | undefined) ?? [];
    if (names.length > 0) {
      if (!connection.serverName || !names.some((n) => n === connection.serverName || (n.startsWith('*.') && connection.serverName!.endsWith(n.slice(1))))) continue;
      score += 100;
    }
    const transport = str(match.transport_protocol);
    if (transport !== undefined && transport !== '') {
      if (transport !== connection.transportProtocol) continue;
      score += 10;
    }
    const alpn = (match.application_protocols as string[] | undefined) ?? [];
    if (alpn.length > 0) {
      if (!alpn.some((p) => connection.applicationProtocols?.includes(p))) continue;
      score += 1;
    }
    if (score > bestScore) {
      bestScore = score;
      best = chain;
    }
  }
  return best ?? (listener.default_filter_chain as Json | undefined);
}

export const HCM = 'envoy.filters.network.http_connection_manager';

/** The chain's HTTP connection manager configuration, if it has one. */
export function httpConnectionManager(chain: Json): Json | undefined {
  const filter = list(chain.filters).find((f) => f.name === HCM || str(obj(f.typed_config)['@type'])?.endsWith('.HttpConnectionManager'));
  return filter ? obj(filter.typed_config) : undefined;
}

/** The route configuration a connection manager uses: inline, or by RDS name from the given list. */
export function routeConfigOf(hcm: Json, routeConfigs: readonly Json[]): Json | undefined {
  if ('route_config' in hcm) return obj(hcm.route_config);
  const name = str(obj(hcm.rds).route_config_name);
  return name === undefined ? undefined : routeConfigs.find((config) => config.name === name);
}

// ---------------------------------------------------------------------------------------------
// RBAC (extensions.filters.http.rbac.v3.RBAC, config.rbac.v3)

interface RbacContext {
  request?: HttpRequest;
  caller: Caller;
  destinationPort: number;
}

function metadataOf(caller: Caller): Record<string, Json> {
  const claims = caller.jwtClaims;
  if (!claims) return {};
  const principal = claims.iss !== undefined && claims.sub !== undefined ? `${String(claims.iss)}/${String(claims.sub)}` : undefined;
  return {
    istio_authn: { 'request.auth.claims': Object.fromEntries(Object.entries(claims).map(([k, v]) => [k, Array.isArray(v) ? v : [v]])), ...(principal ? { 'request.auth.principal': principal } : {}) },
    // The JWT filter's payload under the key each side configures: istiod's "payload", meshctl's "jwt_payload".
    'envoy.filters.http.jwt_authn': { payload: claims, jwt_payload: claims },
  };
}

function valueMatches(matcher: Json, value: unknown): boolean {
  if ('string_match' in matcher) return typeof value === 'string' && stringMatches(obj(matcher.string_match), value);
  if ('list_match' in matcher) return Array.isArray(value) && value.some((item) => valueMatches(obj(obj(matcher.list_match).one_of), item));
  if ('present_match' in matcher) return (value !== undefined) === (matcher.present_match === true);
  if ('or_match' in matcher) return list(obj(matcher.or_match).value_matchers).some((m) => valueMatches(m, value));
  throw new Error(`unsupported value matcher ${JSON.stringify(matcher)}`);
}

function metadataMatches(matcher: Json, caller: Caller): boolean {
  let value: unknown = metadataOf(caller)[str(matcher.filter) ?? ''];
  for (const segment of list(matcher.path)) value = obj(value)[str(segment.key) ?? ''];
  const result = valueMatches(obj(matcher.value), value);
  return matcher.invert === true ? !result : result;
}

function ipMatches(range: Json, ip: string | undefined): boolean {
  if (!ip) return false;
  const prefix = str(range.address_prefix) ?? '';
  const length = num(range.prefix_len) ?? 32;
  const toInt = (address: string) => address.split('.').reduce((acc, part) => acc * 256 + Number(part), 0);
  if (!prefix.includes('.') || !ip.includes('.')) return prefix === ip;
  const mask = length === 0 ? 0 : 2 ** 32 - 2 ** (32 - length);
  return (toInt(prefix) & mask) >>> 0 === (toInt(ip) & mask) >>> 0;
}

const PEER_PRINCIPAL_FILTER_STATE = 'io.istio.peer_principal';

function principalMatches(id: Json, context: RbacContext): boolean {
  if (id.any === true) return true;
  if ('and_ids' in id) return list(obj(id.and_ids).ids).every((i) => principalMatches(i, context));
  if ('or_ids' in id) return list(obj(id.or_ids).ids).some((i) => principalMatches(i, context));
  if ('not_id' in id) return !principalMatches(obj(id.not_id), context);
  if ('authenticated' in id) {
    const name = obj(obj(id.authenticated).principal_name);
    // Without principal_name any authenticated (mutual TLS) peer matches.
    if (Object.keys(name).length === 0) return context.caller.principal !== undefined;
    return stringMatches(name, context.caller.principal);
  }
  if ('filter_state' in id) {
    const state = obj(id.filter_state);
    if (state.key !== PEER_PRINCIPAL_FILTER_STATE) throw new Error(`unsupported filter_state principal ${JSON.stringify(state)}`);
    return stringMatches(obj(state.string_match), context.caller.principal);
  }
  if ('direct_remote_ip' in id) return ipMatches(obj(id.direct_remote_ip), context.caller.ip);
  if ('remote_ip' in id) return ipMatches(obj(id.remote_ip), context.caller.ip);
  if ('source_ip' in id) return ipMatches(obj(id.source_ip), context.caller.ip);
  if ('header' in id) return context.request !== undefined && headerMatches(obj(id.header), context.request);
  if ('url_path' in id) return context.request !== undefined && stringMatches(obj(obj(id.url_path).path), context.request.path.split('?')[0]);
  if ('metadata' in id) return metadataMatches(obj(id.metadata), context.caller);
  throw new Error(`unsupported RBAC principal ${JSON.stringify(id)}`);
}

function permissionMatches(permission: Json, context: RbacContext): boolean {
  if (permission.any === true) return true;
  if ('and_rules' in permission) return list(obj(permission.and_rules).rules).every((r) => permissionMatches(r, context));
  if ('or_rules' in permission) return list(obj(permission.or_rules).rules).some((r) => permissionMatches(r, context));
  if ('not_rule' in permission) return !permissionMatches(obj(permission.not_rule), context);
  if ('header' in permission) return context.request !== undefined && headerMatches(obj(permission.header), context.request);
  if ('url_path' in permission) return context.request !== undefined && stringMatches(obj(obj(permission.url_path).path), context.request.path.split('?')[0]);
  if ('destination_port' in permission) return num(permission.destination_port) === context.destinationPort;
  if ('metadata' in permission) return metadataMatches(obj(permission.metadata), context.caller);
  throw new Error(`unsupported RBAC permission ${JSON.stringify(permission)}`);
}

function policyMatches(policy: Json, context: RbacContext): boolean {
  return list(policy.permissions).some((p) => permissionMatches(p, context)) && list(policy.principals).some((p) => principalMatches(p, context));
}

/** One RBAC filter's verdict: true when it lets the request through. Shadow rules only log. */
function rbacAllows(config: Json, context: RbacContext): boolean {
  if (!('rules' in config)) return true;
  const rules = obj(config.rules);
  const action = str(rules.action) ?? 'ALLOW';
  const matched = Object.values(obj(rules.policies)).some((policy) => policyMatches(obj(policy), context));
  if (action === 'ALLOW') return matched;
  if (action === 'DENY') return !matched;
  if (action === 'LOG') return true;
  throw new Error(`unsupported RBAC action ${action}`);
}

const RBAC_TYPES = ['type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC', 'type.googleapis.com/envoy.extensions.filters.network.rbac.v3.RBAC'];

export interface AccessDecision {
  allowed: boolean;
  /** Names of the filters that refused it. */
  deniedBy: string[];
}

/**
 * Whether the RBAC filters of a filter chain let the request (or, for a TCP chain, the connection)
 * through: the network filters' first, then, for HTTP, the connection manager's HTTP filters in
 * order. The JWT filter's requirement must be met and every RBAC filter must agree; the caller's
 * claims are taken as a token validated by the provider whose issuer they name.
 */
export function accessDecision(chain: Json, caller: Caller, destinationPort: number, request?: HttpRequest): AccessDecision {
  const deniedBy: string[] = [];
  const check = (filters: Json[], context: RbacContext) => {
    for (const filter of filters) {
      const config = obj(filter.typed_config);
      if (!RBAC_TYPES.includes(str(config['@type']) ?? '')) continue;
      if (!rbacAllows(config, context)) deniedBy.push(str(filter.name) ?? '');
    }
  };
  check(list(chain.filters), { caller, destinationPort });
  const hcm = httpConnectionManager(chain);
  if (hcm && request) {
    for (const filter of list(hcm.http_filters)) {
      const config = obj(filter.typed_config);
      if (str(config['@type']) === JWT_AUTHN_TYPE && !jwtAllows(config, caller, request)) deniedBy.push(str(filter.name) ?? '');
    }
    check(list(hcm.http_filters), { caller, destinationPort, request });
  }
  return { allowed: deniedBy.length === 0, deniedBy };
}

const JWT_AUTHN_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication';

/**
 * The JWT filter's requirement for the request, met by the caller's token: a token is taken as
 * valid for the provider whose issuer it names (signature and audience are not checked here).
 */
function jwtAllows(config: Json, caller: Caller, request: HttpRequest): boolean {
  const rule = list(config.rules).find((candidate) => routeMatches(obj(candidate.match), request));
  if (!rule) return true;
  const providers = obj(config.providers);
  const issuer = caller.jwtClaims?.iss;
  const met = (requirement: Json): boolean => {
    if ('provider_name' in requirement) return issuer !== undefined && obj(providers[str(requirement.provider_name) ?? '']).issuer === issuer;
    if ('provider_and_audiences' in requirement) return met({ provider_name: obj(requirement.provider_and_audiences).provider_name });
    if ('requires_any' in requirement) return list(obj(requirement.requires_any).requirements).some(met);
    if ('requires_all' in requirement) return list(obj(requirement.requires_all).requirements).every(met);
    if ('allow_missing' in requirement) return issuer === undefined;
    if ('allow_missing_or_failed' in requirement) return true;
    throw new Error(`unsupported JWT requirement ${JSON.stringify(requirement)}`);
  };
  return met(obj(rule.requires));
}
