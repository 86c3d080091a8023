// The local token buckets of a service: the service-wide one and each route's, with their paths,
// so the rate-limit rules walk them the same way.
import type { PathSegment } from '../../../diagnostics/types.js';
import { memoizeByObject } from '../../../model/memoize.js';
import type { ServiceNode } from '../../../model/mesh-model.js';
import type { LocalRateLimitSpec } from '../../../schema/traffic.js';

export interface LocalRateLimitEntry {
  readonly limit: LocalRateLimitSpec;
  /** Path of the limit inside its document. */
  readonly path: readonly PathSegment[];
  /** The route's index, or undefined for the service-wide limit. */
  readonly route?: number;
}

/**
 * The service-wide bucket, then each route's, in route order. Six rules walk every service's
 * buckets: listed once per service. Shared: callers must treat the list as read-only.
 */
export const localRateLimits: (service: ServiceNode) => readonly LocalRateLimitEntry[] = memoizeByObject(localRateLimitsUncached);

function localRateLimitsUncached(service: ServiceNode): LocalRateLimitEntry[] {
  const entries: LocalRateLimitEntry[] = [];
  const serviceWide = service.resource.spec.rateLimit?.local;
  if (serviceWide) entries.push({ limit: serviceWide, path: ['spec', 'rateLimit', 'local'] });
  (service.resource.spec.routes ?? []).forEach((route, index) => {
    if (route.rateLimit) entries.push({ limit: route.rateLimit, path: ['spec', 'routes', index, 'rateLimit'], route: index });
  });
  return entries;
}
