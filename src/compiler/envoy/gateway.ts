// An ingress gateway's listeners: one per Gateway listener, on its port. HTTP and HTTPS listeners
// route by host to the services exposed there, with each service's own routes narrowed to its
// exposed path prefixes (the Istio target's ingress VirtualService logic, route for route); TLS
// termination takes the listener's credential files (simple: certificate and key; mutual: also
// the CA that client certificates must chain to). Passthrough and TCP listeners forward the byte
// stream: by SNI to the service exposed on that host, or to the one service exposed there.
import { compareStrings } from '../../diagnostics/types.js';
import { gatewayHosts, type HostExposure } from '../../model/gateway-hosts.js';
import type { GatewayNode, MeshModel, ServiceNode } from '../../model/mesh-model.js';
import { hasHttpPort, ingressPort } from '../istio/traffic/destinations.js';
import { narrowToPrefixes } from '../istio/traffic/ingress-virtual-service.js';
import { planHttpRoutes } from '../istio/traffic/route-plan.js';
import { accessLogs, effectiveTelemetry, tracing } from './access-log.js';
import type { ClusterSet } from './clusters.js';
import { tcpProxy } from './inbound.js';
import { toEnvoyRoutes } from './routes.js';
import type { GatewaySettings, MeshProxySettings } from './settings.js';
import { gatewayDownstreamTls } from './tls.js';
import { CORS_FILTER, CORS_TYPE, FAULT_FILTER, FAULT_TYPE, HCM_FILTER, HCM_TYPE, ROUTER_FILTER, ROUTER_TYPE, TLS_INSPECTOR, TLS_INSPECTOR_TYPE, typedFilter, type Json } from './types.js';

type GatewayListenerSpec = GatewayNode['resource']['spec']['listeners'][number];

export interface GatewayContext {
  readonly model: MeshModel;
  readonly gateway: GatewayNode;
  readonly mesh: MeshProxySettings;
  readonly settings: GatewaySettings;
  readonly clusters: ClusterSet;
}

export function gatewayListeners(context: GatewayContext): Json[] {
  const exposures = new Map<string, readonly HostExposure[]>();
  for (const entry of gatewayHosts(context.model)) {
    if (entry.gateway === context.gateway) exposures.set(entry.host, entry.exposures);
  }
  return context.gateway.resource.spec.listeners.map((listener, index) => gatewayListener(context, listener, index, exposures));
}

function listenerName(listener: GatewayListenerSpec, index: number): string {
  return `gateway_${listener.name ?? `${listener.protocol}-${listener.port}`}_${index}`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The hosts of the listener that services are exposed on; `*` and `*.example.com` listener hosts match several. */
function servedHosts(listener: GatewayListenerSpec, exposures: ReadonlyMap<string, readonly HostExposure[]>): string[] {
  const patterns = listener.hosts.map((host) => host.toLowerCase());
  const matches = (host: string) =>
    patterns.some((pattern) => pattern === '*' || pattern === host || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1))) || (host.startsWith('*.') && pattern.endsWith(host.slice(1))));
  return [...exposures.keys()].filter(matches).sort(compareStrings);
}

function gatewayListener(context: GatewayContext, listener: GatewayListenerSpec, index: number, exposures: ReadonlyMap<string, readonly HostExposure[]>): Json {
  const name = listenerName(listener, index);
  const address = { socket_address: { address: context.settings.address, port_value: listener.port } };
  const hosts = servedHosts(listener, exposures);
  const telemetry = effectiveTelemetry(context.model, context.gateway.namespace, undefined);
  const passthrough = listener.tls?.mode === 'passthrough' || listener.protocol === 'tls' || listener.protocol === 'tcp';
  if (passthrough) {
    const chains: Json[] = [];
    for (const host of hosts) {
      const service = exposures.get(host)![0]!.service;
      const cluster = context.clusters.outbound(service, undefined, streamPort(service));
      chains.push({
        ...(listener.protocol === 'tcp' ? {} : { filter_chain_match: { server_names: [host] } }),
        filters: [tcpProxy(`${name}_${host}`, cluster, telemetry)],
      });
      if (listener.protocol === 'tcp') break;
    }
    return {
      name,
      address,
      ...(listener.protocol === 'tcp' ? {} : { listener_filters: [typedFilter(TLS_INSPECTOR, TLS_INSPECTOR_TYPE)] }),
      filter_chains: chains.length > 0 ? chains : [{ filters: [directTcpRefusal()] }],
    };
  }

  const virtualHosts = hosts.map((host) => ({ name: host, domains: [host, `${host}:${listener.port}`], routes: hostRoutes(context, exposures.get(host)!) }));
  const logs = accessLogs(telemetry);
  const trace = tracing(telemetry);
  const hcm = typedFilter(HCM_FILTER, HCM_TYPE, {
    stat_prefix: name,
    codec_type: 'AUTO',
    route_config: { name, virtual_hosts: virtualHosts },
    http_filters: [typedFilter(CORS_FILTER, CORS_TYPE), typedFilter(FAULT_FILTER, FAULT_TYPE), typedFilter(ROUTER_FILTER, ROUTER_TYPE)],
    // The gateway is the edge: it appends the client's address to X-Forwarded-For for the services.
    use_remote_address: true,
    ...(logs ? { access_log: logs } : {}),
    ...(trace ? { tracing: trace } : {}),
  });
  const chain: Json = { filters: [hcm] };
  if (listener.protocol === 'https' || listener.tls?.mode === 'simple' || listener.tls?.mode === 'mutual') {
    const credential = `${context.mesh.gatewayCredentials.replace(/\/+$/, '')}/${listener.tls?.credentialName ?? context.gateway.name}`;
    chain.transport_socket = gatewayDownstreamTls(
      `${credential}/tls.crt`,
      `${credential}/tls.key`,
      listener.tls?.mode === 'mutual' ? `${credential}/ca.crt` : undefined,
      ['h2', 'http/1.1'],
    );
  }
  return { name, address, filter_chains: [chain] };
}

function hostRoutes(context: GatewayContext, exposures: readonly HostExposure[]): Json[] {
  const routes: Json[] = [];
  for (const { service, paths } of exposures) {
    if (!hasHttpPort(service)) continue;
    const prefixes = paths.map((path) => path.prefix);
    const routeContext = { model: context.model, service, clusters: context.clusters, port: ingressPort(service) };
    for (const planned of planHttpRoutes(context.model, service)) {
      const entries = narrowToPrefixes(planned, prefixes);
      if (entries === null) continue;
      routes.push(...toEnvoyRoutes(planned, entries, routeContext));
    }
  }
  return routes;
}

function streamPort(service: ServiceNode): number {
  const ports = service.resource.spec.ports;
  return (ports.find((port) => port.protocol === 'tls') ?? ports[0]!).port;
}

/** A listener with nothing exposed on it closes connections (a filter chain cannot be empty). */
function directTcpRefusal(): Json {
  return typedFilter('envoy.filters.network.direct_response', 'type.googleapis.com/envoy.extensions.filters.network.direct_response.v3.Config');
}
