// A service's planned routes (src/plan/routes.ts, the plan the Istio target writes as a
// VirtualService, so both targets route alike) as Envoy routes. A planned route ORs its match
// entries; an Envoy route has one match, so each entry becomes one Envoy route with the same
// action, in order. Settings mirror Istio's translation of the VirtualService:
// no `timeout` means no timeout (Envoy's default would be 15s); no `retries` means Istio's default
// retry policy; faults are the caller's (Istio applies VirtualService faults in the caller's proxy).
import { compareStrings } from '../../diagnostics/types.js';
import type { HeaderCondition, StringCondition } from '../../model/conditions.js';
import type { Destination, MeshModel, ServiceNode } from '../../model/mesh-model.js';
import { isHttpFamily } from '../../model/ports.js';
import type { PlannedDestination } from '../../plan/destinations.js';
import { isUnconditional, type MatchEntry } from '../../plan/match.js';
import { resolveRewrite, type CorsPlan, type FaultPlan, type ForwardAction, type HeaderChanges, type RedirectAction, type RetryPlan } from '../../plan/route-actions.js';
import { resiliencePlan } from '../../plan/resilience.js';
import type { PlannedHttpRoute } from '../../plan/routes.js';
import type { ClusterSet } from './clusters.js';
import { CORS_FILTER, CORS_POLICY_TYPE, FAULT_FILTER, FAULT_TYPE, fractionalPercent, seconds, type Json } from './types.js';

/** Istio's retry policy for routes that set none (pilot's retry.DefaultPolicy). */
export const DEFAULT_RETRY_ON = 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes';
export const DEFAULT_RETRY_ATTEMPTS = 2;
const PREVIOUS_HOSTS = {
  name: 'envoy.retry_host_predicates.previous_hosts',
  typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' },
};

const REDIRECT_CODE: Record<number, string> = {
  301: 'MOVED_PERMANENTLY',
  302: 'FOUND',
  303: 'SEE_OTHER',
  307: 'TEMPORARY_REDIRECT',
  308: 'PERMANENT_REDIRECT',
};

export interface RouteContext {
  readonly model: MeshModel;
  /** The service whose routes these are. */
  readonly service: ServiceNode;
  readonly clusters: ClusterSet;
  /** The port requests arrived for; destinations without a port go to it when they have it. */
  readonly port?: number;
}

/** The port a destination is sent to: as written, else the arrival port if it has one, else its first HTTP port. */
export function destinationPort(node: Destination, written: number | undefined, arrival: number | undefined): number {
  if (written !== undefined) return written;
  const ports = node.resource.spec.ports;
  if (arrival !== undefined && ports.some((port) => port.port === arrival)) return arrival;
  return (ports.find(isHttpFamily) ?? ports[0]!).port;
}

export function clusterFor(context: RouteContext, destination: Pick<PlannedDestination, 'node' | 'version' | 'port'>): string {
  return context.clusters.outbound(destination.node, destination.version, destinationPort(destination.node, destination.port, context.port));
}

/** The Envoy routes of one planned route; `entries` as planned, or as a gateway narrowed them. */
export function toEnvoyRoutes(planned: PlannedHttpRoute, entries: readonly MatchEntry[] | undefined, context: RouteContext): Json[] {
  const matches = !entries || entries.some(isUnconditional) ? [{ prefix: '/' }] : dedupe(entries.map(toEnvoyMatch));
  const body = routeBody(planned, entries, context);
  return matches.map((match) => ({ name: planned.name, match, ...body }));
}

function dedupe(matches: Json[]): Json[] {
  const seen = new Set<string>();
  return matches.filter((match) => {
    const key = JSON.stringify(match);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

export function toEnvoyMatch(entry: MatchEntry): Json {
  const match: Json = {};
  const path = entry.path;
  if (!path) match.prefix = '/';
  else if (path.kind === 'exact') match.path = path.value;
  else if (path.kind === 'prefix') match.prefix = path.value;
  else match.safe_regex = { regex: path.value };
  const headers: Json[] = [];
  if (entry.method) headers.push({ name: ':method', string_match: { exact: entry.method } });
  for (const condition of [...entry.headers].sort((a, b) => compareStrings(a.name, b.name))) headers.push(toHeaderMatcher(condition));
  if (headers.length > 0) match.headers = headers;
  if (entry.query.length > 0) {
    match.query_parameters = [...entry.query]
      .sort(([a], [b]) => compareStrings(a, b))
      .map(([name, value]) => (value.kind === 'present' ? { name, present_match: true } : { name, string_match: toStringMatcher(value) }));
  }
  return match;
}

export function toStringMatcher(match: StringCondition): Json {
  switch (match.kind) {
    case 'exact':
      return { exact: match.value };
    case 'prefix':
      return { prefix: match.value };
    case 'regex':
      return { safe_regex: { regex: match.value } };
    case 'present':
      throw new Error('a presence check has no StringMatcher');
  }
}

/** A header condition; a negated value match treats a missing header as empty, as Istio does. */
export function toHeaderMatcher(condition: HeaderCondition): Json {
  const matcher: Json = { name: condition.name };
  const present = condition.match.kind === 'present';
  if (present) matcher.present_match = true;
  else matcher.string_match = toStringMatcher(condition.match);
  if (condition.negated) {
    matcher.invert_match = true;
    if (!present) matcher.treat_missing_header_as_empty = true;
  }
  return matcher;
}

function routeBody(planned: PlannedHttpRoute, entries: readonly MatchEntry[] | undefined, context: RouteContext): Json {
  const action = planned.action;
  const body: Json = {};
  const perFilter: Json = {};
  if (action.kind === 'redirect') {
    body.redirect = toRedirect(action);
  } else if (action.kind === 'direct-response') {
    body.direct_response = { status: action.status, ...(action.body !== undefined ? { body: { inline_string: action.body } } : {}) };
  } else {
    body.route = routeAction(action, entries, context);
    if (action.fault) perFilter[FAULT_FILTER] = { '@type': FAULT_TYPE, ...toFault(action.fault) };
  }
  if (planned.cors) perFilter[CORS_FILTER] = toCorsPolicy(planned.cors);
  if (planned.headers) Object.assign(body, headerChanges(planned.headers));
  if (Object.keys(perFilter).length > 0) body.typed_per_filter_config = sortedKeys(perFilter);
  return body;
}

function routeAction(forward: ForwardAction, entries: readonly MatchEntry[] | undefined, context: RouteContext): Json {
  const destinations = forward.destinations;
  const action: Json = {};
  if (destinations.length === 1) {
    action.cluster = clusterFor(context, destinations[0]!);
  } else {
    action.weighted_clusters = {
      clusters: destinations.map((destination) => ({ name: clusterFor(context, destination), weight: destination.weight ?? 0 })),
    };
  }
  const rewrite = forward.rewrite ? resolveRewrite(forward.rewrite, entries) : undefined;
  if (rewrite?.path?.kind === 'prefix') action.prefix_rewrite = rewrite.path.value;
  if (rewrite?.path?.kind === 'regex') action.regex_rewrite = { pattern: { regex: rewrite.path.pattern }, substitution: rewrite.path.substitution };
  if (rewrite?.authority !== undefined) action.host_rewrite_literal = rewrite.authority;
  action.timeout = forward.timeoutMs !== undefined ? seconds(forward.timeoutMs) : '0s';
  const hash = hashPolicy(destinations[0]!.node);
  // Pilot keeps retries on the hashed host when one destination is hashed (retry.ConvertPolicy).
  const retry = retryPolicy(forward.retries, destinations.length === 1 && hash !== undefined);
  if (retry) action.retry_policy = retry;
  if (forward.mirror) {
    action.request_mirror_policies = [
      { cluster: clusterFor(context, forward.mirror.destination), runtime_fraction: { default_value: fractionalPercent(forward.mirror.percent) } },
    ];
  }
  if (hash) action.hash_policy = [hash];
  return action;
}

/**
 * `attempts: 0` switches retries off; no `retries` is Istio's default policy, which names no
 * retriable status code: Istio stopped retrying 503 by default, since a retried POST could be
 * applied twice (istio/istio#50506). Status codes in `on` ("503") are retriable status codes.
 * With a consistent hash the retries stay on the hashed host, as pilot's: no previous-hosts
 * predicate.
 */
export function retryPolicy(retries: RetryPlan | undefined, consistentHash = false): Json | undefined {
  const hostPredicate = consistentHash ? {} : { retry_host_predicate: [PREVIOUS_HOSTS] };
  if (retries === undefined) {
    return { retry_on: DEFAULT_RETRY_ON, num_retries: DEFAULT_RETRY_ATTEMPTS, ...hostPredicate, host_selection_retry_max_attempts: 5 };
  }
  if (retries.attempts <= 0) return undefined;
  const on = retries.on ?? DEFAULT_RETRY_ON.split(',');
  const codes = on.filter((condition) => /^[0-9]{3}$/.test(condition)).map(Number);
  const conditions = on.filter((condition) => !/^[0-9]{3}$/.test(condition));
  if (codes.length > 0 && !conditions.includes('retriable-status-codes')) conditions.push('retriable-status-codes');
  return {
    retry_on: conditions.join(','),
    num_retries: retries.attempts,
    ...(retries.perTryTimeoutMs !== undefined ? { per_try_timeout: seconds(retries.perTryTimeoutMs) } : {}),
    ...(codes.length > 0 ? { retriable_status_codes: codes } : {}),
    ...hostPredicate,
    host_selection_retry_max_attempts: 5,
  };
}

function toRedirect(redirect: RedirectAction): Json {
  return {
    ...(redirect.scheme !== undefined ? { scheme_redirect: redirect.scheme } : {}),
    ...(redirect.authority !== undefined ? { host_redirect: redirect.authority } : {}),
    ...(redirect.port !== undefined ? { port_redirect: redirect.port } : {}),
    ...(redirect.uri !== undefined ? { path_redirect: redirect.uri } : {}),
    response_code: REDIRECT_CODE[redirect.status] ?? 'MOVED_PERMANENTLY',
  };
}

export function toFault(fault: FaultPlan): Json {
  const out: Json = {};
  if (fault.delay) out.delay = { fixed_delay: seconds(fault.delay.ms), percentage: fractionalPercent(fault.delay.percent) };
  if (fault.abort) out.abort = { http_status: fault.abort.status, percentage: fractionalPercent(fault.abort.percent) };
  return out;
}

/** As the Istio target: the plan's origins, any one of which is allowed. */
export function toCorsPolicy(cors: CorsPlan): Json {
  return {
    '@type': CORS_POLICY_TYPE,
    allow_origin_string_match: cors.origins.map(toStringMatcher),
    ...(cors.allowMethods ? { allow_methods: cors.allowMethods.join(',') } : {}),
    ...(cors.allowHeaders ? { allow_headers: cors.allowHeaders.join(',') } : {}),
    ...(cors.exposeHeaders ? { expose_headers: cors.exposeHeaders.join(',') } : {}),
    ...(cors.maxAgeMs !== undefined ? { max_age: String(Math.floor(cors.maxAgeMs / 1000)) } : {}),
    ...(cors.allowCredentials !== undefined ? { allow_credentials: cors.allowCredentials } : {}),
  };
}

function headerChanges(headers: HeaderChanges): Json {
  const out: Json = {};
  for (const direction of ['request', 'response'] as const) {
    const changes = headers[direction];
    if (!changes) continue;
    const toAdd = [
      ...(changes.set ?? []).map(([key, value]) => ({ header: { key, value }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' })),
      ...(changes.add ?? []).map(([key, value]) => ({ header: { key, value }, append_action: 'APPEND_IF_EXISTS_OR_ADD' })),
    ];
    if (toAdd.length > 0) out[`${direction}_headers_to_add`] = toAdd;
    if (changes.remove) out[`${direction}_headers_to_remove`] = [...changes.remove];
  }
  return out;
}

function sortedKeys(record: Json): Json {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => compareStrings(a, b)));
}

/** The destination's consistent hash, as a route hash policy (the cluster carries RING_HASH). */
export function hashPolicy(node: Destination): Json | undefined {
  const balancer = resiliencePlan(node.resource.spec.resilience).loadBalancer;
  if (balancer?.kind !== 'consistent-hash' || !balancer.key) return undefined;
  const key = balancer.key;
  switch (key.kind) {
    case 'header':
      return { header: { header_name: key.name.toLowerCase() } };
    case 'cookie':
      return { cookie: { name: key.name, ...(key.ttlMs !== undefined ? { ttl: seconds(key.ttlMs) } : {}), ...(key.path !== undefined ? { path: key.path } : {}) } };
    case 'source-ip':
      return { connection_properties: { source_ip: true } };
    case 'query-parameter':
      return { query_parameter: { name: key.name } };
  }
}
