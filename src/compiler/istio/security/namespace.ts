// Namespace: every namespace the mesh puts something in (declared in the Mesh's `namespaces`, or
// holding a service, external service or gateway), labelled for sidecar injection: a workload
// without a proxy is outside the mesh, and none of the policies compiled for it would apply.
// `istio-injection: enabled` unless the Mesh sets `injection: false` for the namespace, which
// gives `disabled` (an explicit opt-out, so a mesh-wide injection default cannot override it).
// Istio's root namespace is left to Istio's installation, which owns its labels.
import type { KubernetesObject } from '../../../output/manifest.js';
import { compareStrings } from '../../../diagnostics/types.js';
import { ROOT_NAMESPACE, type CompiledSource } from '../compiled-names.js';
import type { MeshModel } from '../../../model/mesh-model.js';
import { API, objectMeta } from '../common.js';

export const INJECTION_LABEL = 'istio-injection';

export function compileNamespaces(model: MeshModel): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  for (const namespace of [...model.namespaces].sort(compareStrings)) {
    if (namespace === ROOT_NAMESPACE) continue;
    const source = namespaceSource(model, namespace);
    if (!source) continue;
    const injection = model.settings.namespaces?.[namespace]?.injection ?? true;
    const metadata = objectMeta(source, namespace, undefined);
    objects.push({
      apiVersion: API.core,
      kind: 'Namespace',
      metadata: { ...metadata, labels: { ...metadata.labels, [INJECTION_LABEL]: injection ? 'enabled' : 'disabled' } },
    });
  }
  return objects;
}

/** The Mesh when it declares the namespace, else the first document (in model order) placed in it. */
function namespaceSource(model: MeshModel, namespace: string): CompiledSource | undefined {
  if (model.mesh && model.settings.namespaces?.[namespace]) return model.mesh;
  return [...model.services, ...model.externalServices, ...model.gateways].find((node) => node.namespace === namespace);
}
