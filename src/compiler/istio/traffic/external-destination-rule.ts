// The DestinationRules of an external service: its resilience, and TLS origination when `tls` asks
// for it. A DestinationRule has one host, so each host of the external service gets its own, with
// the same policy (compiledName.externalDestinationRule numbers them).
//
// Originating TLS means the application speaks plain text and the proxy encrypts: SIMPLE TLS with
// the given SNI (without one, Istio sets SNI from the request's Host header on HTTP ports). Ports
// declared `tls` already carry the application's own TLS, so the proxy passes them through
// (DISABLE) instead of wrapping TLS in TLS. `originate: false` says the proxy must not add TLS.
import { externalServiceObjects } from '../compiled-names.js';
import type { ExternalServiceNode } from '../../../model/mesh-model.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import { API, objectMeta } from '../common.js';
import type { IstioEmitter } from '../index.js';
import type { IstioClientTls, IstioDestinationRuleSpec } from './istio-types.js';
import { toTrafficPolicy, withTlsPerPort } from './traffic-policy.js';

export const compileExternalDestinationRules: IstioEmitter = (model) => model.externalServices.flatMap(compileExternalDestinationRule);

export function compileExternalDestinationRule(external: ExternalServiceNode): KubernetesObject[] {
  const objects = externalServiceObjects(external).filter((object) => object.kind === 'DestinationRule');
  if (objects.length === 0) return [];
  const trafficPolicy = withTlsPerPort(toTrafficPolicy(external.resource.spec.resilience), ...originationTls(external));
  return objects.map((object, index) => {
    const spec: IstioDestinationRuleSpec = { host: external.resource.spec.hosts[index]!, ...(trafficPolicy ? { trafficPolicy } : {}) };
    return { apiVersion: API.networking, kind: 'DestinationRule', metadata: objectMeta(external, object.name, external.namespace), spec };
  });
}

/** The destination-wide TLS and each port's: SIMPLE where the proxy originates, DISABLE elsewhere. */
function originationTls(external: ExternalServiceNode): [IstioClientTls | undefined, Map<number, IstioClientTls | undefined>] {
  const tls = external.resource.spec.tls;
  const ports = external.resource.spec.ports;
  const portTls = new Map<number, IstioClientTls | undefined>();
  if (!tls) {
    for (const port of ports) portTls.set(port.port, undefined);
    return [undefined, portTls];
  }
  const originate: IstioClientTls = { mode: 'SIMPLE', ...(tls.sni !== undefined ? { sni: tls.sni } : {}) };
  const passThrough: IstioClientTls = { mode: 'DISABLE' };
  for (const port of ports) portTls.set(port.port, tls.originate && port.protocol !== 'tls' ? originate : passThrough);
  const modes = new Set([...portTls.values()].map((value) => value?.mode));
  // One mode for every port: the destination's. Mixed: originating is the point of `tls`, the
  // passed-through ports are the exceptions.
  const destination = modes.size === 1 ? [...portTls.values()][0] : originate;
  return [destination, portTls];
}
