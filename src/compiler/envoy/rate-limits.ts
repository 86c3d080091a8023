// A service's rate-limit buckets (src/plan/rate-limits.ts) as the HTTP filters and virtual-host
// actions of its inbound listeners: the local rate limit (token buckets, enabled and enforced at
// 100%) and then the global one, as the Istio target's EnvoyFilters insert them, so both targets
// limit alike. 429 answers carry `x-local-rate-limit: true` and the draft-03 X-RateLimit-*
// headers; gRPC calls get RESOURCE_EXHAUSTED rather than UNAVAILABLE, which callers' proxies and
// gRPC clients retry.
import type { Destination, MeshModel, ServiceNode } from '../../model/mesh-model.js';
import {
  globalRateLimitConfig,
  localRateLimitConfig,
  planGlobalRateLimit,
  planLocalRateLimit,
  type GlobalRateLimitPlan,
  type LocalRateLimitPlan,
} from '../../plan/rate-limits.js';
import type { ClusterSet } from './clusters.js';
import { DEFAULT_CLUSTER_DOMAIN, meshHost } from './settings.js';
import type { Json } from './types.js';

export const LOCAL_RATE_LIMIT_FILTER = 'envoy.filters.http.local_ratelimit';
export const RATE_LIMIT_FILTER = 'envoy.filters.http.ratelimit';

export interface InboundRateLimits {
  readonly local?: LocalRateLimitPlan;
  readonly global?: GlobalRateLimitPlan;
  /** Rate-limit actions for the inbound virtual host: the local ones, then the global ones. */
  readonly actions: readonly Json[];
}

export function inboundRateLimits(model: MeshModel, service: ServiceNode): InboundRateLimits {
  const local = planLocalRateLimit(model, service);
  const global = planGlobalRateLimit(model, service);
  const actions = [...(local?.rateLimits ?? []), ...(global?.rateLimits ?? [])].map((entry) => structuredClone(entry) as unknown as Json);
  return { ...(local ? { local } : {}), ...(global ? { global } : {}), actions };
}

/** The rate-limit HTTP filters, in the order they run; the global filter calls the rate-limit service through this proxy's own cluster for it (mesh mTLS included). */
export function rateLimitFilters(limits: InboundRateLimits, clusters: ClusterSet): Json[] {
  const filters: Json[] = [];
  if (limits.local) filters.push(localRateLimitFilter(limits.local));
  if (limits.global) filters.push(globalRateLimitFilter(limits.global, clusters));
  return filters;
}

function localRateLimitFilter(plan: LocalRateLimitPlan): Json {
  return { name: LOCAL_RATE_LIMIT_FILTER, typed_config: localRateLimitConfig(plan) };
}

function globalRateLimitFilter(plan: GlobalRateLimitPlan, clusters: ClusterSet): Json {
  const upstream = { cluster: clusters.outbound(plan.service, undefined, plan.port), authority: rateLimitAuthority(plan.service) };
  return { name: RATE_LIMIT_FILTER, typed_config: globalRateLimitConfig(plan, upstream) };
}

/**
 * The :authority of the calls to the rate-limit service: its host in the default cluster domain
 * (as the Istio target writes it), or an external service's first host.
 */
function rateLimitAuthority(node: Destination): string {
  return node.kind === 'Service' ? meshHost(node, DEFAULT_CLUSTER_DOMAIN) : node.resource.spec.hosts[0]!;
}
