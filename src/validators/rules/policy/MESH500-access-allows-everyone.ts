// An allow rule that matches every request from every caller: once it exists the service's other
// allow rules mean nothing and the mesh's deny-by-default does not apply to it. Services exposed
// through a gateway are meant to be public, so they are not reported. A rule limited to some
// paths, methods, ports or token claims (a public health check, say) is not reported either, nor
// one for principals "*", which still requires a mesh identity.
import { defineRule } from '../../rule.js';
import { matchesEveryRequest } from '../../../model/access-rules.js';

export default defineRule({
  code: 'MESH500',
  name: 'access-allows-everyone',
  level: 'warning',
  category: 'security',
  description: 'An allow rule with no conditions, or only from.anyone, lets every caller make every request to a service that is not exposed.',
  messages: {
    everyone: 'this rule allows every caller, inside the mesh or not, to make any request to "{service}", so its other access rules and the default mean nothing: name the callers in from (services, namespaces, ...), or limit the rule with to',
  },
  check({ model, report }) {
    for (const service of model.services) {
      if ((service.resource.spec.expose ?? []).length > 0) continue;
      service.resource.spec.access?.allow?.forEach((rule, index) => {
        if (!matchesEveryRequest(rule)) return;
        const path = ['spec', 'access', 'allow', index] as const;
        report('everyone', { service: service.key }, rule.from ? service.keyAt(...path, 'from') : service.at(...path));
      });
    }
  },
});
