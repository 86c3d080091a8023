// The upstream clusters of one proxy. A cluster is created only when a route, a TCP listener or a
// filter of this proxy sends to it, so a workload's configuration grows with what it calls, not
// with the mesh. One cluster per destination port and version (Istio's subset); a destination
// without a version is one cluster over every version's endpoints.
//
// Each cluster carries the destination's `resilience`: load balancer (default LEAST_REQUEST, as
// Istio), circuit breakers (Istio's unlimited defaults where none are declared), outlier
// detection, connect timeout (default 10s, Istio's); the mesh's mTLS to in-mesh services whose
// port is not `disabled` (SNI and SAN as Istio's), TLS origination to external services that ask
// for it, and HTTP/2 when the port speaks it.
import { compareStrings } from '../../diagnostics/types.js';
import { effectiveMtlsMode } from '../../model/effective-policy.js';
import type { Destination, MeshModel } from '../../model/mesh-model.js';
import { resiliencePlan, type ResiliencePlan } from '../../plan/resilience.js';
import type { ServicePortT } from '../../schema/resources.js';
import { externalEndpoints, isIpAddress, meshHost, serviceEndpoints, spiffeIds, type Certificates, type MeshProxySettings, type UpstreamEndpoint } from './settings.js';
import type { ClusterUse, CompileMemo } from './memo.js';
import { meshUpstreamTls, originationTls } from './tls.js';
import { HTTP_PROTOCOL_OPTIONS, HTTP_PROTOCOL_OPTIONS_TYPE, seconds, type Json } from './types.js';

export const DEFAULT_CONNECT_TIMEOUT = '10s';

const LB_POLICY = { 'round-robin': 'ROUND_ROBIN', 'least-request': 'LEAST_REQUEST', random: 'RANDOM' } as const;

export interface ClusterContext {
  readonly model: MeshModel;
  readonly mesh: MeshProxySettings;
  /** The identity this proxy presents to its upstreams. */
  readonly certificates: Certificates;
  /** Clusters already built in this run, shared by proxies presenting the same certificates. */
  readonly memo?: CompileMemo;
}

/** The host a destination is named by in cluster names and SNI: the service's mesh host or the external service's first host. */
export function destinationHostName(node: Destination, clusterDomain: string): string {
  return node.kind === 'Service' ? meshHost(node, clusterDomain) : node.resource.spec.hosts[0]!;
}

/** Istio's cluster naming, so stats and logs read the same: outbound|9080|v1|reviews.storefront.svc.cluster.local. */
export function outboundClusterName(node: Destination, version: string | undefined, port: number, clusterDomain: string): string {
  return `outbound|${port}|${version ?? ''}|${destinationHostName(node, clusterDomain)}`;
}

export function portOf(node: Destination, port: number): ServicePortT {
  const found = node.resource.spec.ports.find((candidate) => candidate.port === port);
  if (!found) throw new Error(`${node.key}: port ${port} is not a port of the destination; validation should have refused it`);
  return found;
}

export function speaksHttp2(port: ServicePortT): boolean {
  return port.protocol === 'http2' || port.protocol === 'grpc';
}

export class ClusterSet {
  private readonly clusters = new Map<string, Json>();
  private readonly memoPrefix: string;
  private recording: ClusterUse[] | undefined;

  constructor(private readonly context: ClusterContext) {
    this.memoPrefix = context.memo ? `${JSON.stringify(context.certificates)}\n` : '';
  }

  /** The cluster for a destination's port and version, created on first use. */
  outbound(node: Destination, version: string | undefined, port: number): string {
    const { mesh, memo } = this.context;
    const name = outboundClusterName(node, version, port, mesh.clusterDomain);
    this.recording?.push({ node, version, port });
    if (!this.clusters.has(name)) {
      const build = () => this.buildOutbound(name, node, version, portOf(node, port));
      this.clusters.set(name, memo ? memo.memoized(memo.clusters, `${this.memoPrefix}${node.kind}:${node.key}\n${name}`, build) : build());
    }
    return name;
  }

  /** Runs `produce` and lists the outbound clusters it asked for, so a cached result can ask for them again. */
  recordUses<T>(produce: () => T): { value: T; uses: ClusterUse[] } {
    const outer = this.recording;
    const uses: ClusterUse[] = [];
    this.recording = uses;
    try {
      const value = produce();
      return { value, uses };
    } finally {
      this.recording = outer;
      outer?.push(...uses);
    }
  }

  /** A cluster built elsewhere (the local application, a JWKS server). */
  add(name: string, cluster: Json): string {
    if (!this.clusters.has(name)) this.clusters.set(name, cluster);
    return name;
  }

  has(name: string): boolean {
    return this.clusters.has(name);
  }

  /** Every cluster, by name. */
  list(): Json[] {
    return [...this.clusters.keys()].sort(compareStrings).map((name) => this.clusters.get(name)!);
  }

  private buildOutbound(name: string, node: Destination, version: string | undefined, port: ServicePortT): Json {
    const { model, mesh, certificates } = this.context;
    const resilience = resiliencePlan(node.resource.spec.resilience);
    const endpoints = node.kind === 'Service' ? serviceEndpoints(mesh, node, version, port) : externalEndpoints(node, port);
    const http2 = speaksHttp2(port);
    let transportSocket: Json | undefined;
    if (node.kind === 'Service') {
      if (effectiveMtlsMode(model, node, port.port).value !== 'disabled') {
        const sni = `outbound_.${port.port}_.${version ?? ''}_.${meshHost(node, mesh.clusterDomain)}`;
        transportSocket = meshUpstreamTls(certificates, sni, spiffeIds(mesh.trustDomain, node), http2 ? ['h2'] : undefined);
      }
    } else if (node.resource.spec.tls?.originate) {
      const sni = node.resource.spec.tls.sni ?? node.resource.spec.hosts[0]!;
      transportSocket = originationTls(sni, mesh.externalCa, http2 ? ['h2'] : undefined);
    }
    return upstreamCluster(name, endpoints, resilience, { http2, ...(transportSocket ? { transportSocket } : {}) });
  }
}

export interface UpstreamOptions {
  readonly http2?: boolean;
  readonly transportSocket?: Json;
}

/** A cluster over fixed endpoints: STATIC when every address is an IP, else STRICT_DNS. */
export function upstreamCluster(name: string, endpoints: readonly UpstreamEndpoint[], resilience: ResiliencePlan, options: UpstreamOptions = {}): Json {
  const breaker = resilience.circuitBreaker;
  const connectTimeout = breaker?.connectTimeoutMs !== undefined ? seconds(breaker.connectTimeoutMs) : DEFAULT_CONNECT_TIMEOUT;
  const allIps = endpoints.every((endpoint) => isIpAddress(endpoint.address));
  const cluster: Json = {
    name,
    type: allIps ? 'STATIC' : 'STRICT_DNS',
    connect_timeout: connectTimeout,
    lb_policy: lbPolicy(resilience),
    ...(allIps ? {} : { dns_lookup_family: 'V4_PREFERRED' }),
    load_assignment: { cluster_name: name, endpoints: localityGroups(endpoints, resilience) },
  };
  cluster.circuit_breakers = { thresholds: [circuitBreakerThresholds(resilience)] };
  const outlier = outlierDetection(resilience);
  if (outlier) cluster.outlier_detection = outlier;
  const minHealth = resilience.outlierDetection?.minHealthPercent;
  if (minHealth !== undefined) cluster.common_lb_config = { healthy_panic_threshold: { value: minHealth } };
  const protocolOptions = httpProtocolOptions(resilience, options.http2 === true);
  if (protocolOptions) cluster.typed_extension_protocol_options = { [HTTP_PROTOCOL_OPTIONS]: protocolOptions };
  if (options.transportSocket) cluster.transport_socket = options.transportSocket;
  return cluster;
}

function lbPolicy(resilience: ResiliencePlan): string {
  const balancer = resilience.loadBalancer;
  if (balancer === undefined) return 'LEAST_REQUEST';
  if (balancer.kind !== 'consistent-hash') return LB_POLICY[balancer.kind];
  // Consistent hashing: the routes carry the hash policy (routes.ts), the cluster the ring.
  return 'RING_HASH';
}

/**
 * Endpoints grouped by locality. With locality failover, endpoints in a `to` region are the
 * next priority for the `from` region's: Envoy sends there only when priority 0 is unhealthy
 * (outlier detection ejects them), which is what failover means for one caller's cluster.
 */
function localityGroups(endpoints: readonly UpstreamEndpoint[], resilience: ResiliencePlan): Json[] {
  const failoverTargets = new Set((resilience.localityFailover ?? []).map((rule) => rule.to));
  const failoverSources = new Set((resilience.localityFailover ?? []).map((rule) => rule.from));
  const regionOf = (locality: string | undefined) => locality?.split('/')[0];
  const hasSource = endpoints.some((endpoint) => failoverSources.has(regionOf(endpoint.locality) ?? ''));
  const groups = new Map<string, { locality?: string; priority: number; endpoints: UpstreamEndpoint[] }>();
  for (const endpoint of endpoints) {
    const priority = hasSource && failoverTargets.has(regionOf(endpoint.locality) ?? '') ? 1 : 0;
    const key = `${priority}|${endpoint.locality ?? ''}`;
    const group = groups.get(key) ?? { ...(endpoint.locality !== undefined ? { locality: endpoint.locality } : {}), priority, endpoints: [] };
    group.endpoints.push(endpoint);
    groups.set(key, group);
  }
  return [...groups.values()].map((group) => {
    const [region, zone, subZone] = (group.locality ?? '').split('/');
    return {
      ...(group.locality !== undefined
        ? { locality: { ...(region ? { region } : {}), ...(zone ? { zone } : {}), ...(subZone ? { sub_zone: subZone } : {}) } }
        : {}),
      lb_endpoints: group.endpoints.map((endpoint) => ({ endpoint: { address: { socket_address: { address: endpoint.address, port_value: endpoint.port } } } })),
      ...(group.priority > 0 ? { priority: group.priority } : {}),
    };
  });
}

/** Istio's thresholds for every cluster (pilot's getDefaultCircuitBreakerThresholds): no limit. */
export const DEFAULT_CIRCUIT_BREAKER_LIMIT = 4294967295;

/**
 * Every cluster gets Istio's default thresholds, which a declared circuit breaker overrides field
 * by field. Envoy's own defaults would cap concurrent retries at 3 per cluster, so a few requests
 * in flight against a failing upstream would see 503s their route's retries were meant to hide.
 */
function circuitBreakerThresholds(resilience: ResiliencePlan): Json {
  const breaker = resilience.circuitBreaker;
  return {
    max_connections: breaker?.maxConnections ?? DEFAULT_CIRCUIT_BREAKER_LIMIT,
    max_pending_requests: breaker?.maxPendingRequests ?? DEFAULT_CIRCUIT_BREAKER_LIMIT,
    max_requests: breaker?.maxRequests ?? DEFAULT_CIRCUIT_BREAKER_LIMIT,
    max_retries: breaker?.maxRetries ?? DEFAULT_CIRCUIT_BREAKER_LIMIT,
    track_remaining: true,
  };
}

/**
 * Envoy counts consecutive 5xx by default (5, enforced 100%) but enforces consecutive gateway
 * failures at 0%: as Istio does, each is enforced exactly when the mesh file sets it.
 */
function outlierDetection(resilience: ResiliencePlan): Json | undefined {
  const outlier = resilience.outlierDetection;
  if (!outlier) return undefined;
  const out: Json = {};
  if (outlier.consecutive5xx !== undefined) {
    out.consecutive_5xx = outlier.consecutive5xx;
    out.enforcing_consecutive_5xx = 100;
  } else {
    out.enforcing_consecutive_5xx = 0;
  }
  if (outlier.consecutiveGatewayErrors !== undefined) {
    out.consecutive_gateway_failure = outlier.consecutiveGatewayErrors;
    out.enforcing_consecutive_gateway_failure = 100;
  }
  if (outlier.intervalMs !== undefined) out.interval = seconds(outlier.intervalMs);
  if (outlier.baseEjectionTimeMs !== undefined) out.base_ejection_time = seconds(outlier.baseEjectionTimeMs);
  if (outlier.maxEjectionPercent !== undefined) out.max_ejection_percent = outlier.maxEjectionPercent;
  // Envoy's success-rate ejection is not part of the mesh format: keep it off.
  out.enforcing_success_rate = 0;
  return out;
}

function httpProtocolOptions(resilience: ResiliencePlan, http2: boolean): Json | undefined {
  const perConnection = resilience.circuitBreaker?.maxRequestsPerConnection;
  if (!http2 && perConnection === undefined) return undefined;
  return {
    '@type': HTTP_PROTOCOL_OPTIONS_TYPE,
    ...(perConnection !== undefined ? { common_http_protocol_options: { max_requests_per_connection: perConnection } } : {}),
    explicit_http_config: http2 ? { http2_protocol_options: {} } : { http_protocol_options: {} },
  };
}
