// Sidecar: what each proxy imports and where unknown destinations go.
// - A service whose dependencies are known (it declares `dependsOn`, even an empty one) gets one
//   (`workloadSelector` = its workload labels) whose egress lists exactly the hosts it sends to
//   (./dependencies.ts) in `<namespace>/<host>` form, plus `istio-system/*` for the control plane.
//   Without it every proxy holds the configuration of the whole mesh. A service that declares no
//   `dependsOn` gets none and keeps Istio's default visibility (the namespace's or the mesh's
//   Sidecar, else every host): importing only what its own file and its callees' files name would
//   leave its proxy without routes to the services it calls unannounced, so its requests would
//   bypass their splits and, under strict mTLS, fail.
// - Istio applies one Sidecar per workload and does not merge them: a workload's own Sidecar
//   replaces the namespace's and the root namespace's, and where it sets no
//   `outboundTrafficPolicy` Istio falls back to MeshConfig, not to those Sidecars. So every
//   Sidecar spells out the egress mode the mesh files set for it (the namespace's, else the
//   Mesh's); where they set none, MeshConfig's applies, as it would without meshctl.
// - The mesh-wide `default` (root namespace, only when the Mesh writes `egress`: otherwise it is
//   the platform's) and a namespace's `default` (where the Mesh sets its egress) carry the mode
//   for workloads meshctl does not manage. Their egress is `*/*`: the
//   setting says where traffic may leave the mesh (REGISTRY_ONLY: only to declared hosts), not
//   which declared hosts a workload sees; `./*` would cut unmanaged workloads off from every
//   other namespace, and under ALLOW_ANY turn their calls there into passthrough TCP that strict
//   mTLS then refuses.
import type { KubernetesObject } from '../../../output/manifest.js';
import { compareStrings } from '../../../diagnostics/types.js';
import { compiledName, DEFAULTS_OBJECT_NAME, ROOT_NAMESPACE, type CompiledSource } from '../compiled-names.js';
import type { Destination, MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import { declaresMeshWide } from '../../../model/effective-policy.js';
import { API, destinationHosts, objectMeta } from '../common.js';
import { dependencyResolver } from '../../../plan/dependencies.js';
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
    if (declaresMeshWide(mesh, 'egress')) {
      objects.push(sidecar(mesh, DEFAULTS_OBJECT_NAME, ROOT_NAMESPACE, { egress: [{ hosts: [ALL_HOSTS] }], outboundTrafficPolicy: { mode: OUTBOUND_MODE[model.settings.egress] } }));
    }
    for (const namespace of Object.keys(model.settings.namespaces ?? {}).sort(compareStrings)) {
      const egress = model.settings.namespaces?.[namespace]?.egress;
      if (egress) objects.push(sidecar(mesh, DEFAULTS_OBJECT_NAME, namespace, { egress: [{ hosts: [ALL_HOSTS] }], outboundTrafficPolicy: { mode: OUTBOUND_MODE[egress] } }));
    }
  }
  const dependencies = dependencyResolver(model);
  for (const service of model.services) {
    if (service.resource.spec.dependsOn === undefined) continue;
    objects.push(
      sidecar(service, compiledName.sidecar(service.name), service.namespace, {
        workloadSelector: workloadSelector(service),
        egress: [{ hosts: egressHosts(dependencies(service)) }],
        ...outboundTrafficPolicy(declaredEgress(model, service)),
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

/** The egress mode the mesh files set for the service's namespace, or the Mesh for all; undefined when neither does. */
function declaredEgress(model: MeshModel, service: ServiceNode): EgressSetting | undefined {
  return model.settings.namespaces?.[service.namespace]?.egress ?? (declaresMeshWide(model.mesh, 'egress') ? model.settings.egress : undefined);
}

/** Nothing when the mesh files set no egress mode: Istio then applies MeshConfig's, the platform's choice. */
function outboundTrafficPolicy(egress: EgressSetting | undefined): { outboundTrafficPolicy?: { mode: 'ALLOW_ANY' | 'REGISTRY_ONLY' } } {
  return egress === undefined ? {} : { outboundTrafficPolicy: { mode: OUTBOUND_MODE[egress] } };
}

function sidecar(source: CompiledSource, name: string, namespace: string, spec: Record<string, unknown>): KubernetesObject {
  return { apiVersion: API.networking, kind: 'Sidecar', metadata: objectMeta(source, name, namespace), spec };
}
