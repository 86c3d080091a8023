// A Kubernetes Service for each service with VM workloads, as Istio's VM documentation registers
// them: it selects the VMs' WorkloadEntries (which carry the service's workload labels) and the
// service's pods alike, and gives the service's host a cluster IP. A ServiceEntry without
// addresses would not: Istio then builds every TCP port of the host as a wildcard listener
// (0.0.0.0:<port>) in every proxy, which takes every connection to that port, whatever its
// destination (IST0134). Ports keep their names and say their protocol in `appProtocol`, which
// Istio reads before the name.
import type { KubernetesObject } from '../../../output/manifest.js';
import { portName } from '../../../model/names.js';
import { compiledName } from '../compiled-names.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import type { ServicePortT } from '../../../schema/resources.js';
import { workloadLabels } from '../../../model/workload-identity.js';
import { API, objectMeta } from '../common.js';
import { sortedRecord } from '../../../common/sorted-record.js';

const APP_PROTOCOL: Record<ServicePortT['protocol'], string> = { http: 'http', http2: 'http2', grpc: 'grpc', tcp: 'tcp', tls: 'tls' };

export function compileVmServices(model: MeshModel): KubernetesObject[] {
  return model.services.filter((service) => (service.resource.spec.vms?.length ?? 0) > 0).map(vmService);
}

function vmService(service: ServiceNode): KubernetesObject {
  return {
    apiVersion: API.core,
    kind: 'Service',
    metadata: objectMeta(service, compiledName.vmKubernetesService(service.name), service.namespace),
    spec: {
      selector: sortedRecord(workloadLabels(service)),
      ports: service.resource.spec.ports.map((port) => ({
        name: portName(port),
        port: port.port,
        targetPort: port.targetPort ?? port.port,
        protocol: 'TCP',
        appProtocol: APP_PROTOCOL[port.protocol],
      })),
    },
  };
}
