// The rate-limit service's own configuration: envoyproxy/ratelimit's YAML (`domain`, then a tree
// of `descriptors` with `key`, optional `value` and `rate_limit: {unit, requests_per_unit}`), as a
// ConfigMap in the rate-limit service's namespace with the file under `config.yaml`, ready to be
// mounted where the service reads its configuration (RUNTIME_ROOT/RUNTIME_SUBDIRECTORY/config).
//
// One ConfigMap for the whole mesh: the mesh has one rate-limit service and one domain, and the
// service reads one tree per domain. Each service with global limits is a branch of it, keyed by
// the `service` descriptor its proxies send first (src/plan/rate-limit-descriptors.ts), so services never share
// a counter. A key without a value gives every distinct value its own counter.
//
// The ConfigMap is written whenever the Mesh names a rate-limit service, also while no service has
// global limits yet (an empty tree): the rate-limit service mounts it, and a GitOps tool would
// otherwise delete it under a running deployment when the last limit goes.
import { compiledName, rateLimitServiceNamespace } from '../compiled-names.js';
import type { MeshModel } from '../../../model/mesh-model.js';
import { toYaml, type KubernetesObject } from '../../../output/manifest.js';
import { API, objectMeta } from '../common.js';
import type { IstioEmitter } from '../index.js';
import { serviceDescriptorTree } from '../../../plan/rate-limit-descriptors.js';

/** The key of the configuration file in the ConfigMap (mounted as a file of that name). */
export const RATE_LIMIT_CONFIG_FILE = 'config.yaml';

export const compileRateLimitServiceConfig: IstioEmitter = (model) => {
  const settings = model.settings.rateLimitService;
  if (!model.mesh || !settings) return [];
  const object: KubernetesObject = {
    apiVersion: API.core,
    kind: 'ConfigMap',
    metadata: objectMeta(model.mesh, compiledName.rateLimitConfig(settings.domain), rateLimitServiceNamespace(settings.service)),
    data: { [RATE_LIMIT_CONFIG_FILE]: rateLimitServiceConfigText(model) },
  };
  return [object];
};

/** The YAML the rate-limit service reads: the mesh's domain and every service's limits. */
export function rateLimitServiceConfigText(model: MeshModel): string {
  const settings = model.settings.rateLimitService;
  if (!settings) throw new Error('the mesh names no rate-limit service');
  const descriptors = model.services.filter((service) => service.resource.spec.rateLimit?.global).map(serviceDescriptorTree);
  return toYaml({ domain: settings.domain, descriptors });
}
