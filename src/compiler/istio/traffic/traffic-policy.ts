// `resilience` (as the plan resolves it: src/plan/resilience.ts) as a DestinationRule traffic
// policy: load balancer, connection pool (the circuit breaker), outlier detection and locality
// failover; and the per-port TLS settings that go with it.
import { toProtoDuration } from '../../../model/duration.js';
import { resiliencePlan, type CircuitBreakerPlan, type OutlierDetectionPlan, type ResiliencePlan } from '../../../plan/resilience.js';
import type { ResilienceSpec } from '../../../schema/policy.js';
import type {
  IstioClientTls,
  IstioConnectionPool,
  IstioLoadBalancer,
  IstioOutlierDetection,
  IstioPolicySettings,
  IstioTrafficPolicy,
} from './istio-types.js';

const SIMPLE_BALANCERS = { 'round-robin': 'ROUND_ROBIN', 'least-request': 'LEAST_REQUEST', random: 'RANDOM' } as const;

/** The policy for every port of the destination; empty when the resilience block sets none of it. */
export function toTrafficPolicy(spec: ResilienceSpec | undefined): IstioPolicySettings {
  const resilience = resiliencePlan(spec);
  const loadBalancer = toIstioLoadBalancer(resilience);
  const connectionPool = resilience.circuitBreaker ? toIstioConnectionPool(resilience.circuitBreaker) : undefined;
  const outlierDetection = resilience.outlierDetection ? toIstioOutlierDetection(resilience.outlierDetection) : undefined;
  return {
    ...(loadBalancer ? { loadBalancer } : {}),
    ...(connectionPool ? { connectionPool } : {}),
    ...(outlierDetection ? { outlierDetection } : {}),
  };
}

/**
 * The balancer as written (Istio's default, LEAST_REQUEST, is the format's default too, so an
 * unset balancer stays unset), plus locality failover, which Envoy applies only together with
 * outlier detection (MESH400 asks for it).
 */
function toIstioLoadBalancer(resilience: ResiliencePlan): IstioLoadBalancer | undefined {
  const balancer = resilience.loadBalancer;
  const out: IstioLoadBalancer = {};
  if (balancer && balancer.kind !== 'consistent-hash') out.simple = SIMPLE_BALANCERS[balancer.kind];
  else if (balancer?.key) {
    const key = balancer.key;
    if (key.kind === 'header') out.consistentHash = { httpHeaderName: key.name };
    else if (key.kind === 'cookie') {
      // ttl 0s asks Envoy for a session cookie; without a ttl Envoy never sets the cookie (MESH405).
      out.consistentHash = {
        httpCookie: {
          name: key.name,
          ...(key.ttlMs !== undefined ? { ttl: toProtoDuration(key.ttlMs) } : {}),
          ...(key.path !== undefined ? { path: key.path } : {}),
        },
      };
    } else if (key.kind === 'source-ip') out.consistentHash = { useSourceIp: true };
    else out.consistentHash = { httpQueryParameterName: key.name };
  }
  if (resilience.localityFailover) {
    out.localityLbSetting = { enabled: true, failover: resilience.localityFailover.map(({ from, to }) => ({ from, to })) };
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * The circuit breaker: connections and their timeout are TCP settings; pending requests, requests
 * (Envoy's max_requests, for every HTTP version despite the name) and retries are HTTP ones.
 */
function toIstioConnectionPool(breaker: CircuitBreakerPlan): IstioConnectionPool | undefined {
  const tcp = {
    ...(breaker.maxConnections !== undefined ? { maxConnections: breaker.maxConnections } : {}),
    ...(breaker.connectTimeoutMs !== undefined ? { connectTimeout: toProtoDuration(breaker.connectTimeoutMs) } : {}),
  };
  const http = {
    ...(breaker.maxPendingRequests !== undefined ? { http1MaxPendingRequests: breaker.maxPendingRequests } : {}),
    ...(breaker.maxRequests !== undefined ? { http2MaxRequests: breaker.maxRequests } : {}),
    ...(breaker.maxRequestsPerConnection !== undefined ? { maxRequestsPerConnection: breaker.maxRequestsPerConnection } : {}),
    ...(breaker.maxRetries !== undefined ? { maxRetries: breaker.maxRetries } : {}),
  };
  const hasTcp = Object.keys(tcp).length > 0;
  const hasHttp = Object.keys(http).length > 0;
  if (!hasTcp && !hasHttp) return undefined;
  return { ...(hasTcp ? { tcp } : {}), ...(hasHttp ? { http } : {}) };
}

/**
 * Outlier detection. A count of 0 switches that trigger off, as in Istio. Envoy counts ejection
 * percentages in whole percents: a fraction is rounded the cautious way (eject fewer hosts, stop
 * ejecting sooner).
 */
export function toIstioOutlierDetection(outlier: OutlierDetectionPlan): IstioOutlierDetection | undefined {
  const out: IstioOutlierDetection = {
    ...(outlier.consecutive5xx !== undefined ? { consecutive5xxErrors: outlier.consecutive5xx } : {}),
    ...(outlier.consecutiveGatewayErrors !== undefined ? { consecutiveGatewayErrors: outlier.consecutiveGatewayErrors } : {}),
    ...(outlier.intervalMs !== undefined ? { interval: toProtoDuration(outlier.intervalMs) } : {}),
    ...(outlier.baseEjectionTimeMs !== undefined ? { baseEjectionTime: toProtoDuration(outlier.baseEjectionTimeMs) } : {}),
    ...(outlier.maxEjectionPercent !== undefined ? { maxEjectionPercent: Math.floor(outlier.maxEjectionPercent) } : {}),
    ...(outlier.minHealthPercent !== undefined ? { minHealthPercent: Math.ceil(outlier.minHealthPercent) } : {}),
  };
  return Object.keys(out).length > 0 ? out : undefined;
}

/**
 * A traffic policy with TLS decided per port: the destination's TLS goes on the whole destination,
 * ports whose TLS differs get `portLevelSettings`. Istio replaces the destination-level settings
 * wholesale for a port that has port-level settings (fields left out fall back to Istio's defaults,
 * they are not inherited), so each port entry repeats the load balancer, connection pool and outlier
 * detection. `undefined` as a port's TLS means "leave TLS to Istio".
 */
export function withTlsPerPort(
  policy: IstioPolicySettings,
  destinationTls: IstioClientTls | undefined,
  portTls: ReadonlyMap<number, IstioClientTls | undefined>,
): IstioTrafficPolicy | undefined {
  const out: IstioTrafficPolicy = { ...policy, ...(destinationTls ? { tls: destinationTls } : {}) };
  const differing = [...portTls].filter(([, tls]) => !sameTls(tls, destinationTls)).sort(([a], [b]) => a - b);
  if (differing.length > 0) {
    out.portLevelSettings = differing.map(([port, tls]) => ({ port: { number: port }, ...policy, ...(tls ? { tls } : {}) }));
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

function sameTls(a: IstioClientTls | undefined, b: IstioClientTls | undefined): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}
