// Routing: how a service's own traffic is matched and where it goes. A route without a
// destination follows the service's default split (its canary, or all versions).
import { z } from 'zod';
import { LIMITS, count } from './limits.js';
import { Duration, Percent, Port, ServiceRef, StringMatch, ValueMatch } from './primitives.js';

export const PathMatch = z
  .strictObject({
    exact: z.string().optional(),
    prefix: z.string().optional(),
    regex: z.string().optional().meta({ description: 'An RE2 regular expression matched against the whole path.' }),
  })
  .meta({ description: 'Exactly one of exact, prefix, regex.' });

export const HttpMethod = z.enum(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'CONNECT', 'TRACE']);

export const RouteMatch = z
  .strictObject({
    path: z.union([z.string(), PathMatch]).optional().meta({ description: 'A string is a prefix match.' }),
    methods: z.array(HttpMethod).min(1).optional(),
    headers: z.record(z.string(), ValueMatch).optional().meta({ description: 'Header name to match; a string is an exact match.' }),
    query: z.record(z.string(), ValueMatch).optional().meta({ description: 'Query parameter to match; a string is an exact match.' }),
    cookies: z.record(z.string(), ValueMatch).optional().meta({ description: 'Cookie to match; a string is an exact match.' }),
    from: z
      .array(ServiceRef)
      .min(1)
      .optional()
      .meta({ description: 'Only requests from these calling services (their workloads\' labels).' }),
  })
  .meta({ description: 'All given conditions must hold. An empty match matches every request.' });

export const Destination = z.strictObject({
  service: ServiceRef.optional().meta({ description: 'Another service; default: this service.' }),
  version: z.string().optional().meta({ description: 'A version of the destination service; default: all its versions.' }),
  port: Port.optional(),
  weight: Percent.optional().meta({ description: 'Share of traffic in percent; weights of a split sum to 100. May be omitted for a single destination.' }),
});

/** `to: v2` is shorthand for one destination: version v2 of this service. */
export const RouteTo = z.union([z.string(), z.array(Destination).min(1)]);

export const RetryOn = z.string().meta({
  description: 'An Envoy retry condition: 5xx, gateway-error, reset, connect-failure, retriable-4xx, refused-stream, retriable-status-codes, retriable-headers, envoy-ratelimited, http3-post-connect-failure; gRPC: cancelled, deadline-exceeded, internal, resource-exhausted, unavailable.',
});

export const Retries = z.strictObject({
  attempts: count(LIMITS.retryAttempts.max, 0).meta({ description: 'Retries after the first attempt; 0 disables retries.' }),
  perTryTimeout: Duration.optional(),
  on: z.array(RetryOn).min(1).optional().meta({ description: 'Default: connect-failure, refused-stream, unavailable, cancelled, retriable-status-codes.' }),
});

export const Fault = z
  .strictObject({
    delay: z.strictObject({ duration: Duration, percent: Percent.default(100) }).optional(),
    abort: z.strictObject({ status: z.number().int(), percent: Percent.default(100) }).optional(),
  })
  .meta({ description: 'Fault injection, for testing how callers cope: a delay, an abort, or both.' });

export const Cors = z.strictObject({
  allowOrigins: z.array(ValueMatch).min(1),
  allowMethods: z.array(z.string()).optional(),
  allowHeaders: z.array(z.string()).optional(),
  exposeHeaders: z.array(z.string()).optional(),
  maxAge: Duration.optional(),
  allowCredentials: z.boolean().optional(),
});

export const HeaderChanges = z.strictObject({
  set: z.record(z.string(), z.string()).optional().meta({ description: 'Set (overwrite) these headers.' }),
  add: z.record(z.string(), z.string()).optional().meta({ description: 'Append these headers.' }),
  remove: z.array(z.string()).optional(),
});

export const Headers = z.strictObject({
  request: HeaderChanges.optional(),
  response: HeaderChanges.optional(),
});

export const Redirect = z.strictObject({
  uri: z.string().optional(),
  authority: z.string().optional(),
  scheme: z.enum(['http', 'https']).optional(),
  port: Port.optional(),
  status: z.union([z.literal(301), z.literal(302), z.literal(303), z.literal(307), z.literal(308)]).default(301),
});

export const Rewrite = z.strictObject({
  prefix: z.string().optional().meta({ description: 'Replace the matched path prefix with this.' }),
  uri: z.string().optional().meta({ description: 'Replace the whole path with this.' }),
  authority: z.string().optional(),
});

export const DirectResponse = z.strictObject({
  status: z.number().int(),
  body: z.string().optional(),
});

export const Mirror = z.strictObject({
  service: ServiceRef.optional().meta({ description: 'Default: this service.' }),
  version: z.string().optional(),
  percent: Percent.default(100),
});

/** The per-instance token bucket. Also used per route. */
export const LocalRateLimit = z.strictObject({
  requests: count(LIMITS.tokenBucket.max, 1).meta({ description: 'Tokens added every interval.' }), // MESH420
  per: Duration.meta({ description: 'The fill interval, e.g. 1s or 1m.' }),
  burst: count(LIMITS.tokenBucket.max, 1).optional().meta({ description: 'Bucket size; default: requests.' }),
  perHeader: z.string().optional().meta({ description: 'Keep one bucket per value of this request header.' }),
});

export const Route = z.strictObject({
  name: z.string().optional().meta({ description: 'A name for diagnostics and reviews; default: route-<index>.' }),
  match: RouteMatch.optional().meta({ description: 'Default: every request.' }),
  to: RouteTo.optional().meta({ description: 'Where the request goes; default: the service\'s default split.' }),
  redirect: Redirect.optional(),
  directResponse: DirectResponse.optional(),
  rewrite: Rewrite.optional(),
  mirror: Mirror.optional(),
  headers: Headers.optional(),
  timeout: Duration.optional().meta({ description: 'Whole-request timeout, including retries.' }),
  retries: Retries.optional(),
  fault: Fault.optional(),
  cors: Cors.optional(),
  rateLimit: LocalRateLimit.optional().meta({ description: 'A token bucket for this route only.' }),
});

export const CanaryRelease = z
  .strictObject({
    stable: z.string().meta({ description: 'The version serving most traffic.' }),
    canary: z.string().meta({ description: 'The version being rolled out.' }),
    weight: Percent.meta({ description: 'Percent of traffic the canary gets now.' }),
    steps: z
      .array(Percent)
      .min(1)
      .optional()
      .meta({ description: 'The rollout plan, strictly increasing; the current weight must be one of them.' }),
  })
  .meta({ description: 'A canary release: compiles to a weighted split stable (100 - weight) / canary (weight).' });

export const Cohort = z
  .strictObject({
    header: z.strictObject({ name: z.string(), value: ValueMatch }).optional(),
    cookie: z.strictObject({ name: z.string(), value: ValueMatch }).optional(),
  })
  .meta({ description: 'Exactly one of header, cookie.' });

export const AbTest = z
  .strictObject({
    name: z.string().optional(),
    cohort: Cohort,
    variant: z.string().meta({ description: 'The version the cohort sees.' }),
    control: z.string().optional().meta({ description: 'The version everyone else sees; default: the default split.' }),
  })
  .meta({ description: 'An A/B test: requests in the cohort go to the variant, the rest to the control.' });

export type RouteSpec = z.infer<typeof Route>;
export type RouteMatchSpec = z.infer<typeof RouteMatch>;
export type DestinationSpec = z.infer<typeof Destination>;
export type PathMatchSpec = z.infer<typeof PathMatch>;
export type LocalRateLimitSpec = z.infer<typeof LocalRateLimit>;
export { StringMatch };
