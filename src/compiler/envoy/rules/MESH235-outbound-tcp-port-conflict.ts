// Finds TCP and TLS dependencies an Envoy-target sidecar cannot give a listener. Without traffic
// capture the application reaches such a dependency at 127.0.0.1:<its port>, one listener per
// port. The emitter writes none on a port its sidecar or its application already listens on, and
// of two dependencies on one port the first (by namespace/name) keeps it: the others are left
// unreachable. The ports and their order are the emitter's own (reservedPorts), so the rule cannot
// drift from what is compiled. A service calling itself on its own port is no conflict: the
// application reaches itself there. Runs when the mesh is compiled or validated for the Envoy
// target: Istio tells such dependencies apart by their addresses.
import { reservedPorts, type ReservedPort } from '../settings.js';
import { defineRule } from '../../../validators/rule.js';
import type { Location } from '../../../diagnostics/types.js';
import { dependencyResolver } from '../../../plan/dependencies.js';
import { isHttpFamily } from '../../../model/ports.js';
import { portName } from '../../../model/names.js';
import type { Destination, ServiceNode } from '../../../model/mesh-model.js';
import { referenceTo } from '../../../model/resolve-reference.js';
import { workloadSockets, WorkloadFindings, type WorkloadSockets } from './envoy-proxy-ports.js';

interface Taken {
  /** Another dependency's listener, one of the sidecar's own, or the application's socket. */
  readonly by: 'dependency' | 'sidecar' | 'application';
  /** For messages: the dependency's reference, `the admin interface`, the application's port name. */
  readonly what: string;
  readonly location: Location | undefined;
  /** The service port an inbound listener or application socket serves. */
  readonly servicePort?: number;
}

export default defineRule({
  code: 'MESH235',
  name: 'outbound-tcp-port-conflict',
  level: 'warning',
  category: 'reference',
  target: 'envoy',
  description: 'A TCP or TLS dependency whose port an Envoy-target sidecar already uses (another dependency, its own listeners, its application), so the application cannot reach it.',
  messages: {
    dependency:
      '{proxies} cannot reach {dependency} on port {port}: the application reaches TCP dependencies at 127.0.0.1:<port>, and {first} already has 127.0.0.1:{port}, so no listener is written for {dependency}; give one of the two another port',
    proxyPort:
      '{proxies} cannot reach {dependency} on port {port}: the application reaches TCP dependencies at 127.0.0.1:<port>, and {what} of the sidecar already listens on port {port}, so no listener is written for {dependency}; give the sidecar another port',
    application:
      '{proxies} cannot reach {dependency} on port {port}: the application reaches TCP dependencies at 127.0.0.1:<port>, but it listens on port {port} itself (its port "{name}"), so no listener is written for {dependency} and 127.0.0.1:{port} leads back to the application; give port "{name}" a targetPort other than {port}, or {dependency} another port',
  },
  check(context) {
    const { model } = context;
    const dependenciesOf = dependencyResolver(model);
    const findings = new WorkloadFindings();
    for (const service of model.services) {
      const dependencies = dependenciesOf(service);
      for (const workload of workloadSockets(model, service)) {
        // The emitter's order: the ports it reserves first, then each dependency's in turn.
        const taken = new Map<number, Taken>();
        for (const reserved of reservedPorts(service, workload.sidecar)) if (!taken.has(reserved.port)) taken.set(reserved.port, holderOf(reserved, workload));
        for (const dependency of dependencies) {
          dependency.resource.spec.ports.forEach((port, p) => {
            if (isHttpFamily(port)) return;
            const first = taken.get(port.port);
            if (!first) {
              taken.set(port.port, { by: 'dependency', what: referenceTo(dependency, service.namespace), location: dependency.at('spec', 'ports', p, 'port') });
              return;
            }
            // The service's own port, where its inbound listener or (with the sidecar moved
            // elsewhere by inboundPorts) its application already listens: the application
            // reaches itself there and needs no outbound listener.
            if (dependency === service && first.by !== 'dependency' && first.servicePort === port.port) return;
            const name = referenceTo(dependency, service.namespace);
            const location = dependencyLocation(service, dependency, p);
            if (first.by === 'dependency') {
              findings.add('dependency', { dependency: name, port: port.port, first: first.what }, location, [{ message: 'the dependency that keeps the port', location: first.location }], workload.label);
            } else if (first.by === 'sidecar') {
              findings.add('proxyPort', { dependency: name, port: port.port, what: first.what }, location, [{ message: first.what, location: first.location }], workload.label);
            } else {
              findings.add('application', { dependency: name, port: port.port, name: first.what }, location, [{ message: `the application's port "${first.what}"`, location: first.location }], workload.label);
            }
          });
        }
      }
    }
    findings.reportTo(context);
  },
});

/** What holds a port the emitter reserves, with the mesh-file node that set its number. */
function holderOf(reserved: ReservedPort, workload: WorkloadSockets): Taken {
  switch (reserved.by) {
    case 'outbound':
      return { by: 'sidecar', what: workload.outbound.what, location: workload.outbound.location };
    case 'admin':
      return { by: 'sidecar', what: workload.admin.what, location: workload.admin.location };
    case 'inbound': {
      const socket = workload.inbound[reserved.portIndex]!;
      return { by: 'sidecar', what: socket.what, location: socket.location, servicePort: socket.servicePort! };
    }
    case 'application': {
      const socket = workload.applications[reserved.portIndex]!;
      const port = workload.service.resource.spec.ports[reserved.portIndex]!;
      return { by: 'application', what: portName(port), location: socket.location, servicePort: socket.servicePort! };
    }
  }
}

/** Where the caller names the dependency (its dependsOn entry), else the dependency's port. */
function dependencyLocation(service: ServiceNode, dependency: Destination, portIndex: number): Location {
  const index = (service.resource.spec.dependsOn ?? []).findIndex((ref) => refersTo(ref, service.namespace, dependency));
  return index >= 0 ? service.at('spec', 'dependsOn', index) : dependency.at('spec', 'ports', portIndex, 'port');
}

function refersTo(ref: string, fromNamespace: string, dependency: Destination): boolean {
  return (ref.includes('/') ? ref : `${fromNamespace}/${ref}`) === dependency.key;
}
