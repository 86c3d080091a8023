// What the rate-limit EnvoyFilters share: the object around the patches, the patch that puts an
// HTTP filter into the workload's inbound chain, the patch that adds rate-limit actions to its
// inbound virtual hosts, and the token bucket and percentages Envoy's rate-limit filters take.
//
// Everything is patched into SIDECAR_INBOUND: a limit protects the service's own instances, so it
// is enforced by their proxies, whoever calls. The inbound route configuration Istio builds for a
// sidecar has one virtual host per port with a single catch-all route (VirtualService routes only
// exist in callers' outbound configuration, istio/istio#35756), so rate-limit actions are merged
// into the inbound virtual hosts, where every inbound request meets them.
import { parseDuration, toProtoDuration } from '../../../model/duration.js';
import type { ServiceNode } from '../../../model/mesh-model.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import type { LocalRateLimitSpec } from '../../../schema/traffic.js';
import { workloadLabels } from '../../../model/workload-identity.js';
import { API, objectMeta } from '../common.js';
import type { RateLimitEntry, TokenBucket } from './envoy-types.js';

export const HTTP_CONNECTION_MANAGER = 'envoy.filters.network.http_connection_manager';
export const ROUTER_FILTER = 'envoy.filters.http.router';

/**
 * Rate-limit stages keep the actions of the local and global filters apart: each filter only reads
 * the actions of its own stage. The global filter keeps Envoy's default stage, as Istio documents it.
 */
export const GLOBAL_RATE_LIMIT_STAGE = 0;
export const LOCAL_RATE_LIMIT_STAGE = 1;

/** Envoy refuses local rate-limit token buckets that refill more often than this. */
export const MIN_FILL_INTERVAL_MS = 50;

export interface ConfigPatch {
  applyTo: 'HTTP_FILTER' | 'VIRTUAL_HOST';
  match: Record<string, unknown>;
  patch: { operation: 'INSERT_BEFORE' | 'MERGE'; value: Record<string, unknown> };
}

export function rateLimitEnvoyFilter(service: ServiceNode, name: string, patches: ConfigPatch[], priority?: number): KubernetesObject {
  return {
    apiVersion: API.networkingAlpha,
    kind: 'EnvoyFilter',
    metadata: objectMeta(service, name, service.namespace),
    spec: {
      workloadSelector: { labels: workloadLabels(service) },
      ...(priority !== undefined ? { priority } : {}),
      configPatches: patches,
    },
  };
}

/**
 * Inserts an HTTP filter right before the router of every inbound HTTP chain: after Istio's
 * authentication and authorization filters, so a request that is refused anyway spends no token.
 */
export function inboundHttpFilterPatch(name: string, typedConfig: Record<string, unknown>): ConfigPatch {
  return {
    applyTo: 'HTTP_FILTER',
    match: {
      context: 'SIDECAR_INBOUND',
      listener: { filterChain: { filter: { name: HTTP_CONNECTION_MANAGER, subFilter: { name: ROUTER_FILTER } } } },
    },
    patch: { operation: 'INSERT_BEFORE', value: { name, typed_config: typedConfig } },
  };
}

/**
 * Adds rate-limit actions to every inbound virtual host. MERGE appends to the repeated
 * `rate_limits`, so the local and the global EnvoyFilter of one workload add theirs side by side.
 */
export function inboundRateLimitActionsPatch(rateLimits: RateLimitEntry[]): ConfigPatch {
  return {
    applyTo: 'VIRTUAL_HOST',
    match: { context: 'SIDECAR_INBOUND' },
    patch: { operation: 'MERGE', value: { rate_limits: rateLimits } },
  };
}

/**
 * A fraction of 100% behind a runtime key. Envoy's local rate limit defaults both filter_enabled
 * and filter_enforced to 0%: without them the filter counts nothing and refuses nothing. The
 * runtime key lets an operator turn a limit down on one proxy without a new configuration.
 */
export function fullyOn(runtimeKey: string): { runtime_key: string; default_value: { numerator: number; denominator: 'HUNDRED' } } {
  return { runtime_key: runtimeKey, default_value: { numerator: 100, denominator: 'HUNDRED' } };
}

/**
 * The token bucket of a local limit: `requests` tokens every `per`, holding at most `burst`
 * (default: requests). An interval shorter than Envoy's 50ms minimum is stretched to the smallest
 * multiple that is allowed, with the tokens per fill multiplied alike, so the rate stays the one
 * written; the bucket then holds at least one fill, or the stretched refill would be cut short.
 */
export function tokenBucket(limit: Pick<LocalRateLimitSpec, 'requests' | 'per' | 'burst'>): TokenBucket {
  const perMs = parseDuration(limit.per);
  if (perMs === undefined || perMs <= 0) throw new Error(`rate limit interval "${limit.per}" reached the compiler; validation should have refused it`);
  const multiple = Math.max(1, Math.ceil(MIN_FILL_INTERVAL_MS / perMs));
  const tokensPerFill = limit.requests * multiple;
  const burst = limit.burst ?? limit.requests;
  return {
    max_tokens: multiple === 1 ? burst : Math.max(burst, tokensPerFill),
    tokens_per_fill: tokensPerFill,
    fill_interval: toProtoDuration(perMs * multiple),
  };
}
