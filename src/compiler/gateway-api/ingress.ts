// Ingress as the Gateway API says it: a Gateway per mesh Gateway (its class from the Mesh, default
// `istio`), one listener per listener host (a Gateway API listener has one hostname), and per
// (gateway, host) one route object in the gateway's namespace holding the routes of every service
// exposed on the host, narrowed to the exposed paths exactly as the Istio target's ingress
// VirtualService (ingress-virtual-service.ts). The gateway's pods carry the mesh Gateway's selector
// labels (`infrastructure.labels`, which Istio copies onto the Deployment it runs), so the policies
// that select them (the gateway's allow policy) still apply.
import type { GatewayNode, MeshModel } from '../../model/mesh-model.js';
import type { KubernetesObject } from '../../output/manifest.js';
import type { GatewayResourceT } from '../../schema/resources.js';
import { objectMeta } from '../istio/common.js';

import { GATEWAY_API } from './api.js';
import { backendRef, type Json, type RuleContext } from './http-route.js';
import { rulesOf } from './mesh-routes.js';
import { boundedName } from './names.js';
import { hasHttpPort } from '../../model/ports.js';
import { narrowToExposedPaths } from '../../plan/ingress.js';
import { planHttpRoutes } from '../../plan/routes.js';
import { compiledName, ingressVirtualServiceNames, type NamedGatewayHost } from '../istio/compiled-names.js';
import { sortedRecord } from '../../common/sorted-record.js';

type Listener = GatewayResourceT['spec']['listeners'][number];

export const DEFAULT_GATEWAY_CLASS = 'istio';

const PROTOCOLS: Record<Listener['protocol'], string> = { http: 'HTTP', http2: 'HTTP', https: 'HTTPS', tls: 'TLS', tcp: 'TCP' };

export function compileGateways(model: MeshModel): KubernetesObject[] {
  const gatewayClassName = model.settings.gatewayApi?.gatewayClass ?? DEFAULT_GATEWAY_CLASS;
  return model.gateways.map((gateway) => ({
    apiVersion: GATEWAY_API,
    kind: 'Gateway',
    metadata: objectMeta(gateway, compiledName.gateway(gateway.name), gateway.namespace),
    spec: {
      gatewayClassName,
      infrastructure: { labels: sortedRecord(gateway.resource.spec.selector) },
      listeners: gatewayListeners(gateway),
    },
  }));
}

/** One Gateway API listener per host of each mesh listener; a TCP listener has no hostname and is written once. */
export function gatewayListeners(gateway: GatewayNode): Json[] {
  const listeners: Json[] = [];
  for (const listener of gateway.resource.spec.listeners) {
    const base = listener.name ?? `${listener.protocol}-${listener.port}`;
    const hosts = listener.protocol === 'tcp' ? ['*'] : [...new Set(listener.hosts.map((host) => host.toLowerCase()))];
    hosts.forEach((host, index) => {
      const readable = hosts.length === 1 ? base : `${base}-${index}`;
      listeners.push({
        name: boundedName(readable, `${gateway.key}/${base}/${host}`),
        port: listener.port,
        protocol: PROTOCOLS[listener.protocol],
        ...(host !== '*' ? { hostname: host } : {}),
        ...(listener.tls ? { tls: listenerTls(listener.tls) } : {}),
      });
    });
  }
  return listeners;
}

/** Simple (and mutual, which MESH702 reports) terminate TLS with the credential's Secret; passthrough hands the stream on. */
function listenerTls(tls: NonNullable<Listener['tls']>): Json {
  if (tls.mode === 'passthrough') return { mode: 'Passthrough' };
  return { mode: 'Terminate', ...(tls.credentialName !== undefined ? { certificateRefs: [{ name: tls.credentialName }] } : {}) };
}

export function compileIngressRoutes(model: MeshModel): KubernetesObject[] {
  return ingressVirtualServiceNames(model).flatMap((entry) => ingressRoutes(model, entry));
}

function ingressRoutes(model: MeshModel, entry: NamedGatewayHost): KubernetesObject[] {
  const gateway = entry.gateway;
  const parentRefs = [{ name: compiledName.gateway(gateway.name) }];
  const hostnames = entry.host === '*' ? [] : [entry.host];
  const rules: Json[] = [];
  const tls: Json[] = [];
  const tcp: Json[] = [];
  for (const { service, paths } of entry.exposures) {
    const context: RuleContext = { model, service, namespace: gateway.namespace, kind: 'HTTPRoute' };
    if (hasHttpPort(service)) {
      rules.push(...rulesOf(planHttpRoutes(model, service), context, 'http', (planned) => narrowToExposedPaths(planned, paths)));
      continue;
    }
    const ports = service.resource.spec.ports;
    const tlsPort = ports.find((port) => port.protocol === 'tls');
    const ref = backendRef({ node: service, port: (tlsPort ?? ports[0]!).port }, context);
    (tlsPort ? tls : tcp).push({ backendRefs: [ref] });
  }
  const meta = objectMeta(gateway, entry.name, gateway.namespace);
  const objects: KubernetesObject[] = [];
  if (rules.length > 0) objects.push({ apiVersion: GATEWAY_API, kind: 'HTTPRoute', metadata: meta, spec: { parentRefs, ...(hostnames.length ? { hostnames } : {}), rules: distinctRuleNames(rules) } });
  if (tls.length > 0) objects.push({ apiVersion: GATEWAY_API, kind: 'TLSRoute', metadata: meta, spec: { parentRefs, hostnames: [entry.host], rules: tls.slice(0, 1) } });
  if (tcp.length > 0) objects.push({ apiVersion: GATEWAY_API, kind: 'TCPRoute', metadata: meta, spec: { parentRefs, rules: tcp.slice(0, 1) } });
  return objects;
}

/** Rule names must be unique within a route: several services' routes share one object here. */
function distinctRuleNames(rules: Json[]): Json[] {
  const seen = new Set<string>();
  return rules.map((rule) => {
    const name = rule.name as string | undefined;
    if (name === undefined) return rule;
    if (!seen.has(name)) {
      seen.add(name);
      return rule;
    }
    const { name: _dropped, ...rest } = rule;
    return rest;
  });
}
