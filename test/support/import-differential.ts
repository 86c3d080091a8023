// Round trip 2's judge: the same deployment given two Istio configurations, a hand-written one (X)
// and `compile(import(X))`, and what istiod pushes to every proxy for each, compared in meaning by
// concrete requests through one evaluator (envoy-request.ts), as the pilot differential compares
// pilot with the Envoy target: route choice, upstreams and weights, timeouts, retries, faults,
// mirrors, rewrites, redirects; the allow/deny decision of every sidecar's inbound listener for
// every caller identity (with and without JWT claims) and request the rules name; the routes and
// access of every gateway for a client on the internet.
import { compareStrings } from '../../src/diagnostics/types.js';
import type { MeshModel } from '../../src/model/mesh-model.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
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
import { envoyPathOf, runPilot, serviceAccountOf, type Deployment } from './istio-judge.js';

export interface ImportDifference {
  proxy: string;
  where: string;
  facet: string;
  request: string;
  original: unknown;
  imported: unknown;
}

export interface ImportDifferential {
  differences: ImportDifference[];
  agreed: number;
  /** Requests compared on sidecars' outbound routes. */
  outboundRequests: number;
}

function obj(value: unknown): Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : {};
}

const portOf = (listener: Json) => Number(obj(obj(listener.address).socket_address).port_value);
const isOutbound = (listener: Json, port?: number) => !['virtualInbound', 'virtualOutbound'].includes(String(listener.name)) && (port === undefined || portOf(listener) === port);

function authorityOf(vhost: Json): string | undefined {
  const name = String(vhost.name);
  if (/^[^/]+:\d+$/.test(name) && name.includes('.')) return name;
  const withPort = ((vhost.domains as string[] | undefined) ?? []).filter((d) => /:\d+$/.test(d) && !d.startsWith('*'));
  return withPort.sort((a, b) => b.length - a.length || compareStrings(a, b))[0];
}

function requestSet(vhosts: readonly Json[], authority: string): HttpRequest[] {
  const seen = new Set<string>();
  const out: HttpRequest[] = [];
  for (const vhost of vhosts) {
    for (const request of requestsForVirtualHost(vhost, authority).requests) {
      const key = describeRequest(request);
      if (!seen.has(key)) {
        seen.add(key);
        out.push(request);
      }
    }
  }
  return out;
}

/** Identities that may call: every service and gateway of the imported mesh, a stranger, plain text; with and without the claims its rules name. */
function callers(model: MeshModel): { label: string; caller: Caller }[] {
  const trustDomain = model.settings.trustDomain;
  const identities = new Map<string, string>();
  for (const service of model.services) identities.set(`${service.namespace}/${service.name}`, `spiffe://${trustDomain}/ns/${service.namespace}/sa/${serviceAccountOf(service)}`);
  for (const gateway of model.gateways) identities.set(`${gateway.namespace}/${gateway.name}`, `spiffe://${trustDomain}/ns/${gateway.namespace}/sa/${gateway.name}`);
  identities.set('stranger', `spiffe://${trustDomain}/ns/elsewhere/sa/stranger`);
  const issuer = Object.values(model.settings.jwtProviders ?? {})[0]?.issuer;
  // As the token of Istio's JWT samples: the issuer is also the subject.
  const claims: Record<string, string> = issuer ? { iss: issuer, sub: issuer } : {};
  for (const service of model.services) {
    for (const rule of [...(service.resource.spec.access?.allow ?? []), ...(service.resource.spec.access?.deny ?? [])]) {
      for (const [claim, values] of Object.entries(rule.when?.claims ?? {})) {
        const first = Array.isArray(values) ? values[0] : values;
        if (first !== undefined && !(claim in claims)) claims[claim] = first;
      }
    }
  }
  const out: { label: string; caller: Caller }[] = [{ label: 'plain text', caller: {} }];
  for (const [label, principal] of [...identities].sort(([a], [b]) => compareStrings(a, b))) {
    out.push({ label, caller: { principal } });
    if (issuer) out.push({ label: `${label} with a token`, caller: { principal, jwtClaims: claims } });
  }
  return out;
}

const CLUSTER_SETTINGS = ['circuit_breakers', 'outlier_detection', 'lb_policy', 'least_request_lb_config', 'ring_hash_lb_config', 'common_lb_config', 'connect_timeout', 'typed_extension_protocol_options', 'transport_socket', 'transport_socket_matches'];

export async function importDifferential(original: readonly KubernetesObject[], imported: readonly KubernetesObject[], deployment: Deployment, model: MeshModel): Promise<ImportDifferential> {
  const proxies = deployment.proxies.map((p) => p.proxy);
  const [before, after] = await Promise.all([runPilot([...original, ...deployment.objects], proxies), runPilot([...imported, ...deployment.objects], proxies)]);
  const differences: ImportDifference[] = [];
  let agreed = 0;
  let outboundRequests = 0;
  const compare = (proxy: string, where: string, request: string, a: Record<string, unknown>, b: Record<string, unknown>) => {
    for (const facet of Object.keys(a)) {
      if (JSON.stringify(a[facet]) === JSON.stringify(b[facet])) agreed += 1;
      else differences.push({ proxy, where, facet, request, original: a[facet], imported: b[facet] });
    }
  };
  const facets = (decision: ReturnType<typeof routeRequest>, view: ProxyView) => Object.fromEntries(FACETS.map((facet) => [facet, facetOf(meaningOf(decision, view.clusters), facet)]));

  deployment.proxies.forEach((deployed, index) => {
    const a: ProxyView = before[index]!;
    const b: ProxyView = after[index]!;
    const name = envoyPathOf(deployed);
    if (deployed.kind === 'gateway') {
      const configsA = gatewayRouteConfigs(a);
      const configsB = gatewayRouteConfigs(b);
      const hosts = new Map<string, Json[]>();
      for (const { port, config } of [...configsA, ...configsB]) {
        for (const vhost of (config.virtual_hosts as Json[] | undefined) ?? []) {
          for (const domain of (vhost.domains as string[] | undefined) ?? []) {
            if (domain === '*' || domain.includes(':')) continue;
            const key = `${port} ${domain.startsWith('*.') ? `any${domain.slice(1)}` : domain}`;
            hosts.set(key, [...(hosts.get(key) ?? []), vhost]);
          }
        }
      }
      const select = (configs: typeof configsA, port: number, host: string) =>
        configs.filter((c) => c.port === port).find(({ config }) => {
          const vhost = selectVirtualHost(config, host);
          return vhost && !((vhost.domains as string[]).length === 1 && (vhost.domains as string[])[0] === '*');
        });
      const internet: Caller = { ip: '203.0.113.7' };
      for (const [key, vhosts] of [...hosts].sort(([x], [y]) => compareStrings(x, y))) {
        const [portText, host] = key.split(' ') as [string, string];
        const port = Number(portText);
        for (const request of requestSet(vhosts, host)) {
          const sa = select(configsA, port, host);
          const sb = select(configsB, port, host);
          compare(
            name,
            `gateway ${key}`,
            describeRequest(request),
            { ...facets(sa ? routeRequest(sa.config, request) : undefined, a), access: sa ? (accessDecision(sa.chain, internet, port, request).allowed ? 'allowed' : 'denied') : 'no listener' },
            { ...facets(sb ? routeRequest(sb.config, request) : undefined, b), access: sb ? (accessDecision(sb.chain, internet, port, request).allowed ? 'allowed' : 'denied') : 'no listener' },
          );
        }
      }
      return;
    }
    const byAuthority = new Map<string, Json[]>();
    // One argument only: Array.filter would pass the index as the port.
    const anyOutbound = (listener: Json) => isOutbound(listener);
    for (const vhost of [...outboundVirtualHosts(a, anyOutbound), ...outboundVirtualHosts(b, anyOutbound)]) {
      const authority = authorityOf(vhost);
      if (authority) byAuthority.set(authority, [...(byAuthority.get(authority) ?? []), vhost]);
    }
    for (const [authority, vhosts] of [...byAuthority].sort(([x], [y]) => compareStrings(x, y))) {
      const port = Number(authority.slice(authority.lastIndexOf(':') + 1));
      for (const request of requestSet(vhosts, authority)) {
        outboundRequests += 1;
        compare(name, `outbound ${authority}`, describeRequest(request), facets(outboundDecision(a, port, request, isOutbound), a), facets(outboundDecision(b, port, request, isOutbound), b));
      }
    }
    // Clusters: what callers' proxies do with a destination's connections (circuit breakers,
    // outlier detection, load balancing, TLS toward it).
    const clusterMap = (view: ProxyView) => new Map(view.clusters.filter((c) => String(c.name).startsWith('outbound|')).map((c) => [String(c.name), c]));
    const clustersA = clusterMap(a);
    const clustersB = clusterMap(b);
    for (const clusterName of [...new Set([...clustersA.keys(), ...clustersB.keys()])].sort(compareStrings)) {
      const settings = (cluster: Json | undefined) =>
        cluster === undefined ? 'no cluster' : Object.fromEntries(CLUSTER_SETTINGS.filter((key) => key in cluster).map((key) => [key, cluster[key]]));
      compare(name, `cluster ${clusterName}`, '-', { settings: settings(clustersA.get(clusterName)) }, { settings: settings(clustersB.get(clusterName)) });
    }
    const service = model.services.find((s) => s.namespace === deployed.namespace && s.name === deployed.name)!;
    const inboundA = a.listeners.find((l) => l.name === 'virtualInbound');
    const inboundB = b.listeners.find((l) => l.name === 'virtualInbound');
    const paths = new Set(['/', '/anything', '/headers', '/status/200', '/ip']);
    const methods = new Set(['GET', 'POST']);
    for (const rule of [...(service.resource.spec.access?.allow ?? []), ...(service.resource.spec.access?.deny ?? [])]) {
      for (const path of rule.to?.paths ?? []) paths.add(path.replace(/\*$/, 'x').replace(/^\*/, '/x'));
      for (const method of rule.to?.methods ?? []) methods.add(method);
    }
    for (const port of service.resource.spec.ports) {
      const http = ['http', 'http2', 'grpc'].includes(port.protocol);
      const targetPort = port.targetPort ?? port.port;
      const authority = `${service.name}.${service.namespace}.svc.cluster.local:${port.port}`;
      const requests: (HttpRequest | undefined)[] = http ? [...paths].sort(compareStrings).flatMap((path) => [...methods].sort(compareStrings).map((method) => ({ authority, path, method }))) : [undefined];
      for (const { label, caller } of callers(model)) {
        const tls = caller.principal !== undefined;
        const connection = { destinationPort: targetPort, transportProtocol: tls ? 'tls' : 'raw_buffer', applicationProtocols: tls ? ISTIO_MTLS_ALPN : [] } as const;
        for (const request of requests) {
          const x = inboundAccess(inboundA, { ...connection, applicationProtocols: [...connection.applicationProtocols] }, caller, targetPort, request);
          const y = inboundAccess(inboundB, { ...connection, applicationProtocols: [...connection.applicationProtocols] }, caller, targetPort, request);
          compare(name, `inbound ${port.port}`, `${label}: ${request ? `${request.method} ${request.path}` : 'TCP connection'}`, { access: x.accepted && x.allowed ? 'allowed' : 'denied' }, { access: y.accepted && y.allowed ? 'allowed' : 'denied' });
        }
      }
    }
  });
  differences.sort((x, y) => compareStrings(`${x.proxy} ${x.where} ${x.facet} ${x.request}`, `${y.proxy} ${y.where} ${y.facet} ${y.request}`));
  return { differences, agreed, outboundRequests };
}
