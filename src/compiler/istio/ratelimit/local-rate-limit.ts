// Local rate limits (`rateLimit.local` and `routes[].rateLimit`): the plan's token buckets
// (src/plan/rate-limits.ts) in the inbound proxy of each instance of the service, compiled to one
// EnvoyFilter `<service>-local-ratelimit` that inserts Envoy's local_ratelimit filter before the
// router and, when buckets are chosen per request, merges the rate-limit actions that choose them
// into the inbound virtual hosts. One filter holds every bucket of the service.
// A route-level `typed_per_filter_config` would not do: it replaces the filter's configuration for
// the route (the service-wide bucket would stop applying), and the server's inbound routes are not
// the VirtualService's routes anyway. One filter also keeps the X-RateLimit response headers single.
//
// 429 answers carry `x-local-rate-limit: true` and the draft-03 X-RateLimit-* headers; gRPC calls
// get RESOURCE_EXHAUSTED rather than UNAVAILABLE, which callers' proxies and gRPC clients retry.
import { compiledName, serviceObjects } from '../compiled-names.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import { localRateLimitConfig, planLocalRateLimit } from '../../../plan/rate-limits.js';
import type { IstioEmitter } from '../index.js';
import { inboundHttpFilterPatch, inboundRateLimitActionsPatch, rateLimitEnvoyFilter, type ConfigPatch } from './envoy-filter.js';

/**
 * A relative patch (INSERT_BEFORE) without a priority is applied in creation order among the
 * cluster's other EnvoyFilters, which Istio's analyzers warn about (IST0151). An explicit priority
 * below the global filter's keeps the local bucket first: a request it refuses costs the
 * rate-limit service nothing.
 */
export const LOCAL_FILTER_PRIORITY = 5;

export const LOCAL_RATE_LIMIT_FILTER = 'envoy.filters.http.local_ratelimit';

export const compileLocalRateLimits: IstioEmitter = (model) => model.services.flatMap((service) => compileLocalRateLimit(model, service));

export function compileLocalRateLimit(model: MeshModel, service: ServiceNode): KubernetesObject[] {
  const name = compiledName.localRateLimitFilter(service.name);
  if (!serviceObjects(service).some((object) => object.kind === 'EnvoyFilter' && object.name === name)) return [];
  const plan = planLocalRateLimit(model, service);
  if (!plan) throw new Error(`${service.key}: a local rate-limit EnvoyFilter without a local limit`);
  const typedConfig = localRateLimitConfig(plan);
  const patches: ConfigPatch[] = [inboundHttpFilterPatch(LOCAL_RATE_LIMIT_FILTER, typedConfig)];
  if (plan.rateLimits.length > 0) patches.push(inboundRateLimitActionsPatch([...plan.rateLimits]));
  return [rateLimitEnvoyFilter(service, name, patches, LOCAL_FILTER_PRIORITY)];
}
