// Who a service's workloads are to the mesh: the Kubernetes service accounts they run as, and so
// the SPIFFE identities their certificates carry. Access rules, the Sidecar's derived dependencies,
// the Envoy target's SAN checks, the graph and review all read identities from here.
import { compareStrings } from '../diagnostics/types.js';
import type { ServiceNode } from './mesh-model.js';

type VirtualMachineSpec = NonNullable<ServiceNode['resource']['spec']['vms']>[number];

/** The service account the service's pods run as: `spec.serviceAccount`, else the service's name. */
export function podServiceAccount(service: ServiceNode): string {
  return service.resource.spec.serviceAccount ?? service.name;
}

/** The service account a VM of the service runs as: its own, else the pods'. */
export function vmServiceAccount(service: ServiceNode, vm: VirtualMachineSpec): string {
  return vm.serviceAccount ?? podServiceAccount(service);
}

/**
 * The Kubernetes service accounts the service's workloads run as: the pods' (`spec.serviceAccount`,
 * default the service's name) and each VM's (its `serviceAccount`, default the pods'). A service
 * whose VMs declare another account therefore has two identities while it migrates: both are its.
 */
export function serviceAccountsOf(service: ServiceNode): string[] {
  const accounts = new Set<string>([podServiceAccount(service)]);
  for (const vm of service.resource.spec.vms ?? []) accounts.add(vmServiceAccount(service, vm));
  return [...accounts].sort(compareStrings);
}

/** A SPIFFE ID: spiffe://<trust domain>/ns/<namespace>/sa/<service account>. */
export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}

/** Every SPIFFE ID the service's workloads present. */
export function spiffeIdsOf(trustDomain: string, service: ServiceNode): string[] {
  return serviceAccountsOf(service).map((account) => spiffeId(trustDomain, service.namespace, account));
}

/** The labels every workload of the service carries (pods and VMs): `spec.selector`, else app: <name>. */
export function workloadLabels(service: ServiceNode): Record<string, string> {
  return { ...(service.resource.spec.selector ?? { app: service.name }) };
}
