// What the security emitters need to know about a service's workloads: the labels that select
// them (sorted, so selectors render the same whatever order the mesh file wrote), the ports their
// proxies see, and the mTLS identities (SPIFFE principals) they present.
import { compareStrings } from '../../../diagnostics/types.js';
import type { ServiceNode } from '../../../model/mesh-model.js';
import type { ServicePortT } from '../../../schema/resources.js';
import { workloadLabels } from '../../../model/workload-identity.js';
import { workloadPortOf } from '../../../plan/access.js';
import { sortedRecord } from '../../../common/sorted-record.js';

/** A copy of a user-written map with its keys in a stable order. */

/** `selector.matchLabels` of AuthorizationPolicy, PeerAuthentication, RequestAuthentication, Telemetry. */
export function policySelector(service: ServiceNode): { matchLabels: Record<string, string> } {
  return { matchLabels: sortedRecord(workloadLabels(service)) };
}

/** `workloadSelector.labels` of Sidecar and ServiceEntry. */
export function workloadSelector(service: ServiceNode): { labels: Record<string, string> } {
  return { labels: sortedRecord(workloadLabels(service)) };
}

/**
 * The port a request reaches the workload's proxy on. Inbound policy (AuthorizationPolicy
 * `ports`, PeerAuthentication `portLevelMtls`) is matched by Envoy on the inbound listener, which
 * sees the workload's port (`targetPort`), not the Service's. A number that is not a port of the
 * service is kept as written (the validator reports it).
 */
export function workloadPort(service: ServiceNode, port: number): number {
  return workloadPortOf(service, port);
}

const L7_PROTOCOLS: ReadonlySet<ServicePortT['protocol']> = new Set(['http', 'http2', 'grpc']);

/** Whether Istio builds an HTTP filter chain for the port (so HTTP attributes exist on it). */
export function isHttpPort(port: Pick<ServicePortT, 'protocol'>): boolean {
  return L7_PROTOCOLS.has(port.protocol);
}

/** The workload ports of the service's HTTP ports, ascending and without repeats. */
export function httpWorkloadPorts(service: ServiceNode): number[] {
  const ports = service.resource.spec.ports.filter(isHttpPort).map((port) => port.targetPort ?? port.port);
  return [...new Set(ports)].sort((a, b) => a - b);
}

export { podServiceAccount, serviceAccountsOf, vmServiceAccount } from '../../../model/workload-identity.js';

/** A SPIFFE identity in the form AuthorizationPolicy `principals` takes: without `spiffe://`. */
export function istioPrincipal(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}
