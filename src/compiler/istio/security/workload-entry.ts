// WorkloadEntry: one per VM of a service, the VM's proxy as a workload of the mesh. Its labels
// are the VM's labels plus the service's workload labels; the workload labels win a conflict, as
// they are what the service's ServiceEntry and every policy select the VM by. The identity is
// the VM's service account (default: the service's `serviceAccount`, else its name), which access
// rules naming the service admit as well.
import type { KubernetesObject } from '../../../output/manifest.js';
import { compiledName } from '../compiled-names.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import { workloadLabels } from '../../../model/workload-identity.js';
import { API, objectMeta } from '../common.js';
import { vmServiceAccount } from './workload.js';
import { sortedRecord } from '../../../common/sorted-record.js';

export function compileWorkloadEntries(model: MeshModel): KubernetesObject[] {
  return model.services.flatMap((service) => (service.resource.spec.vms ?? []).map((_, index) => workloadEntry(service, index)));
}

function workloadEntry(service: ServiceNode, index: number): KubernetesObject {
  const vm = service.resource.spec.vms![index]!;
  return {
    apiVersion: API.networking,
    kind: 'WorkloadEntry',
    metadata: objectMeta(service, compiledName.workloadEntry(service.name, index), service.namespace),
    spec: {
      address: vm.address,
      labels: sortedRecord({ ...vm.labels, ...workloadLabels(service) }),
      serviceAccount: vmServiceAccount(service, vm),
      ...(vm.network !== undefined ? { network: vm.network } : {}),
      ...(vm.locality !== undefined ? { locality: vm.locality } : {}),
    },
  };
}
