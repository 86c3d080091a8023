// A destination's `resilience` as both targets apply it to the connections towards it: the load
// balancer (a consistent hash by its key), the circuit breaker, outlier detection and locality
// failover, with every duration in milliseconds. Each target rounds and defaults in its own terms
// (the Istio target into a DestinationRule, the Envoy target into clusters and route hash policies).
import { durationMs } from '../model/duration.js';
import type { ResilienceSpec } from '../schema/policy.js';

export interface ResiliencePlan {
  /** Undefined: the default balancer (least request). */
  readonly loadBalancer?: BalancerPlan;
  readonly circuitBreaker?: CircuitBreakerPlan;
  readonly outlierDetection?: OutlierDetectionPlan;
  /** Region to region; never empty. */
  readonly localityFailover?: readonly { readonly from: string; readonly to: string }[];
}

export type BalancerPlan =
  | { readonly kind: 'round-robin' | 'least-request' | 'random' }
  /** `key` undefined only where validation has refused a hash without one (MESH305). */
  | { readonly kind: 'consistent-hash'; readonly key?: HashKey };

export type HashKey =
  | { readonly kind: 'header'; readonly name: string }
  /** Without a ttl the proxy never sets the cookie (MESH405); ttl 0 asks for a session cookie. */
  | { readonly kind: 'cookie'; readonly name: string; readonly ttlMs?: number; readonly path?: string }
  | { readonly kind: 'source-ip' }
  | { readonly kind: 'query-parameter'; readonly name: string };

export interface CircuitBreakerPlan {
  readonly maxConnections?: number;
  readonly connectTimeoutMs?: number;
  readonly maxPendingRequests?: number;
  readonly maxRequests?: number;
  readonly maxRequestsPerConnection?: number;
  readonly maxRetries?: number;
}

export interface OutlierDetectionPlan {
  readonly consecutive5xx?: number;
  readonly consecutiveGatewayErrors?: number;
  readonly intervalMs?: number;
  readonly baseEjectionTimeMs?: number;
  /** As written: a target that counts whole percents rounds it. */
  readonly maxEjectionPercent?: number;
  readonly minHealthPercent?: number;
}

export function resiliencePlan(resilience: ResilienceSpec | undefined): ResiliencePlan {
  if (!resilience) return {};
  const loadBalancer = balancerPlan(resilience.loadBalancer);
  const breaker = resilience.circuitBreaker;
  const outlier = resilience.outlierDetection;
  return {
    ...(loadBalancer ? { loadBalancer } : {}),
    ...(breaker
      ? {
          circuitBreaker: {
            ...(breaker.maxConnections !== undefined ? { maxConnections: breaker.maxConnections } : {}),
            ...(breaker.connectTimeout !== undefined ? { connectTimeoutMs: durationMs(breaker.connectTimeout) } : {}),
            ...(breaker.maxPendingRequests !== undefined ? { maxPendingRequests: breaker.maxPendingRequests } : {}),
            ...(breaker.maxRequests !== undefined ? { maxRequests: breaker.maxRequests } : {}),
            ...(breaker.maxRequestsPerConnection !== undefined ? { maxRequestsPerConnection: breaker.maxRequestsPerConnection } : {}),
            ...(breaker.maxRetries !== undefined ? { maxRetries: breaker.maxRetries } : {}),
          },
        }
      : {}),
    ...(outlier
      ? {
          outlierDetection: {
            ...(outlier.consecutive5xx !== undefined ? { consecutive5xx: outlier.consecutive5xx } : {}),
            ...(outlier.consecutiveGatewayErrors !== undefined ? { consecutiveGatewayErrors: outlier.consecutiveGatewayErrors } : {}),
            ...(outlier.interval !== undefined ? { intervalMs: durationMs(outlier.interval) } : {}),
            ...(outlier.baseEjectionTime !== undefined ? { baseEjectionTimeMs: durationMs(outlier.baseEjectionTime) } : {}),
            ...(outlier.maxEjectionPercent !== undefined ? { maxEjectionPercent: outlier.maxEjectionPercent } : {}),
            ...(outlier.minHealthPercent !== undefined ? { minHealthPercent: outlier.minHealthPercent } : {}),
          },
        }
      : {}),
    ...(resilience.localityFailover?.length ? { localityFailover: resilience.localityFailover.map(({ from, to }) => ({ from, to })) } : {}),
  };
}

function balancerPlan(balancer: ResilienceSpec['loadBalancer']): BalancerPlan | undefined {
  if (balancer === undefined) return undefined;
  if (typeof balancer === 'string') return { kind: balancer };
  const hash = balancer.consistentHash;
  const key: HashKey | undefined =
    hash.header !== undefined ? { kind: 'header', name: hash.header }
    : hash.cookie !== undefined
      ? {
          kind: 'cookie',
          name: hash.cookie.name,
          ...(hash.cookie.ttl !== undefined ? { ttlMs: durationMs(hash.cookie.ttl) } : {}),
          ...(hash.cookie.path !== undefined ? { path: hash.cookie.path } : {}),
        }
    : hash.sourceIp ? { kind: 'source-ip' }
    : hash.queryParameter !== undefined ? { kind: 'query-parameter', name: hash.queryParameter }
    : undefined;
  return { kind: 'consistent-hash', ...(key ? { key } : {}) };
}
