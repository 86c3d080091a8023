// The descriptors of a service's global rate limits, in both places they must agree: the rate-limit
// actions a proxy runs to build a request's descriptor, and the descriptor tree the rate-limit
// service (envoyproxy/ratelimit) looks the descriptor up in. Both come from one function, so the
// keys a proxy sends are the keys the service has limits for.
//
// Every descriptor starts with the service it protects (`service: <name>.<namespace>`), and the
// rate-limit service's configuration nests each service's limits under that entry: two services
// that count by the same header (or the same fixed value) keep separate counters.
//
// What a key counts by:
// - header: one counter per value of the request header; requests without it are not counted
//   (Envoy builds no descriptor when the header is missing).
// - remoteAddress: one counter per client address, as Envoy trusts it; a sidecar that does not use
//   the connection's address takes it from the X-Forwarded-For entry the ingress gateway appended.
// - path: one counter per request path as sent (`:path`, query string included).
// - value: one counter for every request.
import type { ServiceNode } from '../model/mesh-model.js';
import type { RateLimitSpec } from '../schema/policy.js';
import type { RateLimitAction } from './rate-limit-types.js';

type GlobalDescriptorSpec = NonNullable<RateLimitSpec['global']>['descriptors'][number];

export const SERVICE_DESCRIPTOR_KEY = 'service';

/** A limit in the rate-limit service's configuration. */
export interface ServiceDescriptorConfig {
  key: string;
  value?: string;
  rate_limit?: { unit: GlobalDescriptorSpec['per']; requests_per_unit: number };
  descriptors?: ServiceDescriptorConfig[];
}

export interface GlobalDescriptor {
  /** The action that adds this descriptor's entry after the service's own. */
  readonly action: RateLimitAction;
  /** The matching limit, nested under the service's entry in the rate-limit service. */
  readonly config: ServiceDescriptorConfig;
}

/**
 * The value that names a service in descriptors: DNS labels joined by a dot, which neither part can
 * contain, and which the rate-limit service can put into its statsd metric names as is.
 */
export function serviceDescriptorValue(service: Pick<ServiceNode, 'name' | 'namespace'>): string {
  return `${service.name}.${service.namespace}`;
}

export function serviceAction(service: ServiceNode): RateLimitAction {
  return { generic_key: { descriptor_key: SERVICE_DESCRIPTOR_KEY, descriptor_value: serviceDescriptorValue(service) } };
}

export function globalDescriptors(service: ServiceNode): GlobalDescriptor[] {
  return (service.resource.spec.rateLimit?.global?.descriptors ?? []).map((descriptor) => {
    const limit = { unit: descriptor.per, requests_per_unit: descriptor.requests };
    const { key } = descriptor;
    if (key.header !== undefined) {
      const header = key.header.toLowerCase();
      const descriptorKey = `header_${header}`;
      return { action: { request_headers: { header_name: header, descriptor_key: descriptorKey } }, config: { key: descriptorKey, rate_limit: limit } };
    }
    if (key.remoteAddress) return { action: { remote_address: {} }, config: { key: 'remote_address', rate_limit: limit } };
    if (key.path) return { action: { request_headers: { header_name: ':path', descriptor_key: 'path' } }, config: { key: 'path', rate_limit: limit } };
    if (key.value !== undefined) {
      return {
        action: { generic_key: { descriptor_key: 'generic_key', descriptor_value: key.value } },
        config: { key: 'generic_key', value: key.value, rate_limit: limit },
      };
    }
    throw new Error(`${service.key}: a rate-limit descriptor without a key reached the compiler; validation should have refused it`);
  });
}

/** The service's branch of the rate-limit service's descriptor tree. */
export function serviceDescriptorTree(service: ServiceNode): ServiceDescriptorConfig {
  return { key: SERVICE_DESCRIPTOR_KEY, value: serviceDescriptorValue(service), descriptors: globalDescriptors(service).map((descriptor) => descriptor.config) };
}
