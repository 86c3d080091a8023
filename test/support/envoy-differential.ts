// The differential between two Envoy configurations of one proxy (meshctl's Envoy target and what
// istiod pushes for the Istio target): concrete requests are derived from the route matches of
// both, each is evaluated by the one evaluator (envoy-request.ts), and the decisions are compared
// in meaning. Cluster names follow Istio's `outbound|<port>|<subset>|<host>` on both sides, read
// here as (host, subset, port) so that a difference in spelling alone never counts.
import {
  accessDecision,
  httpConnectionManager,
  routeConfigOf,
  routeRequest,
  selectFilterChain,
  selectVirtualHost,
  type Caller,
  type Connection,
  type HttpRequest,
  type Json,
  type RouteDecision,
} from './envoy-request.js';

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function list(value: unknown): Json[] {
  return Array.isArray(value) ? (value as Json[]) : [];
}

/** One proxy's configuration from either side: listeners and the route configurations RDS names. */
export interface ProxyView {
  listeners: Json[];
  routes: Json[];
  clusters: Json[];
}

/** meshctl's Envoy bootstrap as a view. */
export function bootstrapView(bootstrap: Json): ProxyView {
  const resources = obj(bootstrap.static_resources);
  return { listeners: list(resources.listeners), routes: [], clusters: list(resources.clusters) };
}

export interface Upstream {
  host: string;
  subset: string;
  port: number;
}

/** `outbound|9080|v1|details.storefront.svc.cluster.local` as (host, subset, port); other names as they are. */
export function upstreamOf(cluster: string): Upstream | string {
  const match = /^outbound\|(\d+)\|([^|]*)\|(.+)$/.exec(cluster);
  return match ? { host: match[3]!, subset: match[2]!, port: Number(match[1]) } : cluster;
}

function describeUpstream(cluster: string): string {
  const upstream = upstreamOf(cluster);
  return typeof upstream === 'string' ? upstream : `${upstream.host}:${upstream.port}${upstream.subset ? `/${upstream.subset}` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Requests that exercise route matches

/** A string the regex matches, built from its literal parts; undefined when none of the attempts matches. */
export function sampleForRegex(regex: string): string | undefined {
  const full = new RegExp(`^(?:${regex})$`);
  let text = regex.replace(/^\^/, '').replace(/\$$/, '');
  // Optional groups go (innermost first), then classes and wildcards take a plain character.
  for (let previous = ''; previous !== text; ) {
    previous = text;
    text = text.replace(/\((?:[^()\\]|\\.)*\)[?*]/g, '');
  }
  text = text.replace(/\(\^\|[^)]*\)/g, '').replace(/\(([^()|]*)\|\$\)/g, '');
  const member = (set: string) => (set.startsWith('^') ? 'x' : set.startsWith('\\') ? set.slice(1, 2) : set.slice(0, 1));
  text = text.replace(/\[([^\]]*)\][+]/g, (_, set: string) => member(set)).replace(/\[[^\]]*\][*?]/g, '').replace(/\[([^\]]*)\]/g, (_, set: string) => member(set));
  text = text.replace(/\\d[+]/g, '1').replace(/\\[ds][*?]/g, '');
  text = text.replace(/\.\*\??/g, '').replace(/\.\+\??/g, 'x');
  text = text.replace(/\(\?:/g, '(').replace(/[()]/g, '').replace(/\\(.)/g, '$1');
  const attempts = [text, text.replace(/\|.*$/, '')];
  return attempts.find((attempt) => full.test(attempt));
}

function sampleFor(matcher: Json): string | undefined {
  if ('exact' in matcher) return String(matcher.exact);
  if ('prefix' in matcher) return `${String(matcher.prefix)}x`;
  if ('suffix' in matcher) return `x${String(matcher.suffix)}`;
  if ('contains' in matcher) return `x${String(matcher.contains)}x`;
  if ('safe_regex' in matcher) return sampleForRegex(String(obj(matcher.safe_regex).regex));
  return undefined;
}

function pathSample(match: Json): string | undefined {
  if ('path' in match) return String(match.path);
  if ('prefix' in match) {
    const prefix = String(match.prefix);
    return prefix.endsWith('/') ? `${prefix}item` : `${prefix}/item`;
  }
  if ('path_separated_prefix' in match) return `${String(match.path_separated_prefix)}/item`;
  if ('safe_regex' in match) return sampleForRegex(String(obj(match.safe_regex).regex));
  return undefined;
}

/** A request each route match of the virtual host accepts (as far as the match can be satisfied), plus a plain GET /. */
export function requestsForVirtualHost(vhost: Json, authority: string): { requests: HttpRequest[]; unsatisfiable: string[] } {
  const requests: HttpRequest[] = [{ authority, path: '/', method: 'GET' }];
  const unsatisfiable: string[] = [];
  for (const route of list(vhost.routes)) {
    const match = obj(route.match);
    const path = pathSample(match);
    if (path === undefined) {
      unsatisfiable.push(`${String(vhost.name)} ${String(route.name)}: path ${JSON.stringify(match)}`);
      continue;
    }
    const request: HttpRequest = { authority, path, method: 'GET', headers: {} };
    let satisfied = true;
    for (const header of list(match.headers)) {
      const name = String(header.name).toLowerCase();
      if (header.invert_match === true || (header.present_match === false)) continue;
      const value = 'string_match' in header ? sampleFor(obj(header.string_match)) : 'present_match' in header ? '1' : undefined;
      if (value === undefined) {
        satisfied = false;
        unsatisfiable.push(`${String(vhost.name)} ${String(route.name)}: header ${JSON.stringify(header)}`);
        break;
      }
      if (name === ':method') request.method = value;
      else if (name === ':authority' || name === 'host') request.authority = value;
      else request.headers![name] = value;
    }
    if (!satisfied) continue;
    const query: string[] = [];
    for (const parameter of list(match.query_parameters)) {
      const value = 'string_match' in parameter ? sampleFor(obj(parameter.string_match)) : '1';
      if (value !== undefined) query.push(`${String(parameter.name)}=${encodeURIComponent(value)}`);
    }
    if (query.length > 0) request.path += `?${query.join('&')}`;
    requests.push(request);
    // The same request with another method: method-specific routes must not take it.
    if (request.method === 'GET') requests.push({ ...request, method: 'DELETE' });
  }
  return { requests, unsatisfiable };
}

export function describeRequest(request: HttpRequest): string {
  const headers = Object.entries(request.headers ?? {})
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ');
  return `${request.method} ${request.authority}${request.path}${headers ? ` [${headers}]` : ''}`;
}

// ---------------------------------------------------------------------------------------------
// Outbound routing

/** What a route decision means, without names that differ only in spelling. */
export interface RouteMeaning {
  upstreams: string[];
  timeoutMs: number;
  retry?: RouteDecision['retry'];
  mirrors: string[];
  fault?: RouteDecision['fault'];
  rewrite?: RouteDecision['rewrite'];
  kind: RouteDecision['kind'];
  redirect?: Json;
  directResponse?: RouteDecision['directResponse'];
}

/** Compared facets of a decision, each separately so that a known difference in one does not hide the others. */
export const FACETS = ['upstreams', 'timeout', 'retry', 'mirrors', 'fault', 'rewrite', 'kind'] as const;
export type Facet = (typeof FACETS)[number];

/**
 * A decision as what it means for the request. A route to clusters the proxy does not have fails
 * like no route at all (503 "no cluster" instead of 404): both are "no route".
 */
export function meaningOf(decision: RouteDecision | undefined, clusters?: readonly Json[]): RouteMeaning | undefined {
  if (!decision) return undefined;
  if (clusters && decision.kind === 'route' && decision.clusters.every((c) => !clusters.some((defined) => defined.name === c.name))) return undefined;
  return {
    kind: decision.kind,
    upstreams: decision.clusters.map((c) => `${describeUpstream(c.name)} ${Math.round(c.share * 1000) / 10}%`).sort(),
    timeoutMs: decision.timeoutMs,
    ...(decision.retry ? { retry: decision.retry } : {}),
    mirrors: decision.mirrors.map((m) => `${describeUpstream(m.cluster)} ${m.percent}%`).sort(),
    ...(decision.fault ? { fault: decision.fault } : {}),
    ...(decision.rewrite ? { rewrite: decision.rewrite } : {}),
    ...(decision.redirect ? { redirect: normalRedirect(decision.redirect) } : {}),
    ...(decision.directResponse ? { directResponse: decision.directResponse } : {}),
  };
}

/** Envoy's defaults spelled out: 301, no path change for "", no explicit default port for the scheme. */
function normalRedirect(redirect: Json): Json {
  const out: Json = { ...redirect };
  out.response_code ??= 'MOVED_PERMANENTLY';
  if (out.path_redirect === '') delete out.path_redirect;
  const scheme = out.scheme_redirect ?? (out.https_redirect === true ? 'https' : undefined);
  if ((scheme === 'https' && Number(out.port_redirect) === 443) || (scheme === 'http' && Number(out.port_redirect) === 80)) delete out.port_redirect;
  return Object.fromEntries(Object.entries(out).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

export function facetOf(meaning: RouteMeaning | undefined, facet: Facet): unknown {
  if (!meaning) return 'no route';
  switch (facet) {
    case 'upstreams':
      return meaning.upstreams;
    case 'timeout':
      return meaning.timeoutMs;
    case 'retry':
      return meaning.retry ?? 'none';
    case 'mirrors':
      return meaning.mirrors;
    case 'fault':
      return meaning.fault ?? 'none';
    case 'rewrite':
      return meaning.rewrite ?? 'none';
    case 'kind':
      return meaning.redirect ? { redirect: meaning.redirect } : meaning.directResponse ? { directResponse: meaning.directResponse } : meaning.kind;
  }
}

/** Virtual hosts istiod adds for traffic to hosts it does not know: not a route to a mesh service. */
const CATCH_ALL_VIRTUAL_HOSTS = new Set(['allow_any', 'block_all']);

function routeConfigsOfListeners(view: ProxyView, keep: (listener: Json) => boolean): Json[] {
  const configs: Json[] = [];
  for (const listener of view.listeners.filter((listener) => keep(listener))) {
    for (const chain of [...list(listener.filter_chains), ...(listener.default_filter_chain ? [obj(listener.default_filter_chain)] : [])]) {
      const hcm = httpConnectionManager(chain);
      const config = hcm ? routeConfigOf(hcm, view.routes) : undefined;
      if (config && !configs.includes(config)) configs.push(config);
    }
  }
  return configs;
}

/**
 * The route the proxy takes for a request it sends out to the port: among the route configurations
 * of the outbound listeners that take a connection to that port, the first whose virtual host for
 * the authority is a real one. Undefined: no route.
 */
export function outboundDecision(view: ProxyView, port: number, request: HttpRequest, outbound: (listener: Json, port: number) => boolean): RouteDecision | undefined {
  for (const config of routeConfigsOfListeners(view, (listener) => outbound(listener, port))) {
    const vhost = selectVirtualHost(config, request.authority);
    if (!vhost || CATCH_ALL_VIRTUAL_HOSTS.has(String(vhost.name)) || (vhost.domains as string[]).every((d) => d === '*')) continue;
    return routeRequest(config, request);
  }
  return undefined;
}

/** Every real virtual host of the proxy's outbound route configurations. */
export function outboundVirtualHosts(view: ProxyView, outbound: (listener: Json) => boolean): Json[] {
  const hosts: Json[] = [];
  for (const config of routeConfigsOfListeners(view, outbound)) {
    for (const vhost of list(config.virtual_hosts)) {
      if (CATCH_ALL_VIRTUAL_HOSTS.has(String(vhost.name)) || ((vhost.domains as string[] | undefined) ?? []).every((d) => d === '*')) continue;
      hosts.push(vhost);
    }
  }
  return hosts;
}

/** Route configurations a gateway's listeners serve, with the port and server names of each. */
export function gatewayRouteConfigs(view: ProxyView): { port: number; serverNames: string[]; tls: boolean; config: Json; chain: Json }[] {
  const out: { port: number; serverNames: string[]; tls: boolean; config: Json; chain: Json }[] = [];
  for (const listener of view.listeners) {
    const port = Number(obj(obj(listener.address).socket_address).port_value);
    for (const chain of list(listener.filter_chains)) {
      const hcm = httpConnectionManager(chain);
      const config = hcm ? routeConfigOf(hcm, view.routes) : undefined;
      if (!config) continue;
      const match = obj(chain.filter_chain_match);
      out.push({ port, serverNames: (match.server_names as string[] | undefined) ?? [], tls: 'transport_socket' in chain, config, chain });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Inbound access

export interface InboundAccess {
  /** False when no filter chain takes the connection (e.g. plain text under strict mutual TLS). */
  accepted: boolean;
  allowed: boolean;
}

export function inboundAccess(listener: Json | undefined, connection: Connection, caller: Caller, destinationPort: number, request?: HttpRequest): InboundAccess {
  if (!listener) return { accepted: false, allowed: false };
  const chain = selectFilterChain(listener, connection);
  if (!chain) return { accepted: false, allowed: false };
  // The chain's transport must suit the connection: a TLS chain cannot take plain text, a plain one
  // cannot terminate TLS, and one that requires a client certificate refuses a peer without one.
  const socket = obj(chain.transport_socket);
  const tls = String(obj(socket.typed_config)['@type'] ?? '').endsWith('.DownstreamTlsContext');
  if (tls !== (connection.transportProtocol === 'tls')) return { accepted: false, allowed: false };
  if (tls && obj(socket.typed_config).require_client_certificate === true && caller.principal === undefined) return { accepted: false, allowed: false };
  return { accepted: true, allowed: accessDecision(chain, caller, destinationPort, request).allowed };
}

/** The ALPN an Istio sidecar offers for HTTP over mutual TLS. */
export const ISTIO_MTLS_ALPN = ['istio-http/1.1', 'istio', 'istio-peer-exchange'];
