// A route's own token bucket that is at least as generous as the service-wide one: meshctl
// applies both buckets, and every request of the route also draws from the service-wide bucket,
// so the route limit can never be the one that refuses. It documents a limit that is not enforced.
import { defineRule } from '../../rule.js';
import type { LocalRateLimitSpec } from '../../../schema/traffic.js';
import { parseDuration } from '../../../model/duration.js';
import { localRateLimits } from './local-rate-limits.js';

interface Bucket {
  requests: number;
  perMs: number;
  burst: number;
}

/** The bucket a limit describes, or undefined when another rule reports it as unusable. */
function bucketOf(limit: LocalRateLimitSpec): Bucket | undefined {
  const perMs = parseDuration(limit.per);
  const burst = limit.burst ?? limit.requests;
  if (perMs === undefined || perMs <= 0 || limit.requests <= 0 || burst <= 0) return undefined;
  return { requests: limit.requests, perMs, burst };
}

/** True when `loose` admits everything `strict` admits: a rate and a bucket size at least as large. */
function atLeastAsLoose(loose: Bucket, strict: Bucket): boolean {
  return loose.requests * strict.perMs >= strict.requests * loose.perMs && loose.burst >= strict.burst;
}

/**
 * A per-header route bucket is one bucket per header value, each no stricter than a single shared
 * service bucket; a shared route bucket under a per-header service bucket can still refuse.
 */
function comparable(route: LocalRateLimitSpec, serviceWide: LocalRateLimitSpec): boolean {
  if (serviceWide.perHeader === undefined) return true;
  return route.perHeader !== undefined && route.perHeader.toLowerCase() === serviceWide.perHeader.toLowerCase();
}

export default defineRule({
  code: 'MESH422',
  name: 'route-rate-limit-never-refuses',
  level: 'warning',
  category: 'rate-limit',
  description: 'A route rate limit at least as loose as the service-wide one never refuses a request: the service-wide bucket always refuses first.',
  messages: {
    loose: 'this route limit ({routeRequests} per {routePer}, burst {routeBurst}) is no stricter than the service-wide limit ({serviceRequests} per {servicePer}, burst {serviceBurst}), which every request also passes through, so it never refuses anything: lower it below the service-wide limit, or remove it',
  },
  check({ model, report }) {
    for (const service of model.services) {
      const entries = localRateLimits(service);
      const serviceWide = entries.find((entry) => entry.route === undefined);
      const serviceBucket = serviceWide && bucketOf(serviceWide.limit);
      if (!serviceWide || !serviceBucket) continue;
      for (const entry of entries) {
        if (entry.route === undefined || !comparable(entry.limit, serviceWide.limit)) continue;
        const routeBucket = bucketOf(entry.limit);
        if (!routeBucket || !atLeastAsLoose(routeBucket, serviceBucket)) continue;
        report(
          'loose',
          {
            routeRequests: routeBucket.requests,
            routePer: entry.limit.per,
            routeBurst: routeBucket.burst,
            serviceRequests: serviceBucket.requests,
            servicePer: serviceWide.limit.per,
            serviceBurst: serviceBucket.burst,
          },
          service.keyAt(...entry.path),
          [{ message: 'the service-wide limit', location: service.keyAt(...serviceWide.path) }],
        );
      }
    }
  },
});
