// JWT-claim conditions on a service that validates no JWT: without authentication.jwt no token is
// ever verified, so no request carries claims. An allow rule with claims then admits nobody, and a
// deny rule with claims refuses nobody.
import { defineRule } from '../../rule.js';
import { accessRules } from '../../../model/access-rules.js';

export default defineRule({
  code: 'MESH510',
  name: 'claims-without-jwt',
  level: 'error',
  category: 'security',
  description: 'An access rule with JWT claim conditions on a service without authentication.jwt: no request ever carries the claims.',
  messages: {
    allow: 'this rule requires JWT claims, but "{service}" validates no JWT (no authentication.jwt), so no request has claims and the rule admits nobody: add authentication.jwt with the providers that issue the token',
    deny: 'this rule matches JWT claims, but "{service}" validates no JWT (no authentication.jwt), so no request has claims and the rule refuses nobody: add authentication.jwt with the providers that issue the token',
  },
  check({ model, report }) {
    for (const service of model.services) {
      if (service.resource.spec.authentication?.jwt) continue;
      for (const { action, rule, path } of accessRules(service)) {
        if (Object.keys(rule.when?.claims ?? {}).length === 0) continue;
        report(action, { service: service.key }, service.keyAt(...path, 'when', 'claims'));
      }
    }
  },
});
