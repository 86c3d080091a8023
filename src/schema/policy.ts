// Resilience, rate limits, access control and telemetry: the parts of a service's behaviour that
// Istio spreads over DestinationRule, EnvoyFilter, AuthorizationPolicy and Telemetry.
import { z } from 'zod';
import { LIMITS, count } from './limits.js';
import { Duration, MtlsMode, Percent, Port, ServiceRef } from './primitives.js';
import { LocalRateLimit } from './traffic.js';

export const CircuitBreaker = z
  .strictObject({
    maxConnections: count(LIMITS.circuitBreaker.max, 1).optional(), // MESH404
    maxPendingRequests: count(LIMITS.circuitBreaker.max, 1).optional(), // MESH404
    maxRequests: count(LIMITS.circuitBreaker.max, 1).optional(), // MESH404
    maxRequestsPerConnection: count(LIMITS.circuitBreaker.max, 0).optional(), // MESH404: 0 is unlimited
    maxRetries: count(LIMITS.circuitBreaker.max, 1).optional(), // MESH404
    connectTimeout: Duration.optional(),
  })
  .meta({ description: 'Connection-pool limits; requests beyond them fail fast instead of queueing.' });

export const OutlierDetection = z.strictObject({
  consecutive5xx: count(LIMITS.outlierCount.max, 0).optional(), // MESH403
  consecutiveGatewayErrors: count(LIMITS.outlierCount.max, 0).optional(), // MESH403
  interval: Duration.optional(),
  baseEjectionTime: Duration.optional(),
  maxEjectionPercent: Percent.optional(),
  minHealthPercent: Percent.optional(),
});

export const ConsistentHash = z
  .strictObject({
    header: z.string().optional(),
    cookie: z.strictObject({ name: z.string(), ttl: Duration.optional(), path: z.string().optional() }).optional(),
    sourceIp: z.literal(true).optional(),
    queryParameter: z.string().optional(),
  })
  .meta({ description: 'Exactly one of header, cookie, sourceIp, queryParameter.' });

export const LoadBalancer = z.union([
  z.enum(['round-robin', 'least-request', 'random']),
  z.strictObject({ consistentHash: ConsistentHash }),
]);

export const LocalityFailover = z.strictObject({
  from: z.string().meta({ description: 'A region, e.g. us-east1.' }),
  to: z.string(),
});

export const Resilience = z.strictObject({
  circuitBreaker: CircuitBreaker.optional(),
  outlierDetection: OutlierDetection.optional(),
  loadBalancer: LoadBalancer.optional().meta({ description: 'Default: least-request.' }),
  localityFailover: z.array(LocalityFailover).min(1).optional().meta({ description: 'Needs outlierDetection: without it no endpoint is ever ejected, so traffic never fails over.' }),
});

export const GlobalRateLimitDescriptor = z.strictObject({
  name: z.string().optional(),
  key: z
    .strictObject({
      header: z.string().optional(),
      remoteAddress: z.literal(true).optional(),
      path: z.literal(true).optional(),
      value: z.string().optional().meta({ description: 'A fixed value: one bucket for everyone.' }),
    })
    .meta({ description: 'What the limit is counted by: exactly one of header, remoteAddress, path, value.' }),
  requests: count(LIMITS.globalRequests.max, 1), // MESH420
  per: z.enum(['second', 'minute', 'hour', 'day']),
});

export const RateLimit = z.strictObject({
  local: LocalRateLimit.optional().meta({ description: 'A token bucket in each instance\'s proxy.' }),
  global: z
    .strictObject({ descriptors: z.array(GlobalRateLimitDescriptor).min(1) })
    .optional()
    .meta({ description: 'Limits shared by all instances, counted by the mesh\'s rate-limit service.' }),
});

export const Source = z
  .strictObject({
    services: z.array(ServiceRef).optional(),
    serviceAccounts: z.array(z.string()).optional().meta({ description: '"name" in the service\'s namespace or "namespace/name".' }),
    namespaces: z.array(z.string()).optional(),
    principals: z.array(z.string()).optional().meta({ description: 'SPIFFE identities, e.g. spiffe://cluster.local/ns/shop/sa/web; "*" is anyone with an identity.' }),
    ipBlocks: z.array(z.string()).optional().meta({ description: 'CIDR blocks or addresses of the caller.' }),
    anyone: z.literal(true).optional().meta({ description: 'Every caller, authenticated or not.' }),
  })
  .meta({ description: 'Who the rule is about; all given fields must hold.' });

export const Operation = z.strictObject({
  paths: z.array(z.string()).optional().meta({ description: 'Exact paths, or a "*" prefix/suffix wildcard: /api/*.' }),
  methods: z.array(z.string()).optional(),
  ports: z.array(Port).optional(),
});

export const AccessRule = z.strictObject({
  from: Source.optional().meta({ description: 'Default: anyone.' }),
  to: Operation.optional().meta({ description: 'Default: every request.' }),
  when: z
    .strictObject({
      claims: z.record(z.string(), z.union([z.string(), z.array(z.string()).min(1)])).optional().meta({ description: 'JWT claims the request token must carry.' }),
    })
    .optional(),
});

export const Access = z.strictObject({
  allow: z.array(AccessRule).optional(),
  deny: z.array(AccessRule).optional().meta({ description: 'Deny rules win over allow rules.' }),
});

export const Authentication = z.strictObject({
  jwt: z
    .strictObject({
      providers: z.array(z.string()).min(1).meta({ description: 'Names of JWT providers declared in the Mesh.' }),
      required: z.boolean().default(true).meta({ description: 'Refuse requests without a valid token (true), or only check tokens that are sent (false).' }),
    })
    .optional(),
});

export const MtlsSetting = z.union([
  MtlsMode,
  z.strictObject({
    mode: MtlsMode,
    ports: z.record(z.string(), MtlsMode).optional().meta({ description: 'Per-port overrides, keyed by port number.' }),
  }),
]);

export const Telemetry = z.strictObject({
  accessLog: z
    .strictObject({
      enabled: z.boolean().default(true),
      format: z.enum(['text', 'json']).optional(),
      errorsOnly: z.boolean().optional().meta({ description: 'Log only responses with status >= 400.' }),
    })
    .optional(),
  tracing: z.strictObject({ samplingPercent: Percent }).optional(),
});

export type AccessRuleSpec = z.infer<typeof AccessRule>;
export type SourceSpec = z.infer<typeof Source>;
export type MtlsSettingSpec = z.infer<typeof MtlsSetting>;
export type ResilienceSpec = z.infer<typeof Resilience>;
export type RateLimitSpec = z.infer<typeof RateLimit>;
export type TelemetrySpec = z.infer<typeof Telemetry>;
export { Port, ServiceRef };
