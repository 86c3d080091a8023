// What every Istio emitter shares: API versions, object metadata (labels, the source annotation),
// host names and workload selectors. Emitters are pure: the same model gives the same objects.
import type { KubernetesObject } from '../../output/manifest.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../../common/managed-by.js';
import type { CompiledSource } from './compiled-names.js';
import type { ServiceNode, ExternalServiceNode } from '../../model/mesh-model.js';

export const API = {
  networking: 'networking.istio.io/v1',
  networkingAlpha: 'networking.istio.io/v1alpha3',
  security: 'security.istio.io/v1',
  telemetry: 'telemetry.istio.io/v1',
  core: 'v1',
} as const;

/** Names the mesh file and line an object was compiled from, for reviewers and for `kubectl describe`. */
export const SOURCE_ANNOTATION = 'meshctl.dev/source';
/** The Kubernetes cluster domain that service host names end in. */
export const CLUSTER_DOMAIN = 'cluster.local';

export function objectMeta(source: CompiledSource, name: string, namespace: string | undefined): KubernetesObject['metadata'] {
  return {
    name,
    ...(namespace !== undefined ? { namespace } : {}),
    labels: { [MANAGED_BY_LABEL]: MANAGED_BY },
    annotations: { [SOURCE_ANNOTATION]: `${source.document.file}:${source.document.firstLine}` },
  };
}

/** The fully qualified host of an in-mesh service: reviews.storefront.svc.cluster.local. */
export function serviceHost(service: Pick<ServiceNode, 'name' | 'namespace'>): string {
  return `${service.name}.${service.namespace}.svc.${CLUSTER_DOMAIN}`;
}

/** The hosts a destination answers to: its service host, or an external service's hosts. */
export function destinationHosts(destination: ServiceNode | ExternalServiceNode): string[] {
  return destination.kind === 'Service' ? [serviceHost(destination)] : [...destination.resource.spec.hosts];
}
