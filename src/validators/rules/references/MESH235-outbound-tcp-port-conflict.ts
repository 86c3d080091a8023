// Finds TCP and TLS dependencies an Envoy-target sidecar cannot give a listener. Without traffic
// capture the application reaches such a dependency at 127.0.0.1:<its port>, one listener per
// port, so two dependencies on one port cannot both have one: the emitter keeps the first (by
// namespace/name) and silently writes none for the other, as it does when the port is one the
// sidecar already listens on. A listener it does write on the application's own port clashes with
// the application. Only for meshes that use the Envoy target: Istio tells such dependencies apart
// by their addresses.
import { defineRule } from '../../../diagnostics/rule.js';
import type { Location } from '../../../diagnostics/types.js';
import { dependencyResolver } from '../../../compiler/istio/security/dependencies.js';
import { isHttpFamily } from '../../../compiler/istio/traffic/destinations.js';
import { portName } from '../../../model/compiled-names.js';
import type { Destination, ServiceNode } from '../../../model/mesh-model.js';
import { referenceTo } from '../../../model/resolve-reference.js';
import { envoyTargetInUse, workloadSockets, WorkloadFindings } from './envoy-proxy-ports.js';

interface Taken {
  /** Another dependency's listener, or one of the sidecar's own. */
  readonly by: 'dependency' | 'sidecar';
  /** For messages: the dependency's reference, or `the admin interface`. */
  readonly what: string;
  readonly location: Location | undefined;
  /** The service port of this workload's own inbound listener, when that is what takes the port. */
  readonly ownServicePort?: number;
}

export default defineRule({
  code: 'MESH235',
  name: 'outbound-tcp-port-conflict',
  level: 'warning',
  category: 'reference',
  description: 'A TCP or TLS dependency whose port an Envoy-target sidecar already uses (another dependency, its own listeners, its application), so the application cannot reach it.',
  messages: {
    dependency:
      '{proxies} cannot reach {dependency} on port {port}: the application reaches TCP dependencies at 127.0.0.1:<port>, and {first} already has 127.0.0.1:{port}, so no listener is written for {dependency}; give one of the two another port',
    proxyPort:
      '{proxies} cannot reach {dependency} on port {port}: the application reaches TCP dependencies at 127.0.0.1:<port>, and {what} of the sidecar already listens on port {port}, so no listener is written for {dependency}; give the sidecar another port',
    application:
      'the outbound listener for {dependency} in {proxies} binds 127.0.0.1:{port}, where the application of port "{name}" listens: the two cannot both listen; give that port a targetPort',
  },
  check(context) {
    const { model } = context;
    if (!envoyTargetInUse(model)) return;
    const dependenciesOf = dependencyResolver(model);
    const findings = new WorkloadFindings();
    for (const service of model.services) {
      const dependencies = dependenciesOf(service);
      for (const workload of workloadSockets(model, service)) {
        // The emitter's order: the sidecar's own ports first, then each dependency's in turn.
        const taken = new Map<number, Taken>();
        for (const socket of [workload.outbound, workload.admin]) if (!taken.has(socket.port)) taken.set(socket.port, { by: 'sidecar', what: socket.what, location: socket.location });
        for (const socket of workload.inbound) if (!taken.has(socket.port)) taken.set(socket.port, { by: 'sidecar', what: socket.what, location: socket.location, ownServicePort: socket.servicePort! });
        for (const dependency of dependencies) {
          dependency.resource.spec.ports.forEach((port, p) => {
            if (isHttpFamily(port)) return;
            const name = referenceTo(dependency, service.namespace);
            const location = dependencyLocation(service, dependency, p);
            const first = taken.get(port.port);
            if (first) {
              // A service's own port, already served by its inbound listener, needs no second listener.
              if (dependency === service && first.ownServicePort === port.port) return;
              if (first.by === 'dependency') {
                findings.add('dependency', { dependency: name, port: port.port, first: first.what }, location, [{ message: 'the dependency that keeps the port', location: first.location }], workload.label);
              } else {
                findings.add('proxyPort', { dependency: name, port: port.port, what: first.what }, location, [{ message: first.what, location: first.location }], workload.label);
              }
              return;
            }
            taken.set(port.port, { by: 'dependency', what: name, location: dependency.at('spec', 'ports', p, 'port') });
            workload.applications.forEach((application, a) => {
              if (application.port !== port.port) return;
              findings.add('application', { dependency: name, port: port.port, name: portName(service.resource.spec.ports[a]!) }, application.location!, [{ message: `the port of ${name}`, location: dependency.at('spec', 'ports', p, 'port') }], workload.label);
            });
          });
        }
      }
    }
    findings.reportTo(context);
  },
});

/** Where the caller names the dependency (its dependsOn entry), else the dependency's port. */
function dependencyLocation(service: ServiceNode, dependency: Destination, portIndex: number): Location {
  const index = (service.resource.spec.dependsOn ?? []).findIndex((ref) => refersTo(ref, service.namespace, dependency));
  return index >= 0 ? service.at('spec', 'dependsOn', index) : dependency.at('spec', 'ports', portIndex, 'port');
}

function refersTo(ref: string, fromNamespace: string, dependency: Destination): boolean {
  return (ref.includes('/') ? ref : `${fromNamespace}/${ref}`) === dependency.key;
}
