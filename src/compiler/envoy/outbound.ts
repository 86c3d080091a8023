// A sidecar's outbound side. Without traffic capture the application calls its proxy directly:
// plain HTTP to 127.0.0.1:<outboundPort> with the Host header naming the service it wants
// (`reviews`, `reviews.storefront`, `reviews.storefront.svc`, `reviews.storefront.svc.<domain>`,
// each also with `:<port>`; an external service by its hosts), and TCP/TLS byte streams to
// 127.0.0.1:<the dependency's port>, one listener per such port.
//
// One virtual host per dependency and HTTP port, for exactly the dependencies the Istio target's
// Sidecar imports (src/plan/dependencies.ts): what the service calls, never
// the whole mesh. Each carries the dependency's routes as planned for its VirtualService, A/B
// cohort routes first; routes by caller (`match.from`) are kept only when this workload is one of
// those callers, without the condition (the caller is always this workload here).
import { markShared } from '../../output/yaml-writer.js';
import type { Destination, MeshModel, ServiceNode } from '../../model/mesh-model.js';
import type { ServicePortT } from '../../schema/resources.js';
import { isHttpFamily } from '../../model/ports.js';
import type { PlannedDestination } from '../../plan/destinations.js';
import type { CallerMatch, MatchEntry } from '../../plan/match.js';
import { planHttpRoutes, planTcpRoutes, type PlannedHttpRoute } from '../../plan/routes.js';
import { accessLogs, tracing, type EffectiveTelemetry } from './access-log.js';
import type { ClusterSet } from './clusters.js';
import type { CompileMemo } from './memo.js';
import { tcpProxy } from './inbound.js';
import { clusterFor, retryPolicy, toEnvoyRoutes } from './routes.js';
import { LOOPBACK, meshHost, type MeshProxySettings, type SidecarSettings, type Workload } from './settings.js';
import { CORS_FILTER, CORS_TYPE, FAULT_FILTER, FAULT_TYPE, HCM_FILTER, HCM_TYPE, ROUTER_FILTER, ROUTER_TYPE, typedFilter, type Json } from './types.js';

export const OUTBOUND_HTTP_LISTENER = 'outbound_http';

export interface OutboundContext {
  readonly model: MeshModel;
  readonly workload: Workload;
  readonly mesh: MeshProxySettings;
  readonly sidecar: SidecarSettings;
  readonly clusters: ClusterSet;
  readonly telemetry: EffectiveTelemetry;
  readonly dependencies: readonly Destination[];
  /** Ports this proxy already binds on 127.0.0.1 or every address, and its application's ports; TCP listeners avoid them. */
  readonly takenPorts: Set<number>;
  readonly memo: CompileMemo;
}

export function outboundListeners(context: OutboundContext): Json[] {
  const listeners: Json[] = [];
  const virtualHosts = context.dependencies.flatMap((dependency) => virtualHostsOf(context, dependency));
  if (virtualHosts.length > 0) listeners.push(httpListener(context, virtualHosts));
  for (const dependency of context.dependencies) {
    for (const port of dependency.resource.spec.ports) {
      if (isHttpFamily(port)) continue;
      const listener = tcpListener(context, dependency, port);
      if (listener) listeners.push(listener);
    }
  }
  return listeners;
}

function httpListener(context: OutboundContext, virtualHosts: Json[]): Json {
  const logs = accessLogs(context.telemetry);
  const trace = tracing(context.telemetry);
  return {
    name: OUTBOUND_HTTP_LISTENER,
    address: { socket_address: { address: LOOPBACK, port_value: context.sidecar.outboundPort } },
    filter_chains: [
      {
        filters: [
          typedFilter(HCM_FILTER, HCM_TYPE, {
            stat_prefix: OUTBOUND_HTTP_LISTENER,
            codec_type: 'AUTO',
            route_config: { name: OUTBOUND_HTTP_LISTENER, virtual_hosts: virtualHosts },
            // Empty configurations: routes switch them on with typed_per_filter_config.
            http_filters: [typedFilter(CORS_FILTER, CORS_TYPE), typedFilter(FAULT_FILTER, FAULT_TYPE), typedFilter(ROUTER_FILTER, ROUTER_TYPE)],
            ...(logs ? { access_log: logs } : {}),
            ...(trace ? { tracing: trace } : {}),
          }),
        ],
      },
    ],
  };
}

/** The names an application may use for a dependency on one port. */
function domainsOf(context: OutboundContext, dependency: Destination, port: ServicePortT, withoutPort: boolean): string[] {
  const names =
    dependency.kind === 'Service'
      ? [
          ...(dependency.namespace === context.workload.service.namespace ? [dependency.name] : []),
          `${dependency.name}.${dependency.namespace}`,
          `${dependency.name}.${dependency.namespace}.svc`,
          meshHost(dependency, context.mesh.clusterDomain),
        ]
      : [...new Set(dependency.resource.spec.hosts.map((host) => host.toLowerCase()))];
  return [...(withoutPort ? names : []), ...names.map((name) => `${name}:${port.port}`)];
}

function virtualHostsOf(context: OutboundContext, dependency: Destination): Json[] {
  const httpPorts = dependency.resource.spec.ports.filter(isHttpFamily);
  return httpPorts.map((port, index) => {
    const routes = dependency.kind === 'Service' ? serviceRoutes(context, dependency, port) : externalRoutes(context, dependency, port);
    return {
      name: `${dependency.namespace}/${dependency.name}:${port.port}`,
      domains: domainsOf(context, dependency, port, index === 0),
      routes,
    };
  });
}

function serviceRoutes(context: OutboundContext, dependency: ServiceNode, port: ServicePortT): Json[] {
  const { memo, clusters } = context;
  const plans = memo.memoized(memo.httpPlans, dependency, () => planHttpRoutes(context.model, dependency));
  const perRoute = plans.map((planned) => forThisCaller(planned, context.workload));
  // The routes depend on the caller only through which caller-specific entries it keeps.
  const key = `${dependency.key}:${port.port}:${perRoute.map((entries) => (entries === undefined ? '*' : entries === null ? '-' : entries.map((entry) => entry.index).join('.'))).join('|')}`;
  const cached = memo.outboundRoutes.get(key);
  if (cached) {
    for (const use of cached.clusters) clusters.outbound(use.node, use.version, use.port);
    return [...cached.routes];
  }
  const routeContext = { model: context.model, service: dependency, clusters, port: port.port };
  const { value: routes, uses } = clusters.recordUses(() => {
    const built: Json[] = [];
    plans.forEach((planned, index) => {
      const kept = perRoute[index];
      if (kept === null) return;
      built.push(...toEnvoyRoutes(planned, kept?.map((entry) => entry.entry), routeContext));
    });
    return built;
  });
  for (const route of routes) markShared(route);
  memo.outboundRoutes.set(key, { routes, clusters: uses });
  return [...routes];
}

/**
 * The route's match entries as seen from this workload: entries for other callers dropped, the
 * caller condition of the others removed. Undefined: every request; null: never this workload's.
 */
function forThisCaller(planned: PlannedHttpRoute, workload: Workload): readonly KeptEntry[] | undefined | null {
  if (!planned.entries) return undefined;
  const kept: KeptEntry[] = [];
  planned.entries.forEach((entry, index) => {
    if (!entry.caller) kept.push({ entry, index });
    else if (isCaller(entry.caller, workload)) {
      const { caller: _caller, ...rest } = entry;
      kept.push({ entry: rest, index });
    }
  });
  return kept.length > 0 ? kept : null;
}

interface KeptEntry {
  readonly entry: MatchEntry;
  /** Its position in the planned route. */
  readonly index: number;
}

function isCaller(caller: CallerMatch, workload: Workload): boolean {
  return caller.namespace === workload.service.namespace && Object.entries(caller.labels).every(([key, value]) => workload.labels[key] === value);
}

function externalRoutes(context: OutboundContext, dependency: Destination, port: ServicePortT): Json[] {
  const cluster = context.clusters.outbound(dependency, undefined, port.port);
  const retry = retryPolicy(undefined);
  return [{ name: 'default', match: { prefix: '/' }, route: { cluster, timeout: '0s', ...(retry ? { retry_policy: retry } : {}) } }];
}

function tcpListener(context: OutboundContext, dependency: Destination, port: ServicePortT): Json | undefined {
  // Two dependencies on one TCP port, or a port this proxy or its application already listens on,
  // cannot share an address: the first keeps it (see docs/envoy.md).
  if (context.takenPorts.has(port.port)) return undefined;
  context.takenPorts.add(port.port);
  let destinations: readonly PlannedDestination[] = [{ node: dependency }];
  if (dependency.kind === 'Service') {
    const route = context.memo.memoized(context.memo.tcpPlans, dependency, () => planTcpRoutes(context.model, dependency)).find((candidate) => !candidate.callers || candidate.callers.some((caller) => isCaller(caller, context.workload)));
    if (route) destinations = route.destinations;
  }
  const routeContext = { model: context.model, service: context.workload.service, clusters: context.clusters, port: port.port };
  const name = `outbound_tcp_${dependency.namespace}_${dependency.name}_${port.port}`;
  const target =
    destinations.length === 1
      ? clusterFor(routeContext, destinations[0]!)
      : destinations.map((destination) => ({ name: clusterFor(routeContext, destination), weight: destination.weight ?? 0 }));
  return {
    name,
    address: { socket_address: { address: LOOPBACK, port_value: port.port } },
    filter_chains: [{ filters: [tcpProxy(name, target, context.telemetry)] }],
  };
}
