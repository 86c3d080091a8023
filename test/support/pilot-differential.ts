// For every workload and gateway of a mesh: what istiod pushes for the Istio target (pilot, run by
// the Istio judge) against what `compile --target envoy` writes for the same proxy, compared in
// meaning by concrete requests through one evaluator (envoy-request.ts). The result is the list of
// differences; tests decide which are known and why.
import { compareStrings } from '../../src/diagnostics/types.js';
import type { ServiceNode } from '../../src/model/mesh-model.js';
import {
  FACETS,
  ISTIO_MTLS_ALPN,
  bootstrapView,
  describeRequest,
  facetOf,
  gatewayRouteConfigs,
  inboundAccess,
  meaningOf,
  outboundDecision,
  outboundVirtualHosts,
  requestsForVirtualHost,
  type ProxyView,
} from './envoy-differential.js';
import { accessDecision, routeRequest, selectVirtualHost, type Caller, type HttpRequest, type Json } from './envoy-request.js';
import { envoyPathOf, runPilot, serviceAccountOf, type DeployedProxy, type MeshUnderJudgement } from './istio-judge.js';

export interface Difference {
  /** `<namespace>/<service>-<version>` or `<namespace>/<gateway>`. */
  proxy: string;
  /** outbound <host:port>, inbound <port>, or gateway <port> <host>. */
  where: string;
  facet: string;
  request: string;
  pilot: unknown;
  meshctl: unknown;
}

export interface DifferentialResult {
  differences: Difference[];
  /** How many (request, facet) pairs agreed: the differential covers something. */
  agreed: number;
  /** Route matches no request could be built for (from either side). */
  unsatisfiable: string[];
}

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function portOf(listener: Json): number {
  return Number(obj(obj(listener.address).socket_address).port_value);
}

function sameJson(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** The authority (host:port) a sidecar's outbound virtual host serves, from its domains. */
function authorityOf(vhost: Json): string | undefined {
  const name = String(vhost.name);
  if (/^[^/]+:\d+$/.test(name) && name.includes('.')) return name; // istiod: "<host>:<port>"
  const withPort = ((vhost.domains as string[] | undefined) ?? []).filter((d) => /:\d+$/.test(d) && !d.startsWith('*'));
  return withPort.sort((a, b) => b.length - a.length || compareStrings(a, b))[0];
}

/** istiod: one outbound listener per port (`0.0.0.0_<port>`), taking connections to that port. */
const isPilotOutbound = (listener: Json, port?: number) => !['virtualInbound', 'virtualOutbound'].includes(String(listener.name)) && (port === undefined || portOf(listener) === port);
/** meshctl: the application sends every request to its sidecar's outbound listener(s), whatever the port. */
const isMeshctlOutbound = (listener: Json) => String(listener.name).startsWith('outbound');

export async function pilotDifferential(mesh: MeshUnderJudgement): Promise<DifferentialResult & { pilot: Map<string, ProxyView> }> {
  const { deployment, envoy, model } = mesh;
  const configs = await runPilot([...mesh.compiled, ...deployment.objects], deployment.proxies.map((p) => p.proxy));
  const differences: Difference[] = [];
  const unsatisfiable = new Set<string>();
  const pilotViews = new Map<string, ProxyView>();
  let agreed = 0;

  const compare = (proxy: string, where: string, request: string, pilot: Record<string, unknown>, meshctl: Record<string, unknown>) => {
    for (const facet of Object.keys(pilot)) {
      if (sameJson(pilot[facet], meshctl[facet])) agreed += 1;
      else differences.push({ proxy, where, facet, request, pilot: pilot[facet], meshctl: meshctl[facet] });
    }
  };
  const routeFacets = (decision: ReturnType<typeof routeRequest>, view: ProxyView) => Object.fromEntries(FACETS.map((facet) => [facet, facetOf(meaningOf(decision, view.clusters), facet)]));

  deployment.proxies.forEach((deployed, index) => {
    const config = configs[index]!;
    const pilotView: ProxyView = { listeners: config.listeners, routes: config.routes, clusters: config.clusters };
    const name = envoyPathOf(deployed);
    pilotViews.set(name, pilotView);
    const envoyConfig = envoy.get(name);
    if (!envoyConfig) {
      differences.push({ proxy: name, where: 'proxy', facet: 'exists', request: '-', pilot: 'configured', meshctl: 'no Envoy configuration' });
      return;
    }
    const meshView = bootstrapView(envoyConfig.bootstrap as Json);

    if (deployed.kind === 'gateway') {
      compareGateway(name, pilotView, meshView, compare, unsatisfiable);
      return;
    }

    const service = model.services.find((s) => s.namespace === deployed.namespace && s.name === deployed.name)!;
    // A service that declares no dependsOn gets no Sidecar from the Istio target, so istiod gives
    // its proxy every service in the mesh; the Envoy target configures only what it calls (declared
    // or derived). An authority only pilot serves there is that one difference, said once; for a
    // service that declares its dependencies, the two must agree request by request.
    const scopedByDependencies = service.resource.spec.dependsOn === undefined;
    const meshctlAuthorities = new Set(outboundVirtualHosts(meshView, isMeshctlOutbound).map(authorityOf));

    // Outbound: every authority either side routes, every request either side's matches imply.
    const byAuthority = new Map<string, Json[]>();
    for (const vhost of [...outboundVirtualHosts(pilotView, isPilotOutbound), ...outboundVirtualHosts(meshView, isMeshctlOutbound)]) {
      const authority = authorityOf(vhost);
      if (authority) byAuthority.set(authority, [...(byAuthority.get(authority) ?? []), vhost]);
    }
    for (const [authority, vhosts] of [...byAuthority].sort(([a], [b]) => compareStrings(a, b))) {
      if (scopedByDependencies && !meshctlAuthorities.has(authority)) {
        differences.push({ proxy: name, where: `outbound ${authority}`, facet: 'configured', request: '-', pilot: 'routes every service', meshctl: 'only what the service calls' });
        continue;
      }
      const port = Number(authority.slice(authority.lastIndexOf(':') + 1));
      for (const request of requestSet(vhosts, authority, unsatisfiable)) {
        const pilot = routeFacets(outboundDecision(pilotView, port, request, isPilotOutbound), pilotView);
        const meshctl = routeFacets(outboundDecision(meshView, port, request, isMeshctlOutbound), meshView);
        compare(name, `outbound ${authority}`, describeRequest(request), pilot, meshctl);
      }
    }

    // Inbound: the allow/deny decision for every caller identity and the requests its rules name.
    compareInbound(mesh, service, deployed, pilotView, meshView, compare);
  });

  differences.sort((a, b) => compareStrings(`${a.proxy} ${a.where} ${a.facet} ${a.request}`, `${b.proxy} ${b.where} ${b.facet} ${b.request}`));
  return { differences, agreed, unsatisfiable: [...unsatisfiable].sort(), pilot: pilotViews };
}

function requestSet(vhosts: readonly Json[], authority: string, unsatisfiable: Set<string>): HttpRequest[] {
  const seen = new Set<string>();
  const requests: HttpRequest[] = [];
  for (const vhost of vhosts) {
    const derived = requestsForVirtualHost(vhost, authority);
    for (const item of derived.unsatisfiable) unsatisfiable.add(item);
    for (const request of derived.requests) {
      const key = describeRequest(request);
      if (!seen.has(key)) {
        seen.add(key);
        requests.push(request);
      }
    }
  }
  return requests;
}

type Compare = (proxy: string, where: string, request: string, pilot: Record<string, unknown>, meshctl: Record<string, unknown>) => void;

function compareGateway(name: string, pilotView: ProxyView, meshView: ProxyView, compare: Compare, unsatisfiable: Set<string>): void {
  const pilotConfigs = gatewayRouteConfigs(pilotView);
  const meshConfigs = gatewayRouteConfigs(meshView);
  const hosts = new Map<string, Json[]>();
  for (const { port, config } of [...pilotConfigs, ...meshConfigs]) {
    for (const vhost of (config.virtual_hosts as Json[] | undefined) ?? []) {
      for (const domain of (vhost.domains as string[] | undefined) ?? []) {
        if (domain === '*' || domain.includes(':')) continue;
        const key = `${port} ${domain.startsWith('*.') ? `wildcard${domain.slice(1)}` : domain}`;
        hosts.set(key, [...(hosts.get(key) ?? []), vhost]);
      }
    }
  }
  const select = (configs: ReturnType<typeof gatewayRouteConfigs>, port: number, request: HttpRequest) => {
    const host = request.authority;
    const candidates = configs.filter((c) => c.port === port && (c.serverNames.length === 0 || c.serverNames.some((n) => n === host || (n.startsWith('*.') && host.endsWith(n.slice(1))))));
    return candidates.find(({ config }) => {
      const vhost = selectVirtualHost(config, host);
      return vhost && !((vhost.domains as string[]).length === 1 && (vhost.domains as string[])[0] === '*');
    });
  };
  const decide = (configs: ReturnType<typeof gatewayRouteConfigs>, port: number, request: HttpRequest) => {
    const selected = select(configs, port, request);
    return selected ? routeRequest(selected.config, request) : undefined;
  };
  // A client on the internet: no mesh identity, no token.
  const internet: Caller = { ip: '203.0.113.7' };
  const access = (configs: ReturnType<typeof gatewayRouteConfigs>, port: number, request: HttpRequest) => {
    const selected = select(configs, port, request);
    return selected ? (accessDecision(selected.chain, internet, port, request).allowed ? 'allowed' : 'denied') : 'no listener';
  };
  for (const [key, vhosts] of [...hosts].sort(([a], [b]) => compareStrings(a, b))) {
    const [portText, hostText] = key.split(' ') as [string, string];
    const port = Number(portText);
    const host = hostText.startsWith('wildcard.') ? `any${hostText.slice('wildcard'.length)}` : hostText;
    for (const request of requestSet(vhosts, host, unsatisfiable)) {
      const facets = (decision: ReturnType<typeof routeRequest>, view: ProxyView) => Object.fromEntries(FACETS.map((facet) => [facet, facetOf(meaningOf(decision, view.clusters), facet)]));
      compare(
        name,
        `gateway ${port} ${host}`,
        describeRequest(request),
        { ...facets(decide(pilotConfigs, port, request), pilotView), access: access(pilotConfigs, port, request) },
        { ...facets(decide(meshConfigs, port, request), meshView), access: access(meshConfigs, port, request) },
      );
    }
  }
}

/** The SPIFFE identity of every workload that may call: services, gateways, and one from nowhere. */
function callers(mesh: MeshUnderJudgement): { label: string; caller: Caller }[] {
  const trustDomain = mesh.model.settings.trustDomain;
  const identities = new Map<string, string>();
  for (const service of mesh.model.services) identities.set(`${service.namespace}/${service.name}`, `spiffe://${trustDomain}/ns/${service.namespace}/sa/${serviceAccountOf(service)}`);
  for (const gateway of mesh.model.gateways) identities.set(`${gateway.namespace}/${gateway.name}`, `spiffe://${trustDomain}/ns/${gateway.namespace}/sa/${gateway.name}`);
  identities.set('stranger', `spiffe://${trustDomain}/ns/elsewhere/sa/stranger`);
  const claims = claimsOf(mesh);
  const out: { label: string; caller: Caller }[] = [{ label: 'plain text', caller: {} }];
  for (const [label, principal] of [...identities].sort(([a], [b]) => compareStrings(a, b))) {
    out.push({ label, caller: { principal } });
    if (Object.keys(claims).length > 0) out.push({ label: `${label} with claims`, caller: { principal, jwtClaims: claims } });
  }
  return out;
}

/**
 * One validated token's claims that satisfy every claim condition of the mesh's access rules (each
 * claim's first value), issued by the mesh's first JWT provider.
 */
function claimsOf(mesh: MeshUnderJudgement): Record<string, string> {
  const issuer = Object.values(mesh.model.settings.jwtProviders ?? {})[0]?.issuer;
  if (issuer === undefined) return {};
  const claims: Record<string, string> = { iss: issuer, sub: 'customer-1' };
  for (const service of mesh.model.services) {
    const access = service.resource.spec.access;
    for (const rule of [...(access?.allow ?? []), ...(access?.deny ?? [])]) {
      for (const [claim, values] of Object.entries((rule as { when?: { claims?: Record<string, string[] | string> } }).when?.claims ?? {})) {
        const first = Array.isArray(values) ? values[0] : values;
        if (first !== undefined && !(claim in claims && claim !== 'sub')) claims[claim] = first === '*' ? 'anything' : first;
      }
    }
  }
  return claims;
}

/** Paths and methods the service's access rules name, and a few they do not. */
export function accessRequests(service: ServiceNode, authority: string): HttpRequest[] {
  const paths = new Set(['/', '/anything']);
  const methods = new Set(['GET', 'POST']);
  const access = service.resource.spec.access;
  for (const rule of [...(access?.allow ?? []), ...(access?.deny ?? [])]) {
    const to = (rule as { to?: { paths?: string[]; methods?: string[] } }).to;
    for (const path of to?.paths ?? []) paths.add(path.replace(/\*$/, 'x').replace(/^\*/, '/x'));
    for (const method of to?.methods ?? []) methods.add(method);
  }
  const requests: HttpRequest[] = [];
  for (const path of [...paths].sort(compareStrings)) for (const method of [...methods].sort(compareStrings)) requests.push({ authority, path, method });
  return requests;
}

function compareInbound(mesh: MeshUnderJudgement, service: ServiceNode, deployed: DeployedProxy, pilotView: ProxyView, meshView: ProxyView, compare: Compare): void {
  const virtualInbound = pilotView.listeners.find((l) => l.name === 'virtualInbound');
  const sidecar = { ...service.resource.spec.envoy, ...(deployed.version !== undefined ? service.resource.spec.versions?.[deployed.version]?.envoy : undefined) };
  for (const port of service.resource.spec.ports) {
    const http = ['http', 'http2', 'grpc'].includes(port.protocol);
    const targetPort = port.targetPort ?? port.port;
    const inboundPort = sidecar.inboundPorts?.[port.name ?? `${port.protocol}-${port.port}`] ?? port.port;
    const meshListener = meshView.listeners.find((l) => String(l.name).startsWith('inbound') && portOf(l) === inboundPort);
    const authority = `${service.name}.${service.namespace}.svc.cluster.local:${port.port}`;
    const requests: (HttpRequest | undefined)[] = http ? accessRequests(service, authority) : [undefined];
    for (const { label, caller } of callers(mesh)) {
      const tls = caller.principal !== undefined;
      for (const request of requests) {
        const pilot = inboundAccess(virtualInbound, { destinationPort: targetPort, transportProtocol: tls ? 'tls' : 'raw_buffer', applicationProtocols: tls ? ISTIO_MTLS_ALPN : [] }, caller, targetPort, request);
        const meshctl = inboundAccess(meshListener, { destinationPort: inboundPort, transportProtocol: tls ? 'tls' : 'raw_buffer' }, caller, targetPort, request);
        compare(
          envoyPathOf(deployed),
          `inbound ${port.port}`,
          `${label}: ${request ? `${request.method} ${request.path}` : 'TCP connection'}`,
          // A connection no filter chain takes fails like one RBAC denies: both are "denied".
          { access: pilot.accepted && pilot.allowed ? 'allowed' : 'denied' },
          { access: meshctl.accepted && meshctl.allowed ? 'allowed' : 'denied' },
        );
      }
    }
  }
}
