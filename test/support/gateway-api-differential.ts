// For every workload and gateway of a mesh: what istiod pushes for `compile --target istio` against
// what it pushes for `compile --target gateway-api` (both run through pilot, the Gateway API objects
// as the API server stores them, CRD defaults applied), compared in meaning by concrete requests
// through one evaluator (envoy-request.ts): upstream clusters and weights, timeouts, retries,
// mirrors, faults, rewrites, redirects, header changes' routes, and the allow/deny decision for
// every caller identity. A version is a subset on one side and a Service of its own on the other:
// upstreams are compared as (service host, port, version) on both. The result is the list of
// differences; tests decide which are known and why.
import { compile } from '../../src/pipeline/index.js';
import { versionServiceNames } from '../../src/compiler/gateway-api/names.js';
import { compareStrings } from '../../src/diagnostics/types.js';
import { loadMesh } from '../../src/loader/load-mesh.js';
import type { MeshModel } from '../../src/model/mesh-model.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { loadCrds, withCrdDefaults, type CrdCatalog } from './crd-validator.js';
import {
  FACETS,
  ISTIO_MTLS_ALPN,
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
import { externalFile } from './externals.js';
import { deploymentFor, envoyPathOf, runPilot, serviceAccountOf, type DeployedProxy } from './istio-judge.js';
import { accessRequests, type Difference } from './pilot-differential.js';

const repoRoot = new URL('../..', import.meta.url).pathname;

/** A difference, with the route the Istio target's configuration took (when it took one). */
export interface TargetsDifference extends Difference {
  istioRoute?: string;
}

export interface TargetsDifferential {
  differences: TargetsDifference[];
  agreed: number;
  unsatisfiable: string[];
  /** Authorities of the version Services, which only the Gateway API output has: not compared. */
  versionAuthorities: string[];
  /**
   * Authorities not compared, with the reason: a gateway's own Service (the Istio target's deployment
   * names it after the gateway, istiod's Gateway API deployment `<gateway>-<class>`), and ports a
   * mesh service does not have (istiod applies a VirtualService on every HTTP port its sidecars
   * listen on; a GAMMA route is bound to the service's ports, and the Kubernetes Service has no other).
   */
  skipped: string[];
}

let catalog: CrdCatalog | undefined;
const gatewayApiCatalog = () => (catalog ??= loadCrds(externalFile('gateway-api-crds')));

/**
 * An object as istiod reads it from the API server: CRD defaults applied, and at the version istiod
 * watches. istiod (at the pinned version) watches ReferenceGrants at v1beta1, which the CRD serves
 * with the same schema as v1 (no conversion webhook): the fake cluster of the judge does no
 * conversion, so the grant is given at v1beta1.
 */
function asServed(object: KubernetesObject): KubernetesObject {
  if (!object.apiVersion.startsWith('gateway.networking.k8s.io/')) return object;
  const stored = withCrdDefaults(gatewayApiCatalog(), object as unknown as Record<string, unknown>) as unknown as KubernetesObject;
  return stored.kind === 'ReferenceGrant' ? { ...stored, apiVersion: 'gateway.networking.k8s.io/v1beta1' } : stored;
}

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

function portOf(listener: Json): number {
  return Number(obj(obj(listener.address).socket_address).port_value);
}

const isOutbound = (listener: Json, port?: number) => !['virtualInbound', 'virtualOutbound'].includes(String(listener.name)) && (port === undefined || portOf(listener) === port);

function authorityOf(vhost: Json): string | undefined {
  const name = String(vhost.name);
  return /^[^/]+:\d+$/.test(name) && name.includes('.') ? name : undefined;
}

/** `<version service host>` -> `<service host>`, `<version>`. */
function versionHostMap(model: MeshModel): Map<string, { host: string; version: string }> {
  const map = new Map<string, { host: string; version: string }>();
  for (const [key, name] of versionServiceNames(model)) {
    const [namespace, service, version] = key.split('/') as [string, string, string];
    map.set(`${name}.${namespace}.svc.cluster.local`, { host: `${service}.${namespace}.svc.cluster.local`, version });
  }
  return map;
}

/** Upstreams and mirrors as `host:port/subset share`: a version Service's host as its service's host and the version. */
function normalizeUpstreams(value: unknown, versions: Map<string, { host: string; version: string }>): unknown {
  if (!Array.isArray(value)) return value;
  return value
    .map((item) => {
      if (typeof item !== 'string') return item;
      return item.replace(/^([^:/ ]+):(\d+)( .*)$/, (whole, host: string, port: string, rest: string) => {
        const version = versions.get(host);
        return version ? `${version.host}:${port}/${version.version}${rest}` : whole;
      });
    })
    .sort();
}

export async function targetsDifferential(paths: readonly string[]): Promise<TargetsDifferential> {
  const loaded = await loadMesh(paths, { cwd: repoRoot });
  const istio = compile(loaded, { target: 'istio' });
  const gatewayApi = compile(loaded, { target: 'gateway-api' });
  if (!istio.ok || !gatewayApi.ok) throw new Error(`${paths.join(' ')} does not compile for both targets`);
  const model = istio.validation.model;
  const versions = versionHostMap(model);
  const istioDeployment = deploymentFor(model, istio.objects);
  const gatewayDeployment = deploymentFor(model, gatewayApi.objects);
  const [left, right] = await Promise.all([
    runPilot([...istio.objects, ...istioDeployment.objects], istioDeployment.proxies.map((p) => p.proxy)),
    runPilot([...gatewayApi.objects.map(asServed), ...gatewayDeployment.objects], gatewayDeployment.proxies.map((p) => p.proxy)),
  ]);

  const differences: TargetsDifference[] = [];
  const skipped = new Set<string>();
  const gatewayHosts = new Set(model.gateways.flatMap((g) => [g.name, `${g.name}-${model.settings.gatewayApi?.gatewayClass ?? 'istio'}`].map((name) => `${name}.${g.namespace}.svc.cluster.local`)));
  const servicePorts = new Map(model.services.map((service) => [`${service.name}.${service.namespace}.svc.cluster.local`, new Set(service.resource.spec.ports.map((port) => port.port))]));
  const unsatisfiable = new Set<string>();
  const versionAuthorities = new Set<string>();
  let agreed = 0;
  const compare = (proxy: string, where: string, request: string, pilot: Record<string, unknown>, gateway: Record<string, unknown>, istioRoute?: string) => {
    for (const facet of Object.keys(pilot)) {
      const a = JSON.stringify(facet === 'upstreams' || facet === 'mirrors' ? normalizeUpstreams(pilot[facet], versions) : pilot[facet]);
      const b = JSON.stringify(facet === 'upstreams' || facet === 'mirrors' ? normalizeUpstreams(gateway[facet], versions) : gateway[facet]);
      if (a === b) agreed += 1;
      else differences.push({ proxy, where, facet, request, pilot: JSON.parse(a), meshctl: JSON.parse(b), ...(istioRoute !== undefined ? { istioRoute } : {}) });
    }
  };
  const facets = (decision: ReturnType<typeof routeRequest>, view: ProxyView) => Object.fromEntries(FACETS.map((facet) => [facet, facetOf(meaningOf(decision, view.clusters), facet)]));

  istioDeployment.proxies.forEach((deployed, index) => {
    const leftView: ProxyView = { listeners: left[index]!.listeners, routes: left[index]!.routes, clusters: left[index]!.clusters };
    const rightView: ProxyView = { listeners: right[index]!.listeners, routes: right[index]!.routes, clusters: right[index]!.clusters };
    const name = envoyPathOf(deployed);
    if (deployed.kind === 'gateway') {
      compareGateways(name, leftView, rightView, compare, unsatisfiable, facets);
      return;
    }
    const byAuthority = new Map<string, Json[]>();
    // (A one-argument predicate: Array.filter would pass the index as the port.)
    const anyOutbound = (listener: Json) => isOutbound(listener);
    for (const vhost of [...outboundVirtualHosts(leftView, anyOutbound), ...outboundVirtualHosts(rightView, anyOutbound)]) {
      const authority = authorityOf(vhost);
      if (!authority) continue;
      const host = authority.slice(0, authority.lastIndexOf(':'));
      if (versions.has(host)) {
        versionAuthorities.add(authority);
        continue;
      }
      const ports = servicePorts.get(host);
      if (gatewayHosts.has(host) || (ports && !ports.has(Number(authority.slice(authority.lastIndexOf(':') + 1))))) {
        skipped.add(authority);
        continue;
      }
      byAuthority.set(authority, [...(byAuthority.get(authority) ?? []), vhost]);
    }
    for (const [authority, vhosts] of [...byAuthority].sort(([a], [b]) => compareStrings(a, b))) {
      const port = Number(authority.slice(authority.lastIndexOf(':') + 1));
      for (const request of requestSet(vhosts, authority, unsatisfiable)) {
        const istioDecision = outboundDecision(leftView, port, request, isOutbound);
        compare(name, `outbound ${authority}`, describeRequest(request), facets(istioDecision, leftView), facets(outboundDecision(rightView, port, request, isOutbound), rightView), istioDecision?.route);
      }
    }
    compareInbound(model, deployed, leftView, rightView, compare);
  });

  differences.sort((a, b) => compareStrings(`${a.proxy} ${a.where} ${a.facet} ${a.request}`, `${b.proxy} ${b.where} ${b.facet} ${b.request}`));
  return { differences, agreed, unsatisfiable: [...unsatisfiable].sort(), versionAuthorities: [...versionAuthorities].sort(), skipped: [...skipped].sort() };
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

type Compare = (proxy: string, where: string, request: string, pilot: Record<string, unknown>, gateway: Record<string, unknown>, istioRoute?: string) => void;
type Facets = (decision: ReturnType<typeof routeRequest>, view: ProxyView) => Record<string, unknown>;

function compareGateways(name: string, leftView: ProxyView, rightView: ProxyView, compare: Compare, unsatisfiable: Set<string>, facets: Facets): void {
  const leftConfigs = gatewayRouteConfigs(leftView);
  const rightConfigs = gatewayRouteConfigs(rightView);
  const hosts = new Map<string, Json[]>();
  for (const { port, config } of [...leftConfigs, ...rightConfigs]) {
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
  const internet: Caller = { ip: '203.0.113.7' };
  const decide = (configs: ReturnType<typeof gatewayRouteConfigs>, port: number, request: HttpRequest) => {
    const selected = select(configs, port, request);
    return selected ? routeRequest(selected.config, request) : undefined;
  };
  const access = (configs: ReturnType<typeof gatewayRouteConfigs>, port: number, request: HttpRequest) => {
    const selected = select(configs, port, request);
    return selected ? (accessDecision(selected.chain, internet, port, request).allowed ? 'allowed' : 'denied') : 'no listener';
  };
  for (const [key, vhosts] of [...hosts].sort(([a], [b]) => compareStrings(a, b))) {
    const [portText, hostText] = key.split(' ') as [string, string];
    const port = Number(portText);
    const host = hostText.startsWith('wildcard.') ? `any${hostText.slice('wildcard'.length)}` : hostText;
    for (const request of requestSet(vhosts, host, unsatisfiable)) {
      const istioDecision = decide(leftConfigs, port, request);
      compare(
        name,
        `gateway ${port} ${host}`,
        describeRequest(request),
        { ...facets(istioDecision, leftView), access: access(leftConfigs, port, request) },
        { ...facets(decide(rightConfigs, port, request), rightView), access: access(rightConfigs, port, request) },
        istioDecision?.route,
      );
    }
  }
}

/** The SPIFFE identity of every workload that may call: services, gateways (as each target deploys them), one from nowhere. */
function callers(model: MeshModel): { label: string; caller: Caller }[] {
  const trustDomain = model.settings.trustDomain;
  const identities = new Map<string, string>();
  for (const service of model.services) identities.set(`${service.namespace}/${service.name}`, `spiffe://${trustDomain}/ns/${service.namespace}/sa/${serviceAccountOf(service)}`);
  for (const gateway of model.gateways) {
    identities.set(`${gateway.namespace}/${gateway.name}`, `spiffe://${trustDomain}/ns/${gateway.namespace}/sa/${gateway.name}`);
    const gatewayClass = model.settings.gatewayApi?.gatewayClass ?? 'istio';
    identities.set(`${gateway.namespace}/${gateway.name}-${gatewayClass}`, `spiffe://${trustDomain}/ns/${gateway.namespace}/sa/${gateway.name}-${gatewayClass}`);
  }
  identities.set('stranger', `spiffe://${trustDomain}/ns/elsewhere/sa/stranger`);
  return [{ label: 'plain text', caller: {} }, ...[...identities].sort(([a], [b]) => compareStrings(a, b)).map(([label, principal]) => ({ label, caller: { principal } }))];
}

function compareInbound(model: MeshModel, deployed: DeployedProxy, leftView: ProxyView, rightView: ProxyView, compare: Compare): void {
  const service = model.services.find((s) => s.namespace === deployed.namespace && s.name === deployed.name)!;
  const left = leftView.listeners.find((l) => l.name === 'virtualInbound');
  const right = rightView.listeners.find((l) => l.name === 'virtualInbound');
  for (const port of service.resource.spec.ports) {
    const http = ['http', 'http2', 'grpc'].includes(port.protocol);
    const targetPort = port.targetPort ?? port.port;
    const authority = `${service.name}.${service.namespace}.svc.cluster.local:${port.port}`;
    const requests: (HttpRequest | undefined)[] = http ? accessRequests(service, authority) : [undefined];
    for (const { label, caller } of callers(model)) {
      const tls = caller.principal !== undefined;
      for (const request of requests) {
        const connection = { destinationPort: targetPort, transportProtocol: tls ? 'tls' : 'raw_buffer', applicationProtocols: tls ? ISTIO_MTLS_ALPN : [] } as const;
        const a = inboundAccess(left, { ...connection, applicationProtocols: [...connection.applicationProtocols] }, caller, targetPort, request);
        const b = inboundAccess(right, { ...connection, applicationProtocols: [...connection.applicationProtocols] }, caller, targetPort, request);
        compare(
          envoyPathOf(deployed),
          `inbound ${port.port}`,
          `${label}: ${request ? `${request.method} ${request.path}` : 'TCP connection'}`,
          { access: a.accepted && a.allowed ? 'allowed' : 'denied' },
          { access: b.accepted && b.allowed ? 'allowed' : 'denied' },
        );
      }
    }
  }
}
