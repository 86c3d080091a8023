// The DestinationRule of an in-mesh service: its versions as subsets, its resilience as the traffic
// policy, and the client side of its mTLS. Callers send ISTIO_MUTUAL to a service whose effective
// mode is strict or permissive (a permissive server accepts both, and mutual TLS is what the mesh
// wants on the wire); a port whose mode is disabled accepts plain text only, so callers are told
// DISABLE for it, since mutual TLS to it would fail the handshake. A service whose own mode is
// disabled gets no destination-wide TLS: Istio's automatic mTLS already follows its
// PeerAuthentication. Explicit TLS in a DestinationRule turns automatic mTLS off for the host, so
// every port whose mode differs from the service's is stated on its own.
import { compareStrings } from '../../../diagnostics/types.js';
import { compiledName, serviceObjects } from '../../../model/compiled-names.js';
import { effectiveMtlsMode, effectiveMtlsModes, type MtlsMode } from '../../../model/effective-policy.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import { API, objectMeta, serviceHost } from '../common.js';
import type { IstioEmitter } from '../index.js';
import type { IstioClientTls, IstioDestinationRuleSpec, IstioSubset } from './istio-types.js';
import { sortedRecord } from './match.js';
import { toTrafficPolicy, withTlsPerPort } from './traffic-policy.js';

export const compileDestinationRules: IstioEmitter = (model) => model.services.flatMap((service) => compileDestinationRule(model, service));

export function compileDestinationRule(model: MeshModel, service: ServiceNode): KubernetesObject[] {
  const object = serviceObjects(service).find((candidate) => candidate.kind === 'DestinationRule');
  if (!object) return [];
  const spec: IstioDestinationRuleSpec = { host: serviceHost(service) };
  const trafficPolicy = withTlsPerPort(toTrafficPolicy(service.resource.spec.resilience), ...mutualTls(model, service));
  if (trafficPolicy) spec.trafficPolicy = trafficPolicy;
  const subsets = toIstioSubsets(service);
  if (subsets.length > 0) spec.subsets = subsets;
  return [{ apiVersion: API.networking, kind: 'DestinationRule', metadata: objectMeta(service, object.name, service.namespace), spec }];
}

/** One subset per version, by version name, selected by the version's labels. */
export function toIstioSubsets(service: ServiceNode): IstioSubset[] {
  return Object.entries(service.resource.spec.versions ?? {})
    .sort(([a], [b]) => compareStrings(a, b))
    .map(([version, { labels }]) => ({ name: compiledName.subset(version), labels: sortedRecord(labels) }));
}

/** The destination-wide TLS and each port's, from the effective mTLS modes. */
function mutualTls(model: MeshModel, service: ServiceNode): [IstioClientTls | undefined, Map<number, IstioClientTls | undefined>] {
  const destination = callerTls(effectiveMtlsMode(model, service).value, undefined);
  const ports = new Map<number, IstioClientTls | undefined>();
  for (const [port, mode] of effectiveMtlsModes(model, service)) ports.set(port, callerTls(mode.value, destination));
  return [destination, ports];
}

function callerTls(mode: MtlsMode, destination: IstioClientTls | undefined): IstioClientTls | undefined {
  if (mode !== 'disabled') return { mode: 'ISTIO_MUTUAL' };
  return destination ? { mode: 'DISABLE' } : undefined;
}
