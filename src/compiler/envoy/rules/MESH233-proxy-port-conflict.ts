// Finds two listening sockets of one Envoy-target proxy on the same port and overlapping addresses:
// a sidecar's inbound listeners (on the mesh's inboundAddress), its outbound HTTP listener and its
// admin interface (both on 127.0.0.1), and a gateway's listeners next to its admin interface. Envoy
// cannot bind both, so the proxy does not start. Runs when the mesh is compiled or validated for the
// Envoy target (`target: 'envoy'`): the Istio target ignores these ports.
import { defineRule } from '../../../validators/rule.js';
import { DEFAULT_ADMIN_PORT, DEFAULT_INBOUND_ADDRESS, LOOPBACK } from '../settings.js';
import { listenAddressesOverlap, meshEnvoyField, workloadSockets, WorkloadFindings, type BoundSocket } from './envoy-proxy-ports.js';

export default defineRule({
  code: 'MESH233',
  name: 'proxy-port-conflict',
  level: 'error',
  category: 'reference',
  target: 'envoy',
  description: 'Two listeners of one Envoy-target proxy (inbound, outbound, admin, gateway listener) on the same port and address, so the proxy cannot start.',
  messages: {
    sidecar:
      '{what} of {proxies} would listen on {address}:{port}, where {other} already listens ({otherAddress}:{port}); Envoy cannot bind both: give one of them another port',
    gateway:
      'this listener would bind {address}:{port}, where the gateway\'s admin interface listens (127.0.0.1:{port}); Envoy cannot bind both: use another port, or set spec.envoy.adminPort',
  },
  check(context) {
    const { model } = context;
    const findings = new WorkloadFindings();
    for (const service of model.services) {
      for (const workload of workloadSockets(model, service)) {
        const sockets: BoundSocket[] = [...workload.inbound, workload.outbound, workload.admin];
        sockets.forEach((socket, s) => {
          const earlier = sockets.slice(0, s).find((other) => other.port === socket.port && listenAddressesOverlap(other.address, socket.address));
          if (!earlier) return;
          // Point at a number someone wrote: the later one, else the earlier one.
          const [here, there] = socket.location ? [socket, earlier] : [earlier, socket];
          if (!here.location) return;
          findings.add(
            'sidecar',
            { what: capitalised(here.what), address: here.address, port: here.port, other: there.what, otherAddress: there.address },
            here.location,
            [{ message: there.what, location: there.location }],
            workload.label,
          );
        });
      }
    }
    findings.reportTo(context);

    for (const gateway of model.gateways) {
      const envoy = gateway.resource.spec.envoy;
      const address = envoy?.address ?? DEFAULT_INBOUND_ADDRESS;
      if (!listenAddressesOverlap(address, LOOPBACK)) continue;
      const adminPort = envoy?.adminPort ?? model.settings.envoy?.adminPort ?? DEFAULT_ADMIN_PORT;
      const adminLocation = envoy?.adminPort !== undefined ? gateway.at('spec', 'envoy', 'adminPort') : meshEnvoyField(model, 'adminPort');
      gateway.resource.spec.listeners.forEach((listener, l) => {
        if (listener.port !== adminPort) return;
        context.report('gateway', { address, port: listener.port }, gateway.at('spec', 'listeners', l, 'port'), adminLocation ? [{ message: 'the admin port', location: adminLocation }] : undefined);
      });
    }
  },
});

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
