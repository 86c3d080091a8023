// A service under deny-by-default (from its namespace or the mesh) with no allow rule: every
// request to it is refused, including from gateways and its own callers. Sometimes a service is
// parked on purpose, but far more often its allow rules were forgotten.
import { defineRule } from '../../rule.js';
import { effectiveAccessDefault } from '../../../model/effective-policy.js';

export default defineRule({
  code: 'MESH511',
  name: 'deny-by-default-without-allow',
  level: 'warning',
  category: 'security',
  description: 'A service under deny-by-default with no allow rule: nothing can call it.',
  messages: {
    noAllow: '"{service}" is deny-by-default ({layer}) and has no allow rule, so nothing can call it: add spec.access.allow rules naming its callers',
  },
  check({ model, report }) {
    for (const service of model.services) {
      const access = effectiveAccessDefault(model, service.namespace);
      if (access.value !== 'deny-by-default' || (service.resource.spec.access?.allow ?? []).length > 0) continue;
      const layer = access.layer === 'namespace' ? `set for namespace ${service.namespace}` : 'set for the mesh';
      const at = service.resource.spec.access ? service.keyAt('spec', 'access') : service.at('metadata', 'name');
      report('noAllow', { service: service.key, layer }, at, access.location ? [{ message: 'deny-by-default is set here', location: access.location }] : undefined);
    }
  },
});
