// Local rate limits (`rateLimit.local` and `routes[].rateLimit`): token buckets in the inbound proxy
// of each instance of the service, compiled to one EnvoyFilter `<service>-local-ratelimit` that
// inserts Envoy's local_ratelimit filter before the router and, when buckets are chosen per
// request, merges the rate-limit actions that choose them into the inbound virtual hosts.
//
// One filter holds every bucket of the service. Envoy's local rate limiter consumes a token from
// every configured descriptor the request matches and, with always_consume_default_token_bucket
// (its default), from the filter's own token bucket as well; a request passes only when all of them
// have a token. So:
// - a service-wide limit shared by all requests is the filter's token bucket;
// - a route limit is a descriptor matched only by that route's requests (route-conditions.ts), and
//   its requests still draw from the service-wide bucket: both limits apply, as MESH422 assumes;
// - `perHeader` keeps one bucket per value of the header: a descriptor entry with an empty value is
//   a wildcard for which Envoy creates a bucket per distinct value (dynamic descriptors, Envoy 1.34,
//   Istio 1.26), kept in an LRU cache of DYNAMIC_BUCKETS_PER_DESCRIPTOR buckets. Requests without
//   the header share one more bucket of the same size, so leaving the header out evades nothing.
// A route-level `typed_per_filter_config` would not do: it replaces the filter's configuration for
// the route (the service-wide bucket would stop applying), and the server's inbound routes are not
// the VirtualService's routes anyway. One filter also keeps the X-RateLimit response headers single.
//
// 429 answers carry `x-local-rate-limit: true` and the draft-03 X-RateLimit-* headers; gRPC calls
// get RESOURCE_EXHAUSTED rather than UNAVAILABLE, which callers' proxies and gRPC clients retry.
import { compiledName, serviceObjects } from '../../../model/compiled-names.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import type { LocalRateLimitSpec } from '../../../schema/traffic.js';
import type { IstioEmitter } from '../index.js';
import {
  fullyOn,
  inboundHttpFilterPatch,
  inboundRateLimitActionsPatch,
  LOCAL_RATE_LIMIT_STAGE,
  rateLimitEnvoyFilter,
  tokenBucket,
  type ConfigPatch,
} from './envoy-filter.js';
import type { DescriptorEntry, LocalDescriptor, RateLimitAction, RateLimitEntry } from './envoy-types.js';
import { deliversToService, namedRoutes, provablyDisjoint, seenUnchanged, serverSideMatch, type NamedRoute } from './route-conditions.js';

/**
 * A relative patch (INSERT_BEFORE) without a priority is applied in creation order among the
 * cluster's other EnvoyFilters, which Istio's analyzers warn about (IST0151). An explicit priority
 * below the global filter's keeps the local bucket first: a request it refuses costs the
 * rate-limit service nothing.
 */
export const LOCAL_FILTER_PRIORITY = 5;

export const LOCAL_RATE_LIMIT_FILTER = 'envoy.filters.http.local_ratelimit';
export const LOCAL_RATE_LIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
/** Buckets kept per wildcard descriptor; Envoy's default of 20 would forget a caller within moments. */
export const DYNAMIC_BUCKETS_PER_DESCRIPTOR = 10_000;

/** Descriptor keys: the route whose bucket it is, earlier routes the request did not match, header values. */
export const ROUTE_KEY = 'route';
export const EXCLUDED_ROUTE_KEY = 'not_route';
export const headerKey = (header: string) => `header_${header.toLowerCase()}`;
export const missingHeaderKey = (header: string) => `no_header_${header.toLowerCase()}`;

/** The actions that select a set of requests, and the descriptor entries they produce. */
interface Selection {
  readonly actions: RateLimitAction[];
  readonly entries: DescriptorEntry[];
}

interface Buckets {
  readonly rateLimits: RateLimitEntry[];
  readonly descriptors: LocalDescriptor[];
}

export const compileLocalRateLimits: IstioEmitter = (model) => model.services.flatMap((service) => compileLocalRateLimit(model, service));

export function compileLocalRateLimit(model: MeshModel, service: ServiceNode): KubernetesObject[] {
  const name = compiledName.localRateLimitFilter(service.name);
  if (!serviceObjects(service).some((object) => object.kind === 'EnvoyFilter' && object.name === name)) return [];
  const serviceWide = service.resource.spec.rateLimit?.local;
  const buckets: Buckets = { rateLimits: [], descriptors: [] };
  if (serviceWide?.perHeader !== undefined) addBuckets(buckets, { actions: [], entries: [] }, serviceWide);
  const routes = namedRoutes(service);
  for (const target of routes) {
    if (!target.route.rateLimit) continue;
    const selection = routeSelection(model, service, routes, target);
    if (selection) addBuckets(buckets, selection, target.route.rateLimit);
  }

  const sharedBucket = serviceWide && serviceWide.perHeader === undefined ? tokenBucket(serviceWide) : undefined;
  const wildcards = buckets.descriptors.some((descriptor) => descriptor.entries.some((entry) => entry.value === ''));
  const typedConfig = {
    '@type': LOCAL_RATE_LIMIT_TYPE,
    stat_prefix: 'local_rate_limit',
    ...(sharedBucket ? { token_bucket: sharedBucket } : {}),
    filter_enabled: fullyOn('local_rate_limit_enabled'),
    filter_enforced: fullyOn('local_rate_limit_enforced'),
    status: { code: 'TooManyRequests' },
    response_headers_to_add: [{ header: { key: 'x-local-rate-limit', value: 'true' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }],
    enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
    rate_limited_as_resource_exhausted: true,
    ...(buckets.descriptors.length > 0
      ? {
          stage: LOCAL_RATE_LIMIT_STAGE,
          descriptors: buckets.descriptors,
          ...(sharedBucket ? { always_consume_default_token_bucket: true } : {}),
          ...(wildcards ? { max_dynamic_descriptors: DYNAMIC_BUCKETS_PER_DESCRIPTOR } : {}),
        }
      : {}),
  };
  const patches: ConfigPatch[] = [inboundHttpFilterPatch(LOCAL_RATE_LIMIT_FILTER, typedConfig)];
  if (buckets.rateLimits.length > 0) patches.push(inboundRateLimitActionsPatch(buckets.rateLimits));
  return [rateLimitEnvoyFilter(service, name, patches, LOCAL_FILTER_PRIORITY)];
}

/** One bucket for the selected requests, or one per value of `perHeader` plus one for requests without it. */
function addBuckets(buckets: Buckets, selection: Selection, limit: LocalRateLimitSpec): void {
  const add = (action: RateLimitAction, entry: DescriptorEntry) => {
    buckets.rateLimits.push({ stage: LOCAL_RATE_LIMIT_STAGE, actions: [...selection.actions, action] });
    buckets.descriptors.push({ entries: [...selection.entries, entry], token_bucket: tokenBucket(limit) });
  };
  const header = limit.perHeader?.toLowerCase();
  if (header === undefined) {
    // A route's own actions already select its requests: its entries are the descriptor.
    buckets.rateLimits.push({ stage: LOCAL_RATE_LIMIT_STAGE, actions: selection.actions });
    buckets.descriptors.push({ entries: selection.entries, token_bucket: tokenBucket(limit) });
    return;
  }
  add({ request_headers: { header_name: header, descriptor_key: headerKey(header) } }, { key: headerKey(header), value: '' });
  add(
    { header_value_match: { descriptor_key: missingHeaderKey(header), descriptor_value: 'true', headers: [{ name: header, present_match: true, invert_match: true }] } },
    { key: missingHeaderKey(header), value: 'true' },
  );
}

/**
 * The requests a route's bucket counts: those its conditions match as the server sees them, minus
 * those an earlier route delivering here takes first. Undefined when the server never sees the
 * route's requests: it redirects, answers directly, forwards elsewhere, or an earlier route takes
 * every request.
 */
function routeSelection(model: MeshModel, service: ServiceNode, routes: readonly NamedRoute[], target: NamedRoute): Selection | undefined {
  if (!deliversToService(model, service, target.route)) return undefined;
  const own = serverSideMatch(target.route, service.namespace);
  const actions: RateLimitAction[] = [
    own.matchers.length > 0
      ? { header_value_match: { descriptor_key: ROUTE_KEY, descriptor_value: target.name, headers: own.matchers } }
      : { generic_key: { descriptor_key: ROUTE_KEY, descriptor_value: target.name } },
  ];
  const entries: DescriptorEntry[] = [{ key: ROUTE_KEY, value: target.name }];
  for (const earlier of routes.slice(0, target.index)) {
    if (!deliversToService(model, service, earlier.route) || !seenUnchanged(earlier.route, service.namespace)) continue;
    if (provablyDisjoint(earlier.route, target.route, service.namespace)) continue;
    const taken = serverSideMatch(earlier.route, service.namespace);
    if (!taken.exact) continue;
    if (taken.matchers.length === 0) return undefined;
    actions.push({ header_value_match: { descriptor_key: EXCLUDED_ROUTE_KEY, descriptor_value: earlier.name, expect_match: false, headers: taken.matchers } });
    entries.push({ key: EXCLUDED_ROUTE_KEY, value: earlier.name });
  }
  return { actions, entries };
}
