// A sidecar's inbound listeners: one per service port, on the port the mesh file gives the sidecar,
// forwarding to the application on 127.0.0.1:<targetPort>.
//
// Transport, per the port's effective mTLS mode: strict requires a client certificate chained to
// the mesh CA with a SPIFFE ID of the trust domain; permissive inspects the first bytes (TLS
// inspector) and accepts TLS, with a client certificate checked when one is sent, as well as plain
// text; disabled is plain text only.
//
// HTTP ports run, in order: jwt_authn (the service's JWT providers), rbac DENY (its deny rules; a
// match is refused whatever the allow rules say), rbac ALLOW (its allow rules; also, with none and
// deny-by-default access, a policy that admits nobody), the local rate limit, the global rate
// limit (both from the plan's buckets: rate-limits.ts), and the router. TCP ports run the network
// RBAC filters and tcp_proxy.
//
// Faults are not injected here: the format's faults belong to routes, which callers' proxies (and
// gateways) apply, as Istio applies a VirtualService's faults in the caller's proxy.
import { effectiveAccessDefault, effectiveMtlsMode } from '../../model/effective-policy.js';
import type { MeshModel, ServiceNode } from '../../model/mesh-model.js';
import { isHttpFamily } from '../../model/ports.js';
import type { ServicePortT } from '../../schema/resources.js';
import { accessLogs, tracing, type EffectiveTelemetry } from './access-log.js';
import { speaksHttp2, upstreamCluster, type ClusterSet } from './clusters.js';
import { jwtFilter } from './jwt.js';
import { inboundRateLimits, rateLimitFilters, type InboundRateLimits } from './rate-limits.js';
import { rbacPolicies } from './rbac.js';
import { LOCAL_APP_ADDRESS, localAppPort, type MeshProxySettings, type SidecarSettings } from './settings.js';
import { meshDownstreamTls } from './tls.js';
import {
  HCM_FILTER,
  HCM_TYPE,
  RBAC_HTTP_FILTER,
  RBAC_HTTP_TYPE,
  RBAC_NETWORK_FILTER,
  RBAC_NETWORK_TYPE,
  ROUTER_FILTER,
  ROUTER_TYPE,
  TCP_PROXY_FILTER,
  TCP_PROXY_TYPE,
  TLS_INSPECTOR,
  TLS_INSPECTOR_TYPE,
  typedFilter,
  type Json,
} from './types.js';

export interface InboundContext {
  readonly model: MeshModel;
  readonly service: ServiceNode;
  readonly version?: string;
  readonly mesh: MeshProxySettings;
  readonly sidecar: SidecarSettings;
  readonly clusters: ClusterSet;
  readonly telemetry: EffectiveTelemetry;
}

/** The cluster of the local application behind one service port. */
export function localAppClusterName(port: ServicePortT): string {
  return `inbound|${port.port}||`;
}

export function inboundListeners(context: InboundContext): Json[] {
  const rateLimits = inboundRateLimits(context.model, context.service);
  return context.service.resource.spec.ports.map((port) => inboundListener(context, port, rateLimits));
}

function inboundListener(context: InboundContext, port: ServicePortT, rateLimits: InboundRateLimits): Json {
  const { model, service, mesh, sidecar, clusters } = context;
  const appPort = localAppPort(port);
  const cluster = clusters.add(
    localAppClusterName(port),
    upstreamCluster(localAppClusterName(port), [{ address: LOCAL_APP_ADDRESS, port: appPort }], { loadBalancer: { kind: 'round-robin' } }, { http2: speaksHttp2(port) }),
  );
  const http = isHttpFamily(port);
  const filters = http ? [httpConnectionManager(context, port, cluster, rateLimits)] : [...networkRbac(context, port), tcpProxy(`inbound_${port.port}`, cluster, context.telemetry)];
  const mode = effectiveMtlsMode(model, service, port.port).value;
  const alpn = http ? ['h2', 'http/1.1'] : undefined;
  const tls = (required: boolean) => meshDownstreamTls(sidecar.certificates, mesh.trustDomain, required, alpn);
  let filterChains: Json[];
  let listenerFilters: Json[] | undefined;
  if (mode === 'strict') filterChains = [{ filters, transport_socket: tls(true) }];
  else if (mode === 'disabled') filterChains = [{ filters }];
  else {
    listenerFilters = [typedFilter(TLS_INSPECTOR, TLS_INSPECTOR_TYPE)];
    filterChains = [
      { filter_chain_match: { transport_protocol: 'tls' }, filters, transport_socket: tls(false) },
      { filter_chain_match: { transport_protocol: 'raw_buffer' }, filters },
    ];
  }
  return {
    name: `inbound_${port.port}`,
    address: { socket_address: { address: sidecar.inboundAddress, port_value: sidecar.inboundPort(port) } },
    ...(listenerFilters ? { listener_filters: listenerFilters } : {}),
    filter_chains: filterChains,
  };
}

function httpConnectionManager(context: InboundContext, port: ServicePortT, cluster: string, rateLimits: InboundRateLimits): Json {
  const { model, service, mesh, clusters } = context;
  const filters: Json[] = [];
  const jwt = jwtFilter(model, service, mesh, clusters);
  if (jwt) filters.push(jwt);
  filters.push(...httpRbac(context, port));
  filters.push(...rateLimitFilters(rateLimits, clusters));
  filters.push(typedFilter(ROUTER_FILTER, ROUTER_TYPE));
  const virtualHost: Json = {
    name: 'inbound',
    domains: ['*'],
    routes: [{ name: 'default', match: { prefix: '/' }, route: { cluster, timeout: '0s' } }],
    ...(rateLimits.actions.length > 0 ? { rate_limits: [...rateLimits.actions] } : {}),
  };
  const logs = accessLogs(context.telemetry);
  const trace = tracing(context.telemetry);
  return typedFilter(HCM_FILTER, HCM_TYPE, {
    stat_prefix: `inbound_${port.port}`,
    codec_type: 'AUTO',
    route_config: { name: `inbound_${port.port}`, virtual_hosts: [virtualHost] },
    http_filters: filters,
    // The application learns the caller's identity from the peer certificate, as under Istio.
    forward_client_cert_details: 'SANITIZE_SET',
    set_current_client_cert_details: { uri: true },
    ...(logs ? { access_log: logs } : {}),
    ...(trace ? { tracing: trace } : {}),
  });
}

/** The RBAC filters of a port: DENY first (a match is refused), then ALLOW. */
function rbacRules(context: InboundContext, port: ServicePortT): { deny?: Record<string, Json>; allow?: Record<string, Json> } {
  const { model, service } = context;
  const access = service.resource.spec.access;
  const view = { workloadPort: port.targetPort ?? port.port, http: isHttpFamily(port) };
  const out: { deny?: Record<string, Json>; allow?: Record<string, Json> } = {};
  if (access?.deny?.length) {
    const deny = rbacPolicies(model, service, access.deny, 'deny', view);
    if (Object.keys(deny).length > 0) out.deny = deny;
  }
  // A present allow list (even empty) admits only what it lists; without one, deny-by-default
  // admits nobody (an ALLOW filter without policies) and allow-by-default needs no filter.
  if (access?.allow !== undefined) out.allow = rbacPolicies(model, service, access.allow, 'allow', view);
  else if (effectiveAccessDefault(model, service.namespace).value === 'deny-by-default') out.allow = {};
  return out;
}

function httpRbac(context: InboundContext, port: ServicePortT): Json[] {
  const { deny, allow } = rbacRules(context, port);
  const filters: Json[] = [];
  if (deny) filters.push({ name: `${RBAC_HTTP_FILTER}.deny`, typed_config: { '@type': RBAC_HTTP_TYPE, rules: { action: 'DENY', policies: deny } } });
  if (allow) filters.push({ name: `${RBAC_HTTP_FILTER}.allow`, typed_config: { '@type': RBAC_HTTP_TYPE, rules: { action: 'ALLOW', policies: allow } } });
  return filters;
}

function networkRbac(context: InboundContext, port: ServicePortT): Json[] {
  const { deny, allow } = rbacRules(context, port);
  const filters: Json[] = [];
  if (deny) filters.push({ name: `${RBAC_NETWORK_FILTER}.deny`, typed_config: { '@type': RBAC_NETWORK_TYPE, stat_prefix: 'rbac_deny_', rules: { action: 'DENY', policies: deny } } });
  if (allow) filters.push({ name: `${RBAC_NETWORK_FILTER}.allow`, typed_config: { '@type': RBAC_NETWORK_TYPE, stat_prefix: 'rbac_allow_', rules: { action: 'ALLOW', policies: allow } } });
  return filters;
}

export function tcpProxy(statPrefix: string, cluster: string | Json[], telemetry: EffectiveTelemetry): Json {
  const logs = accessLogs(telemetry);
  return typedFilter(TCP_PROXY_FILTER, TCP_PROXY_TYPE, {
    stat_prefix: statPrefix,
    ...(typeof cluster === 'string' ? { cluster } : { weighted_clusters: { clusters: cluster } }),
    ...(logs ? { access_log: logs } : {}),
  });
}
