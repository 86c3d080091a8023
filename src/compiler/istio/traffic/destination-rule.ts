// The DestinationRule of an in-mesh service: its versions as subsets and its resilience as the
// traffic policy. It says nothing about TLS: Istio's automatic mTLS decides per endpoint, mutual TLS
// to workloads that have a sidecar and whose PeerAuthentication (port, workload, namespace, mesh)
// is not DISABLE, plain text otherwise (pilot's endpoint mTLS check). A TLS mode written here would
// switch that off for the host: ISTIO_MUTUAL toward a namespace without sidecars (`injection:
// false`, the start of Istio's mTLS migration) makes every caller send TLS that nobody there
// terminates, and every call fails.
import { compareStrings } from '../../../diagnostics/types.js';
import { compiledName, serviceObjects } from '../compiled-names.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import type { KubernetesObject } from '../../../output/manifest.js';
import { API, objectMeta, serviceHost } from '../common.js';
import type { IstioEmitter } from '../index.js';
import type { IstioDestinationRuleSpec, IstioSubset } from './istio-types.js';

import { toTrafficPolicy } from './traffic-policy.js';
import { sortedRecord } from '../../../common/sorted-record.js';

export const compileDestinationRules: IstioEmitter = (model) => model.services.flatMap((service) => compileDestinationRule(model, service));

export function compileDestinationRule(model: MeshModel, service: ServiceNode): KubernetesObject[] {
  const object = serviceObjects(service).find((candidate) => candidate.kind === 'DestinationRule');
  if (!object) return [];
  const spec: IstioDestinationRuleSpec = { host: serviceHost(service) };
  const trafficPolicy = toTrafficPolicy(service.resource.spec.resilience);
  if (Object.keys(trafficPolicy).length > 0) spec.trafficPolicy = trafficPolicy;
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
