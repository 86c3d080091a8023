// emit (Gateway API target): the resolved mesh model -> Kubernetes objects for the Kubernetes
// Gateway API (GAMMA for mesh traffic, Gateway and routes for ingress), plus a Service per routed
// version and, unless portable, the Istio kinds that say what the Gateway API cannot. Pure and
// deterministic, like the Istio target: the same model gives the same sorted objects. What cannot
// be said is reported by the target's rules (MESH700-MESH706), which read expressible.ts.
import type { MeshModel } from '../../model/mesh-model.js';
import { sortObjects, type KubernetesObject } from '../../output/manifest.js';
import { compileNamespaces } from '../istio/security/namespace.js';
import { compileGateways, compileIngressRoutes } from './ingress.js';
import { compileIstioAlongside } from './istio-alongside.js';
import { compileMeshRoutes } from './mesh-routes.js';
import { compileReferenceGrants } from './reference-grants.js';
import { compileVersionServices } from './version-services.js';

export interface GatewayApiOptions {
  /** Write no Istio kinds; what needs them is an error (MESH702). Default: the Mesh's gatewayApi.portable. */
  readonly portable?: boolean;
}

/** True when the compile must leave the Istio kinds out: the flag, else the Mesh setting. */
export function isPortable(model: MeshModel, options: GatewayApiOptions = {}): boolean {
  return options.portable ?? model.settings.gatewayApi?.portable ?? false;
}

export function compileGatewayApi(model: MeshModel, options: GatewayApiOptions = {}): KubernetesObject[] {
  const routes = [...compileMeshRoutes(model), ...compileIngressRoutes(model)];
  const objects = [
    ...compileNamespaces(model),
    ...compileVersionServices(model),
    ...compileGateways(model),
    ...routes,
    ...compileReferenceGrants(routes),
    ...(isPortable(model, options) ? [] : compileIstioAlongside(model)),
  ];
  return sortObjects(objects);
}
