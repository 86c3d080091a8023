// Finds access rules whose `to.ports` name a port the service does not have. The rule compiles to
// an AuthorizationPolicy condition no request can meet: an allow rule that never allows, or a deny
// rule that never denies, which reads as protection that is not there.
import { defineRule } from '../../rule.js';
import { listForMessage } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH203',
  name: 'unexposed-access-port',
  level: 'warning',
  category: 'reference',
  description: 'An access rule that names a port the service does not have, so it never applies.',
  messages: {
    unexposed: 'port {port} is not a port of this service, so this {list} rule never applies to it; use one of its ports: {ports}',
    targetPort: 'port {port} is the targetPort of port {servicePort}; access rules name the service\'s ports, write {servicePort}',
  },
  check(context) {
    for (const service of context.model.services) {
      const ports = service.resource.spec.ports;
      const access = service.resource.spec.access;
      for (const list of ['allow', 'deny'] as const) {
        access?.[list]?.forEach((rule, r) => {
          rule.to?.ports?.forEach((port, p) => {
            if (ports.some((candidate) => candidate.port === port)) return;
            const location = service.at('spec', 'access', list, r, 'to', 'ports', p);
            const byTarget = ports.find((candidate) => candidate.targetPort === port);
            if (byTarget) context.report('targetPort', { port, servicePort: byTarget.port }, location);
            else context.report('unexposed', { port, list, ports: listForMessage(ports.map((candidate) => candidate.port)) }, location);
          });
        });
      }
    }
  },
});
