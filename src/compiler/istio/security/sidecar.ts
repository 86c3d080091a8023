// Sidecar: what each proxy imports and where unknown destinations go.
// - Every service gets one (`workloadSelector` = its workload labels) whose egress lists exactly
//   the hosts it sends to (./dependencies.ts) in `<namespace>/<host>` form, plus `istio-system/*`
//   for the control plane. Without it every proxy holds the configuration of the whole mesh.
// - Istio applies one Sidecar per workload and does not merge them: a workload's own Sidecar
//   replaces the namespace's and the root namespace's, and where it sets no
//   `outboundTrafficPolicy` Istio falls back to MeshConfig, not to those Sidecars. So every
//   Sidecar spells out the egress mode that applies to it (the namespace's, else the mesh's).
// - The mesh-wide `default` (root namespace) and a namespace's `default` (where the Mesh sets its
//   egress) carry the mode for workloads meshctl does not manage. Their egress is `*/*`: the
//   setting says where traffic may leave the mesh (REGISTRY_ONLY: only to declared hosts), not
//   which declared hosts a workload sees; `./*` would cut unmanaged workloads off from every
//   other namespace, and under ALLOW_ANY turn their calls there into passthrough TCP that strict
//   mTLS then refuses.
import type { KubernetesObject } from '../../../output/manifest.js';
import { compareStrings } from '../../../diagnostics/types.js';
import { compiledName, DEFAULTS_OBJECT_NAME, ROOT_NAMESPACE, type CompiledSource } from '../../../model/compiled-names.js';
import type { Destination, MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import { API, destinationHosts, objectMeta } from '../common.js';
import { dependencyResolver } from './dependencies.js';
import { workloadSelector } from './workload.js';

type EgressSetting = MeshModel['settings']['egress'];

const OUTBOUND_MODE: Record<EgressSetting, 'ALLOW_ANY' | 'REGISTRY_ONLY'> = { 'allow-any': 'ALLOW_ANY', 'registry-only': 'REGISTRY_ONLY' };

/** The control plane's services (istiod, for XDS and certificates) every proxy must reach. */
export const CONTROL_PLANE_HOSTS = `${ROOT_NAMESPACE}/*`;

/** Every host of every namespace: the default visibility, for workloads meshctl does not scope. */
const ALL_HOSTS = '*/*';

export function compileSidecars(model: MeshModel): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  const mesh = model.mesh;
  if (mesh) {
    objects.push(sidecar(mesh, DEFAULTS_OBJECT_NAME, ROOT_NAMESPACE, { egress: [{ hosts: [ALL_HOSTS] }], outboundTrafficPolicy: { mode: OUTBOUND_MODE[model.settings.egress] } }));
    for (const namespace of Object.keys(model.settings.namespaces ?? {}).sort(compareStrings)) {
      const egress = model.settings.namespaces?.[namespace]?.egress;
      if (egress) objects.push(sidecar(mesh, DEFAULTS_OBJECT_NAME, namespace, { egress: [{ hosts: [ALL_HOSTS] }], outboundTrafficPolicy: { mode: OUTBOUND_MODE[egress] } }));
    }
  }
  const dependencies = dependencyResolver(model);
  for (const service of model.services) {
    objects.push(
      sidecar(service, compiledName.sidecar(service.name), service.namespace, {
        workloadSelector: workloadSelector(service),
        egress: [{ hosts: egressHosts(dependencies(service)) }],
        outboundTrafficPolicy: { mode: OUTBOUND_MODE[effectiveEgress(model, service)] },
      }),
    );
  }
  return objects;
}

/** `<namespace>/<host>` of every host the service sends to, and the control plane, sorted. */
function egressHosts(destinations: readonly Destination[]): string[] {
  const hosts = new Set<string>([CONTROL_PLANE_HOSTS]);
  for (const destination of destinations) for (const host of destinationHosts(destination)) hosts.add(`${destination.namespace}/${host}`);
  return [...hosts].sort(compareStrings);
}

function effectiveEgress(model: MeshModel, service: ServiceNode): EgressSetting {
  return model.settings.namespaces?.[service.namespace]?.egress ?? model.settings.egress;
}

function sidecar(source: CompiledSource, name: string, namespace: string, spec: Record<string, unknown>): KubernetesObject {
  return { apiVersion: API.networking, kind: 'Sidecar', metadata: objectMeta(source, name, namespace), spec };
}
