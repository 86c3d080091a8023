// Finds exposures that name a gateway the mesh does not declare. The compiled VirtualService would
// be bound to a Gateway that does not exist, and Istio drops it: the service is not reachable from
// outside, with no error anywhere.
import { defineRule } from '../../rule.js';
import { resolveGateway } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH205',
  name: 'unresolved-gateway',
  level: 'error',
  category: 'reference',
  description: 'An exposure that names a gateway the mesh does not declare.',
  messages: {
    unresolved: 'gateway "{ref}" is not declared in namespace {namespace}{hint}',
    malformed: 'gateway "{ref}" is not a gateway reference: write "name" for a gateway in the same namespace or "namespace/name"',
  },
  check(context) {
    for (const service of context.model.services) {
      service.resource.spec.expose?.forEach((exposure, e) => {
        const ref = exposure.gateway;
        const resolution = resolveGateway(context.model, ref, service.namespace);
        const location = service.at('spec', 'expose', e, 'gateway');
        if (resolution.status === 'malformed') context.report('malformed', { ref }, location);
        else if (resolution.status === 'missing') {
          const namespace = ref.includes('/') ? ref.slice(0, ref.indexOf('/')) : service.namespace;
          context.report('unresolved', { ref, namespace, hint: resolution.hint() || '; declare it with a Gateway document' }, location);
        }
      });
    }
  },
});
