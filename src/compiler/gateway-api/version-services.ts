// The Gateway API has no subsets: a version a route sends to (canary, A/B test, a route's `to`, a
// mirror) is a Kubernetes Service of its own in the service's namespace, selecting the service's
// workload labels and the version's, with the service's ports. Istio's subsets select the same
// endpoints (the service's, narrowed to the version's labels).
import { compareStrings } from '../../diagnostics/types.js';
import type { MeshModel, ServiceNode } from '../../model/mesh-model.js';
import type { KubernetesObject } from '../../output/manifest.js';
import { API, objectMeta } from '../istio/common.js';

import { versionServiceName } from './names.js';
import { portName } from '../../model/names.js';
import { workloadLabels } from '../../model/workload-identity.js';
import { sortedRecord } from '../../common/sorted-record.js';

/** `namespace/service` -> the versions some route, canary, A/B test or mirror sends to. */
export function routedVersions(model: MeshModel): Map<string, Set<string>> {
  const routed = new Map<string, Set<string>>();
  const add = (service: ServiceNode | undefined, version: string | undefined) => {
    if (!service || version === undefined) return;
    const versions = routed.get(service.key) ?? new Set<string>();
    versions.add(version);
    routed.set(service.key, versions);
  };
  for (const service of model.services) {
    const spec = service.resource.spec;
    if (spec.canary) {
      add(service, spec.canary.stable);
      add(service, spec.canary.canary);
    }
    if (spec.abTest) {
      add(service, spec.abTest.variant);
      add(service, spec.abTest.control);
    }
    for (const route of spec.routes ?? []) {
      if (typeof route.to === 'string') add(service, route.to);
      else for (const to of route.to ?? []) add(to.service === undefined ? service : model.findService(to.service, service.namespace), to.version);
      if (route.mirror) add(route.mirror.service === undefined ? service : model.findService(route.mirror.service, service.namespace), route.mirror.version);
    }
  }
  return routed;
}

export function compileVersionServices(model: MeshModel): KubernetesObject[] {
  const routed = routedVersions(model);
  const objects: KubernetesObject[] = [];
  for (const service of model.services) {
    const versions = service.resource.spec.versions ?? {};
    for (const version of [...(routed.get(service.key) ?? [])].sort(compareStrings)) {
      const labels = versions[version]?.labels;
      if (!labels) continue;
      objects.push({
        apiVersion: API.core,
        kind: 'Service',
        metadata: objectMeta(service, versionServiceName(model, service, version), service.namespace),
        spec: {
          selector: sortedRecord({ ...workloadLabels(service), ...labels }),
          ports: service.resource.spec.ports.map((port) => ({
            name: portName(port),
            port: port.port,
            targetPort: port.targetPort ?? port.port,
            protocol: 'TCP',
            appProtocol: port.protocol,
          })),
        },
      });
    }
  }
  return objects;
}
