// A service's rate-limit buckets (src/plan/rate-limits.ts) as the HTTP filters and virtual-host
// actions of its inbound listeners: the local rate limit (token buckets, enabled and enforced at
// 100%) and then the global one, as the Istio target's EnvoyFilters insert them, so both targets
// limit alike. 429 answers carry `x-local-rate-limit: true` and the draft-03 X-RateLimit-*
// headers; gRPC calls get RESOURCE_EXHAUSTED rather than UNAVAILABLE, which callers' proxies and
// gRPC clients retry.
import { toProtoDuration } from '../../model/duration.js';
import type { Destination, MeshModel, ServiceNode } from '../../model/mesh-model.js';
import {
  DYNAMIC_BUCKETS_PER_DESCRIPTOR,
  GLOBAL_RATE_LIMIT_STAGE,
  LOCAL_RATE_LIMIT_STAGE,
  planGlobalRateLimit,
  planLocalRateLimit,
  type GlobalRateLimitPlan,
  type LocalRateLimitPlan,
} from '../../plan/rate-limits.js';
import type { ClusterSet } from './clusters.js';
import { DEFAULT_CLUSTER_DOMAIN, meshHost } from './settings.js';
import type { Json } from './types.js';

export const LOCAL_RATE_LIMIT_FILTER = 'envoy.filters.http.local_ratelimit';
export const LOCAL_RATE_LIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
export const RATE_LIMIT_FILTER = 'envoy.filters.http.ratelimit';
export const RATE_LIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit';

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
  const fullyOn = (runtimeKey: string) => ({ runtime_key: runtimeKey, default_value: { numerator: 100, denominator: 'HUNDRED' } });
  return {
    name: LOCAL_RATE_LIMIT_FILTER,
    typed_config: {
      '@type': LOCAL_RATE_LIMIT_TYPE,
      stat_prefix: 'local_rate_limit',
      ...(plan.sharedBucket ? { token_bucket: { ...plan.sharedBucket } } : {}),
      filter_enabled: fullyOn('local_rate_limit_enabled'),
      filter_enforced: fullyOn('local_rate_limit_enforced'),
      status: { code: 'TooManyRequests' },
      response_headers_to_add: [{ header: { key: 'x-local-rate-limit', value: 'true' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
      enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
      rate_limited_as_resource_exhausted: true,
      ...(plan.descriptors.length > 0
        ? {
            stage: LOCAL_RATE_LIMIT_STAGE,
            descriptors: structuredClone(plan.descriptors),
            ...(plan.sharedBucket ? { always_consume_default_token_bucket: true } : {}),
            ...(plan.dynamic ? { max_dynamic_descriptors: DYNAMIC_BUCKETS_PER_DESCRIPTOR } : {}),
          }
        : {}),
    },
  };
}

function globalRateLimitFilter(plan: GlobalRateLimitPlan, clusters: ClusterSet): Json {
  const authority = rateLimitAuthority(plan.service);
  return {
    name: RATE_LIMIT_FILTER,
    typed_config: {
      '@type': RATE_LIMIT_TYPE,
      domain: plan.domain,
      stage: GLOBAL_RATE_LIMIT_STAGE,
      // failOpen: a rate-limit service that does not answer in time lets the request through.
      failure_mode_deny: !plan.failOpen,
      timeout: toProtoDuration(plan.timeoutMs),
      rate_limit_service: {
        grpc_service: { envoy_grpc: { cluster_name: clusters.outbound(plan.service, undefined, plan.port), authority } },
        transport_api_version: 'V3',
      },
      enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
      rate_limited_as_resource_exhausted: true,
    },
  };
}

/**
 * The :authority of the calls to the rate-limit service: its host in the default cluster domain
 * (as the Istio target writes it), or an external service's first host.
 */
function rateLimitAuthority(node: Destination): string {
  return node.kind === 'Service' ? meshHost(node, DEFAULT_CLUSTER_DOMAIN) : node.resource.spec.hosts[0]!;
}
