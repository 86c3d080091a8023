// Finds exposed hosts that no listener of the gateway serves. Istio binds a VirtualService to a
// gateway only for the hosts the gateway's servers accept; requests for any other host get a 404
// from the gateway, so the exposure does nothing for that host.
import { defineRule } from '../../rule.js';
import { hostsOverlap } from '../../../model/host-match.js';
import { listForMessage, referenceTo, resolveGateway } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH206',
  name: 'unserved-exposed-host',
  level: 'error',
  category: 'reference',
  description: 'An exposed host that no listener of the named gateway serves, so the gateway never routes it to the service.',
  messages: {
    unserved: 'no listener of gateway {gateway} serves host "{host}" (its listeners serve {hosts}); add the host to a listener or expose a host it serves',
  },
  check(context) {
    for (const service of context.model.services) {
      service.resource.spec.expose?.forEach((exposure, e) => {
        const resolution = resolveGateway(context.model, exposure.gateway, service.namespace);
        if (resolution.status !== 'found') return;
        const gateway = resolution.node;
        const listenerHosts = gateway.resource.spec.listeners.flatMap((listener) => listener.hosts);
        exposure.hosts.forEach((host, h) => {
          if (listenerHosts.some((served) => hostsOverlap(host, served))) return;
          context.report(
            'unserved',
            { gateway: referenceTo(gateway, service.namespace), host, hosts: listForMessage([...new Set(listenerHosts)].map((served) => `"${served}"`)) },
            service.at('spec', 'expose', e, 'hosts', h),
            [{ message: `the listeners of gateway ${gateway.key}`, location: gateway.at('spec', 'listeners') }],
          );
        });
      });
    }
  },
});
