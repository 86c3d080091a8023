// Finds two Service/ExternalService documents with the same namespace/name (they share one set of
// names, as they share one host name), and two Gateways with the same namespace/name. References
// resolve to one of them and the other is silently ignored, or both compile to the same objects
// and overwrite each other.
import { defineRule, type RuleContext } from '../../rule.js';
import type { Destination, GatewayNode } from '../../../model/mesh-model.js';

export default defineRule({
  code: 'MESH220',
  name: 'duplicate-name',
  level: 'error',
  category: 'reference',
  description: 'Two services, external services or gateways with the same namespace and name.',
  messages: {
    duplicate: '{kind} {key} is declared more than once; rename this one or merge the two documents',
    sharedName:
      '{kind} {key} has the same namespace and name as {otherKind} {key}; services and external services share their names, rename one of them',
  },
  check(context) {
    const { model } = context;
    for (const node of [...model.services, ...model.externalServices]) {
      report(context, node, model.findDestination(node.name, node.namespace));
    }
    for (const gateway of model.gateways) report(context, gateway, model.findGateway(gateway.name, gateway.namespace));
  },
});

/** Reports every declaration but the one references resolve to. */
function report(context: RuleContext, node: Destination | GatewayNode, winner: Destination | GatewayNode | undefined): void {
  if (!winner || winner === node) return;
  const related = [{ message: `the ${winner.kind} ${winner.key} that references resolve to`, location: winner.at('metadata', 'name') }];
  if (winner.kind === node.kind) context.report('duplicate', { kind: node.kind, key: node.key }, node.at('metadata', 'name'), related);
  else context.report('sharedName', { kind: node.kind, key: node.key, otherKind: winner.kind }, node.at('metadata', 'name'), related);
}
