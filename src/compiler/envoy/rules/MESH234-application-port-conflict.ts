// Finds an application port that its own sidecar also listens on. The Envoy target's sidecar
// forwards each service port to the application on 127.0.0.1:<targetPort ?? port>, while its
// inbound listener binds <inboundAddress>:<inboundPorts[name] ?? port>: with neither a targetPort
// nor an inboundPorts entry both numbers are the service port, and on Linux 0.0.0.0:P takes
// 127.0.0.1:P too, so whichever of the proxy and the application starts second cannot bind (or,
// worse, the proxy forwards to itself). The same holds for the sidecar's outbound and admin ports
// on 127.0.0.1. An error, as such a sidecar cannot work; it runs only when the mesh is compiled or
// validated for the Envoy target: with Istio the sidecar captures traffic and an application
// rightly listens on its service port.
import { defineRule } from '../../../validators/rule.js';
import { LOCAL_APP_ADDRESS } from '../settings.js';
import { portName } from '../../../model/names.js';
import { listenAddressesOverlap, workloadSockets, WorkloadFindings } from './envoy-proxy-ports.js';

export default defineRule({
  code: 'MESH234',
  name: 'application-port-conflict',
  level: 'error',
  category: 'reference',
  target: 'envoy',
  description: 'An Envoy-target sidecar listening on the port its application listens on (127.0.0.1:<targetPort>), so one of the two cannot bind it.',
  messages: {
    ownInbound:
      'the inbound listener of port "{name}" in {proxies} binds {address}:{port}, which takes 127.0.0.1:{port}, where it forwards to the application: the two cannot both listen; give the port a targetPort (the application\'s own port) or the sidecar an envoy.inboundPorts entry for "{name}"',
    proxyPort:
      '{what} of {proxies} listens on {address}:{port}, which is where the application of port "{name}" listens (127.0.0.1:{port}): the two cannot both listen; give one of them another port',
  },
  check(context) {
    const { model } = context;
    const findings = new WorkloadFindings();
    for (const service of model.services) {
      for (const workload of workloadSockets(model, service)) {
        workload.applications.forEach((application, a) => {
          const name = portName(service.resource.spec.ports[a]!);
          const own = workload.inbound[a]!;
          if (own.port === application.port && listenAddressesOverlap(own.address, LOCAL_APP_ADDRESS)) {
            // An inboundPorts entry that equals the application's port is the mistake to point at.
            const written = own.location !== undefined && JSON.stringify(own.location) !== JSON.stringify(service.at('spec', 'ports', a, 'port'));
            findings.add('ownInbound', { name, address: own.address, port: own.port }, written ? own.location! : application.location!, [], workload.label);
            return;
          }
          for (const socket of [...workload.inbound.filter((_, i) => i !== a), workload.outbound, workload.admin]) {
            if (socket.port !== application.port || !listenAddressesOverlap(socket.address, LOCAL_APP_ADDRESS)) continue;
            findings.add('proxyPort', { what: capitalised(socket.what), address: socket.address, port: socket.port, name }, application.location!, [{ message: socket.what, location: socket.location }], workload.label);
          }
        });
      }
    }
    findings.reportTo(context);
  },
});

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
