// Finds a port number or port name declared twice in one service or external service, and a
// listener name used twice in one gateway. Port-level settings, endpoint ports and gateway servers
// are keyed by them, so a repeat makes every reference to it ambiguous (Istio rejects repeated
// ServiceEntry ports and gateway server names outright).
import { defineRule, type RuleContext } from '../../../diagnostics/rule.js';
import { portName } from '../../../model/names.js';
import type { Destination } from '../../../model/mesh-model.js';

export default defineRule({
  code: 'MESH222',
  name: 'duplicate-port',
  level: 'error',
  category: 'reference',
  description: 'A port number or port name declared twice in one service, or a listener name used twice in one gateway.',
  messages: {
    number: 'port {port} is declared twice in this {kind}; merge the two entries or use another port',
    name: 'port name "{name}" is used twice in this {kind}{implicit}; give each port its own name',
    listener: 'listener name "{name}" is used twice in this gateway; give each listener its own name',
  },
  check(context) {
    for (const node of [...context.model.services, ...context.model.externalServices]) checkPorts(context, node);
    for (const gateway of context.model.gateways) {
      const names = new Map<string, number>();
      gateway.resource.spec.listeners.forEach((listener, l) => {
        if (listener.name === undefined) return;
        const earlier = names.get(listener.name);
        if (earlier === undefined) names.set(listener.name, l);
        else context.report('listener', { name: listener.name }, gateway.at('spec', 'listeners', l, 'name'), [{ message: 'the listener that uses it first', location: gateway.at('spec', 'listeners', earlier, 'name') }]);
      });
    }
  },
});

function checkPorts(context: RuleContext, node: Destination): void {
  const kind = node.kind === 'Service' ? 'service' : 'external service';
  const numbers = new Map<number, number>();
  const names = new Map<string, number>();
  node.resource.spec.ports.forEach((port, p) => {
    const earlierNumber = numbers.get(port.port);
    if (earlierNumber !== undefined) {
      // The repeated number is the problem; the clash of default names it causes is the same one.
      context.report('number', { port: port.port, kind }, node.at('spec', 'ports', p, 'port'), [{ message: 'the first declaration', location: node.at('spec', 'ports', earlierNumber, 'port') }]);
      return;
    }
    numbers.set(port.port, p);
    const name = portName(port);
    const earlierName = names.get(name);
    if (earlierName === undefined) {
      names.set(name, p);
      return;
    }
    const implicit = port.name === undefined ? ` (the default name of ${port.protocol} port ${port.port})` : '';
    context.report('name', { name, kind, implicit }, node.at('spec', 'ports', p, port.name === undefined ? 'port' : 'name'), [
      { message: 'the port that uses it first', location: node.at('spec', 'ports', earlierName, node.resource.spec.ports[earlierName]?.name === undefined ? 'port' : 'name') },
    ]);
  });
}
