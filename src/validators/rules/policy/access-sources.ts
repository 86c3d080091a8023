// Lookups the access-source rules share: whether a namespace is known to the mesh (or only
// holds documents that failed the schema, which are reported there), and did-you-mean
// candidates for service references.
import type { MeshModel } from '../../../model/mesh-model.js';

/** True when the namespace holds a valid document, is declared in the Mesh, or holds an invalid document. */
export function isKnownNamespace(model: MeshModel, namespace: string): boolean {
  if (model.namespaces.has(namespace)) return true;
  for (const key of model.invalidKeys) if (key.startsWith(`${namespace}/`)) return true;
  return false;
}

/** Names a reference written in `namespace` could mean: bare names there, qualified names elsewhere. */
export function serviceCandidates(model: MeshModel, ref: string, namespace: string): string[] {
  return model.services.map((service) => (!ref.includes('/') && service.namespace === namespace ? service.name : service.key));
}
