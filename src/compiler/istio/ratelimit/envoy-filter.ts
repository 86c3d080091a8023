// What the rate-limit EnvoyFilters share: the object around the patches, the patch that puts an
// HTTP filter into the workload's inbound chain, the patch that adds rate-limit actions to its
// inbound virtual hosts, and the token bucket and percentages Envoy's rate-limit filters take.
//
// Everything is patched into SIDECAR_INBOUND: a limit protects the service's own instances, so it
// is enforced by their proxies, whoever calls. The inbound route configuration Istio builds for a
// sidecar has one virtual host per port with a single catch-all route (VirtualService routes only
// exist in callers' outbound configuration, istio/istio#35756), so rate-limit actions are merged
// into the inbound virtual hosts, where every inbound request meets them.
import type { ServiceNode } from '../../../model/mesh-model.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import { workloadLabels } from '../../../model/workload-identity.js';
import { API, objectMeta } from '../common.js';
import type { RateLimitEntry } from '../../../plan/rate-limit-types.js';

export const HTTP_CONNECTION_MANAGER = 'envoy.filters.network.http_connection_manager';
export const ROUTER_FILTER = 'envoy.filters.http.router';

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

