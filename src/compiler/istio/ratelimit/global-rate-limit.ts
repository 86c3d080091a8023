// Global rate limits (`rateLimit.global`): counters shared by all instances, kept by the mesh's
// rate-limit service. One EnvoyFilter `<service>-global-ratelimit` per service, following Istio's
// global rate-limit task: Envoy's ratelimit filter before the router of the inbound chain, and the
// rate-limit actions that build each request's descriptors (src/plan/rate-limit-descriptors.ts) merged into the
// inbound virtual hosts. The descriptors' limits live in the rate-limit service's configuration
// (descriptor-config.ts).
//
// The filter calls the rate-limit service through the cluster Istio already builds for it,
// `outbound|<port>||<host>`, instead of a cluster added by a CLUSTER patch as Istio's task does for
// a plain-text sample: Istio's cluster speaks the mesh's mutual TLS with the workload's identity and
// follows the rate-limit service's DestinationRule, so a rate-limit service under strict mTLS, or
// allowing only some namespaces, accepts the calls. An added cluster would talk plain text and be
// refused there, and then every request would fail open (or, with failOpen false, fail). The Sidecar
// of a service with global limits lists the rate-limit service among its egress hosts, so the
// cluster is in its proxy.
//
// The EnvoyFilter has priority 10, after the local one (the default 0; Istio suggests steps of 10 to
// leave room): both insert before the router, so the local filter ends up first and a request it
// refuses costs the rate-limit service nothing.
import { compiledName, serviceObjects } from '../compiled-names.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import { globalRateLimitConfig, planGlobalRateLimit } from '../../../plan/rate-limits.js';
import { destinationHosts } from '../common.js';
import type { IstioEmitter } from '../index.js';
import { inboundHttpFilterPatch, inboundRateLimitActionsPatch, rateLimitEnvoyFilter } from './envoy-filter.js';

export const RATE_LIMIT_FILTER = 'envoy.filters.http.ratelimit';
/** Applied after the local rate limit's EnvoyFilter (LOCAL_FILTER_PRIORITY), so it runs second. */
export const GLOBAL_FILTER_PRIORITY = 10;

export const compileGlobalRateLimits: IstioEmitter = (model) => model.services.flatMap((service) => compileGlobalRateLimit(model, service));

/** Istio's name for the outbound cluster of a service port. */
export function istioOutboundCluster(host: string, port: number): string {
  return `outbound|${port}||${host}`;
}

export function compileGlobalRateLimit(model: MeshModel, service: ServiceNode): KubernetesObject[] {
  const name = compiledName.globalRateLimitFilter(service.name);
  if (!serviceObjects(service).some((object) => object.kind === 'EnvoyFilter' && object.name === name)) return [];
  const plan = planGlobalRateLimit(model, service);
  if (!plan) throw new Error(`${service.key}: a global rate-limit EnvoyFilter without a global limit`);
  const host = destinationHosts(plan.service)[0]!;
  const typedConfig = globalRateLimitConfig(plan, { cluster: istioOutboundCluster(host, plan.port), authority: host });
  return [
    rateLimitEnvoyFilter(
      service,
      name,
      [inboundHttpFilterPatch(RATE_LIMIT_FILTER, typedConfig), inboundRateLimitActionsPatch([...plan.rateLimits])],
      GLOBAL_FILTER_PRIORITY,
    ),
  ];
}
