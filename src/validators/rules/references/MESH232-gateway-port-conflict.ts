// Gateway listeners that cannot share their port. Istio merges every server on a port of the
// gateway proxy into one Envoy listener, and can only do so when they agree: plain-text HTTP
// servers of one protocol share a port (told apart by Host), and servers that speak TLS (https,
// tls) share one (told apart by SNI). Anything else on a port already taken (http next to https,
// http next to http2, a second tcp server, which has no host name to tell it apart by) is
// dropped: Istio keeps the server it met first and logs the rest as conflicts, so a listener
// silently serves nothing. Istio merges all Gateways that select the same gateway pods, so
// listeners of two Gateways with the same selector are compared too.
import { defineRule } from '../../rule.js';
import { compareStrings } from '../../../diagnostics/types.js';
import type { GatewayNode } from '../../../model/mesh-model.js';
import { referenceTo } from '../../../model/resolve-reference.js';

type Listener = GatewayNode['resource']['spec']['listeners'][number];

interface Taken {
  readonly gateway: GatewayNode;
  readonly index: number;
  readonly listener: Listener;
}

/** Which servers may share a port: TLS-speaking ones together, plain HTTP ones by protocol, tcp never. */
function portClass(protocol: Listener['protocol']): string | undefined {
  if (protocol === 'https' || protocol === 'tls') return 'tls';
  if (protocol === 'tcp') return undefined;
  return protocol;
}

export default defineRule({
  code: 'MESH232',
  name: 'gateway-port-conflict',
  level: 'error',
  category: 'reference',
  description: 'Two gateway listeners on one port whose protocols cannot share it, so Istio drops one of them.',
  messages: {
    protocols:
      'port {port} is already taken by {first} (protocol {firstProtocol}), and Istio serves one kind of traffic per gateway port (https and tls may share one, told apart by SNI): it would drop this {protocol} listener; use another port',
    tcp:
      'port {port} is already taken by {first} (protocol tcp), and a tcp listener has no host name to be told apart by, so Istio would drop this one; use another port, or merge the hosts into one listener',
  },
  check({ model, report }) {
    // Gateways that select the same pods are merged by Istio; group them by their sorted selector.
    const taken = new Map<string, Taken>();
    // In document order, so the listener written later is the one reported.
    const inFileOrder = [...model.gateways].sort((a, b) => compareStrings(a.document.file, b.document.file) || a.document.index - b.document.index);
    for (const gateway of inFileOrder) {
      const selector = JSON.stringify(Object.entries(gateway.resource.spec.selector).sort(([a], [b]) => compareStrings(a, b)));
      gateway.resource.spec.listeners.forEach((listener, index) => {
        const key = `${selector}:${listener.port}`;
        const first = taken.get(key);
        if (!first) {
          taken.set(key, { gateway, index, listener });
          return;
        }
        // A second document of the same gateway is a duplicate name (MESH220), not a second gateway.
        if (first.gateway !== gateway && first.gateway.key === gateway.key) return;
        const firstClass = portClass(first.listener.protocol);
        if (firstClass !== undefined && firstClass === portClass(listener.protocol)) return;
        const where = first.gateway === gateway ? '' : ` of gateway ${referenceTo(first.gateway, gateway.namespace)}`;
        const data = {
          port: listener.port,
          first: `listener ${listenerName(first.listener)}${where}`,
          firstProtocol: first.listener.protocol,
          protocol: listener.protocol,
        };
        report(listener.protocol === 'tcp' && first.listener.protocol === 'tcp' ? 'tcp' : 'protocols', data, gateway.at('spec', 'listeners', index, 'port'), [
          { message: `listener ${listenerName(first.listener)}`, location: first.gateway.at('spec', 'listeners', first.index, 'port') },
        ]);
      });
    }
  },
});

/** The server port name Istio gets: the listener's name, or <protocol>-<port>. */
function listenerName(listener: Listener): string {
  return `"${listener.name ?? `${listener.protocol}-${listener.port}`}"`;
}
