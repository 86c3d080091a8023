// An ingress gateway's listeners: one per Gateway listener, on its port (listeners that share a
// port share one Envoy listener, told apart by Host or SNI). HTTP and HTTPS listeners
// route by host to the services exposed there, with each service's own routes narrowed to its
// exposed paths (the Istio target's ingress VirtualService logic, route for route); TLS
// termination takes the listener's credential files (simple: certificate and key; mutual: also
// the CA that client certificates must chain to). Passthrough and TCP listeners forward the byte
// stream: by SNI to the service exposed on that host, or to the one service exposed there.
import { compareStrings } from '../../diagnostics/types.js';
import { gatewayHosts, type HostExposure } from '../../model/gateway-hosts.js';
import type { GatewayNode, MeshModel, ServiceNode } from '../../model/mesh-model.js';
import { hasHttpPort, ingressPort } from '../../model/ports.js';
import { narrowToExposedPaths } from '../../plan/ingress.js';
import { planHttpRoutes } from '../../plan/routes.js';
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
  // Envoy refuses two listeners on one address, so the Gateway listeners on a port become one
  // Envoy listener, in the order their ports first appear.
  const byPort = new Map<number, NumberedListener[]>();
  context.gateway.resource.spec.listeners.forEach((listener, index) => {
    const group = byPort.get(listener.port) ?? [];
    group.push({ listener, index });
    byPort.set(listener.port, group);
  });
  return [...byPort.values()].map((group) => (group.length === 1 ? gatewayListener(context, group[0]!, exposures) : sharedPortListener(context, group, exposures)));
}

interface NumberedListener {
  readonly listener: GatewayListenerSpec;
  /** Its position in the Gateway's listeners, for a unique name. */
  readonly index: number;
}

function listenerName({ listener, index }: NumberedListener): string {
  return `gateway_${listener.name ?? `${listener.protocol}-${listener.port}`}_${index}`.replace(/[^A-Za-z0-9_.-]/g, '_');
}

/** The hosts of the listener that services are exposed on; `*` and `*.example.com` listener hosts match several. */
function servedHosts(listener: GatewayListenerSpec, exposures: ReadonlyMap<string, readonly HostExposure[]>): string[] {
  const patterns = listener.hosts.map((host) => host.toLowerCase());
  const matches = (host: string) =>
    patterns.some((pattern) => pattern === '*' || pattern === host || (pattern.startsWith('*.') && host.endsWith(pattern.slice(1))) || (host.startsWith('*.') && pattern.endsWith(host.slice(1))));
  return [...exposures.keys()].filter(matches).sort(compareStrings);
}

/** How a listener's connections are told apart when it shares its port: by SNI, by Host, or not at all. */
type PortSharing = 'sni' | 'host' | 'none';

function sharingOf(listener: GatewayListenerSpec): PortSharing {
  if (listener.protocol === 'tcp') return 'none';
  return isPassthrough(listener) || terminatesTls(listener) ? 'sni' : 'host';
}

function isPassthrough(listener: GatewayListenerSpec): boolean {
  return listener.tls?.mode === 'passthrough' || listener.protocol === 'tls' || listener.protocol === 'tcp';
}

function terminatesTls(listener: GatewayListenerSpec): boolean {
  return !isPassthrough(listener) && (listener.protocol === 'https' || listener.tls?.mode === 'simple' || listener.tls?.mode === 'mutual');
}

function listenerAddress(context: GatewayContext, port: number): Json {
  return { socket_address: { address: context.settings.address, port_value: port } };
}

function gatewayListener(context: GatewayContext, numbered: NumberedListener, exposures: ReadonlyMap<string, readonly HostExposure[]>): Json {
  const { listener } = numbered;
  const name = listenerName(numbered);
  const address = listenerAddress(context, listener.port);
  const hosts = servedHosts(listener, exposures);
  if (isPassthrough(listener)) {
    const chains = passthroughChains(context, numbered, hosts, exposures);
    return {
      name,
      address,
      ...(listener.protocol === 'tcp' ? {} : { listener_filters: [typedFilter(TLS_INSPECTOR, TLS_INSPECTOR_TYPE)] }),
      filter_chains: chains.length > 0 ? chains : [{ filters: [directTcpRefusal()] }],
    };
  }
  return { name, address, filter_chains: [httpChain(context, numbered, name, hosts, exposures)] };
}

/**
 * Listeners that share a port, as one Envoy listener. Plain HTTP ones become one HTTP connection
 * manager over the union of their hosts (the Host header picks the virtual host); TLS ones (https
 * terminated here, tls and passthrough forwarded) become filter chains chosen by SNI. A server
 * name belongs to the first listener that names it, and at most one chain takes connections
 * without a matching SNI, since Envoy refuses two chains with the same match. Listeners that
 * cannot share the port with the first one (MESH232 reports them) are left out, as Istio does.
 */
function sharedPortListener(context: GatewayContext, group: readonly NumberedListener[], exposures: ReadonlyMap<string, readonly HostExposure[]>): Json {
  const port = group[0]!.listener.port;
  const sharing = sharingOf(group[0]!.listener);
  const members = sharing === 'none' ? [group[0]!] : group.filter((numbered) => sharingOf(numbered.listener) === sharing);
  if (members.length === 1) return gatewayListener(context, members[0]!, exposures);
  const name = `gateway_port_${port}`;
  const address = listenerAddress(context, port);
  if (sharing === 'host') {
    const hosts = [...new Set(members.flatMap(({ listener }) => servedHosts(listener, exposures)))].sort(compareStrings);
    return { name, address, filter_chains: [httpChain(context, members[0]!, name, hosts, exposures)] };
  }

  const chains: Json[] = [];
  const claimed = new Set<string>();
  let catchAllTaken = false;
  /** The chain's server names not claimed yet; null: nothing left for it. An empty list is the catch-all chain. */
  const claim = (serverNames: readonly string[]): string[] | null => {
    if (serverNames.length === 0) {
      if (catchAllTaken) return null;
      catchAllTaken = true;
      return [];
    }
    const free = serverNames.filter((serverName) => !claimed.has(serverName));
    free.forEach((serverName) => claimed.add(serverName));
    return free.length > 0 ? free : null;
  };
  for (const numbered of members) {
    const hosts = servedHosts(numbered.listener, exposures);
    if (isPassthrough(numbered.listener)) {
      for (const chain of passthroughChains(context, numbered, hosts, exposures)) {
        const match = chain.filter_chain_match as { server_names: string[] };
        const serverNames = claim(match.server_names);
        if (serverNames) chains.push({ ...chain, filter_chain_match: { server_names: serverNames } });
      }
      continue;
    }
    const patterns = [...new Set(numbered.listener.hosts.map((host) => host.toLowerCase()))];
    const serverNames = claim(patterns.includes('*') ? [] : patterns);
    if (!serverNames) continue;
    const chain = httpChain(context, numbered, listenerName(numbered), hosts, exposures);
    chains.push({ ...(serverNames.length > 0 ? { filter_chain_match: { server_names: serverNames } } : {}), ...chain });
  }
  return {
    name,
    address,
    listener_filters: [typedFilter(TLS_INSPECTOR, TLS_INSPECTOR_TYPE)],
    filter_chains: chains.length > 0 ? chains : [{ filters: [directTcpRefusal()] }],
  };
}

/** Byte streams forwarded by SNI to the service exposed on that host; a tcp listener forwards all to the first one. */
function passthroughChains(context: GatewayContext, numbered: NumberedListener, hosts: readonly string[], exposures: ReadonlyMap<string, readonly HostExposure[]>): Json[] {
  const { listener } = numbered;
  const name = listenerName(numbered);
  const telemetry = effectiveTelemetry(context.model, context.gateway.namespace, undefined);
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
  return chains;
}

/** An HTTP connection manager over the hosts' routes, behind the listener's TLS termination when it has one. */
function httpChain(context: GatewayContext, numbered: NumberedListener, name: string, hosts: readonly string[], exposures: ReadonlyMap<string, readonly HostExposure[]>): Json {
  const { listener } = numbered;
  const telemetry = effectiveTelemetry(context.model, context.gateway.namespace, undefined);
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
  if (terminatesTls(listener)) {
    const credential = `${context.mesh.gatewayCredentials.replace(/\/+$/, '')}/${listener.tls?.credentialName ?? context.gateway.name}`;
    chain.transport_socket = gatewayDownstreamTls(
      `${credential}/tls.crt`,
      `${credential}/tls.key`,
      listener.tls?.mode === 'mutual' ? `${credential}/ca.crt` : undefined,
      ['h2', 'http/1.1'],
    );
  }
  return chain;
}

function hostRoutes(context: GatewayContext, exposures: readonly HostExposure[]): Json[] {
  const routes: Json[] = [];
  for (const { service, paths } of exposures) {
    if (!hasHttpPort(service)) continue;
    const routeContext = { model: context.model, service, clusters: context.clusters, port: ingressPort(service) };
    for (const planned of planHttpRoutes(context.model, service)) {
      const entries = narrowToExposedPaths(planned, paths);
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
