// A service's rate-limit buckets, as both targets enforce them in the inbound proxy of each of its
// instances (a limit protects the service's own instances, whoever calls).
//
// Local limits (`rateLimit.local` and `routes[].rateLimit`) are token buckets in one local rate-limit
// filter. Envoy's local rate limiter consumes a token from every configured descriptor the request
// matches and, with always_consume_default_token_bucket (its default), from the filter's own token
// bucket as well; a request passes only when all of them have a token. So:
// - a service-wide limit shared by all requests is the filter's token bucket (`sharedBucket`);
// - a route limit is a descriptor matched only by that route's requests (rate-limit-conditions.ts),
//   and its requests still draw from the service-wide bucket: both limits apply, as MESH422 assumes;
// - `perHeader` keeps one bucket per value of the header: a descriptor entry with an empty value is
//   a wildcard for which Envoy creates a bucket per distinct value (dynamic descriptors, Envoy 1.34,
//   Istio 1.26), kept in an LRU cache of DYNAMIC_BUCKETS_PER_DESCRIPTOR buckets. Requests without
//   the header share one more bucket of the same size, so leaving the header out evades nothing.
//
// Global limits (`rateLimit.global`) are counters kept by the mesh's rate-limit service: each
// request's descriptors are built by actions (the service's own entry, then the descriptor's),
// and the limits live in the rate-limit service's configuration.
//
// Rate-limit stages keep the actions of the local and global filters apart: each filter only reads
// the actions of its own stage. The global filter keeps Envoy's default stage.
import { durationMs, toProtoDuration } from '../model/duration.js';
import { DEFAULT_NAMESPACE, type Destination, type MeshModel, type ServiceNode } from '../model/mesh-model.js';
import { tokenBucket, type TokenBucket } from '../model/token-bucket.js';
import type { LocalRateLimitSpec } from '../schema/traffic.js';
import { deliversToService, namedRoutes, provablyDisjoint, seenUnchanged, serverSideMatch, type NamedRoute } from './rate-limit-conditions.js';
import { globalDescriptors, serviceAction } from './rate-limit-descriptors.js';
import type { DescriptorEntry, LocalDescriptor, RateLimitAction, RateLimitEntry } from './rate-limit-types.js';

export const GLOBAL_RATE_LIMIT_STAGE = 0;
export const LOCAL_RATE_LIMIT_STAGE = 1;

/** Buckets kept per wildcard descriptor; Envoy's default of 20 would forget a caller within moments. */
export const DYNAMIC_BUCKETS_PER_DESCRIPTOR = 10_000;

/** Descriptor keys: the route whose bucket it is, earlier routes the request did not match, header values. */
export const ROUTE_KEY = 'route';
export const EXCLUDED_ROUTE_KEY = 'not_route';
export const headerKey = (header: string) => `header_${header.toLowerCase()}`;
export const missingHeaderKey = (header: string) => `no_header_${header.toLowerCase()}`;

export interface LocalRateLimitPlan {
  /** The bucket every request draws from; undefined without a service-wide limit shared by all. */
  readonly sharedBucket?: TokenBucket;
  /** The actions that pick each request's descriptors, all of LOCAL_RATE_LIMIT_STAGE. */
  readonly rateLimits: readonly RateLimitEntry[];
  readonly descriptors: readonly LocalDescriptor[];
  /** True when a descriptor has a wildcard entry (a bucket per header value). */
  readonly dynamic: boolean;
}

export interface GlobalRateLimitPlan {
  /** The rate-limit service's domain for the mesh's descriptors. */
  readonly domain: string;
  /** A rate-limit service that does not answer in time lets the request through. */
  readonly failOpen: boolean;
  readonly timeoutMs: number;
  /** The rate-limit service and the port it takes gRPC calls on. */
  readonly service: Destination;
  readonly port: number;
  /** The actions that build each request's descriptors, all of GLOBAL_RATE_LIMIT_STAGE. */
  readonly rateLimits: readonly RateLimitEntry[];
}

/** The actions that select a set of requests, and the descriptor entries they produce. */
interface Selection {
  readonly actions: RateLimitAction[];
  readonly entries: DescriptorEntry[];
}

/** The service's local buckets; undefined when it has no local limit (service-wide or on a route). */
export function planLocalRateLimit(model: MeshModel, service: ServiceNode): LocalRateLimitPlan | undefined {
  const spec = service.resource.spec;
  const serviceWide = spec.rateLimit?.local;
  if (!serviceWide && !spec.routes?.some((route) => route.rateLimit)) return undefined;
  const rateLimits: RateLimitEntry[] = [];
  const descriptors: LocalDescriptor[] = [];
  const addBuckets = (selection: Selection, limit: LocalRateLimitSpec) => {
    const add = (action: RateLimitAction, entry: DescriptorEntry) => {
      rateLimits.push({ stage: LOCAL_RATE_LIMIT_STAGE, actions: [...selection.actions, action] });
      descriptors.push({ entries: [...selection.entries, entry], token_bucket: tokenBucket(limit) });
    };
    const header = limit.perHeader?.toLowerCase();
    if (header === undefined) {
      // A route's own actions already select its requests: its entries are the descriptor.
      rateLimits.push({ stage: LOCAL_RATE_LIMIT_STAGE, actions: selection.actions });
      descriptors.push({ entries: selection.entries, token_bucket: tokenBucket(limit) });
      return;
    }
    add({ request_headers: { header_name: header, descriptor_key: headerKey(header) } }, { key: headerKey(header), value: '' });
    add(
      { header_value_match: { descriptor_key: missingHeaderKey(header), descriptor_value: 'true', headers: [{ name: header, present_match: true, invert_match: true }] } },
      { key: missingHeaderKey(header), value: 'true' },
    );
  };

  if (serviceWide?.perHeader !== undefined) addBuckets({ actions: [], entries: [] }, serviceWide);
  const routes = namedRoutes(service);
  for (const target of routes) {
    if (!target.route.rateLimit) continue;
    const selection = routeSelection(model, service, routes, target);
    if (selection) addBuckets(selection, target.route.rateLimit);
  }
  const sharedBucket = serviceWide && serviceWide.perHeader === undefined ? tokenBucket(serviceWide) : undefined;
  const dynamic = descriptors.some((descriptor) => descriptor.entries.some((entry) => entry.value === ''));
  return { ...(sharedBucket ? { sharedBucket } : {}), rateLimits, descriptors, dynamic };
}

/** The service's global limits; undefined when it has none. */
export function planGlobalRateLimit(model: MeshModel, service: ServiceNode): GlobalRateLimitPlan | undefined {
  if (!service.resource.spec.rateLimit?.global) return undefined;
  const settings = model.settings.rateLimitService;
  // The Mesh has no namespace: its references resolve from the default one, as the validator's.
  const rateLimitService = settings && model.findDestination(settings.service, DEFAULT_NAMESPACE);
  if (!settings || !rateLimitService) {
    throw new Error(`${service.key}: global rate limits without a resolvable rate-limit service reached the compiler; validation should have refused them`);
  }
  return {
    domain: settings.domain,
    failOpen: settings.failOpen,
    timeoutMs: durationMs(settings.timeout),
    service: rateLimitService,
    port: settings.port,
    rateLimits: globalDescriptors(service).map((descriptor) => ({ stage: GLOBAL_RATE_LIMIT_STAGE, actions: [serviceAction(service), descriptor.action] })),
  };
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

// The filter configurations both targets write: the Envoy target into its listeners, the Istio
// target into an EnvoyFilter patch. One definition, so the two cannot drift apart.
export const LOCAL_RATE_LIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';
export const RATE_LIMIT_TYPE = 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit';

/**
 * A fraction of 100% behind a runtime key. Envoy's local rate limit defaults both filter_enabled
 * and filter_enforced to 0%: without them the filter counts nothing and refuses nothing. The
 * runtime key lets an operator turn a limit down on one proxy without a new configuration.
 */
function fullyOn(runtimeKey: string): { runtime_key: string; default_value: { numerator: number; denominator: 'HUNDRED' } } {
  return { runtime_key: runtimeKey, default_value: { numerator: 100, denominator: 'HUNDRED' } };
}

/** The typed config of Envoy's local rate-limit filter for PLAN. */
export function localRateLimitConfig(plan: LocalRateLimitPlan): Record<string, unknown> {
  return {
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
  };
}

/** The typed config of Envoy's global rate-limit filter for PLAN, calling the service through CLUSTER with AUTHORITY. */
export function globalRateLimitConfig(plan: GlobalRateLimitPlan, upstream: { cluster: string; authority: string }): Record<string, unknown> {
  return {
    '@type': RATE_LIMIT_TYPE,
    domain: plan.domain,
    stage: GLOBAL_RATE_LIMIT_STAGE,
    // failOpen: a rate-limit service that does not answer in time lets the request through.
    failure_mode_deny: !plan.failOpen,
    timeout: toProtoDuration(plan.timeoutMs),
    rate_limit_service: {
      grpc_service: { envoy_grpc: { cluster_name: upstream.cluster, authority: upstream.authority } },
      transport_api_version: 'V3',
    },
    enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
    rate_limited_as_resource_exhausted: true,
  };
}
