// Finds dependsOn entries that add nothing: the service itself, or a service already listed
// (perhaps once as "name" and once as "namespace/name"). They are harmless to the proxy but
// mislead a reviewer about what the service calls.
import { defineRule } from '../../rule.js';
import { referenceTo, resolveDestination } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH207',
  name: 'redundant-dependency',
  level: 'warning',
  category: 'reference',
  description: 'A dependsOn entry that names the service itself or repeats an earlier entry.',
  messages: {
    self: 'dependsOn names this service itself, which meshctl always lets a service reach; remove the entry',
    repeated: 'dependsOn lists {service} twice; remove this entry',
  },
  check(context) {
    for (const service of context.model.services) {
      const seen = new Map<string, number>();
      service.resource.spec.dependsOn?.forEach((ref, d) => {
        const resolution = resolveDestination(context.model, ref, service.namespace);
        if (resolution.status !== 'found') return;
        const target = resolution.node;
        if (target.key === service.key && target.kind === 'Service') {
          context.report('self', {}, service.at('spec', 'dependsOn', d));
          return;
        }
        const earlier = seen.get(target.key);
        if (earlier === undefined) seen.set(target.key, d);
        else context.report('repeated', { service: referenceTo(target, service.namespace) }, service.at('spec', 'dependsOn', d), [{ message: 'the earlier entry', location: service.at('spec', 'dependsOn', earlier) }]);
      });
    }
  },
});
