// A deny rule on JWT claims of a service whose token is optional (authentication.jwt.required:
// false). A request without a token carries no claims, so the deny never matches it: the caller
// escapes the deny simply by sending no token. Allow rules are safe here: without claims they
// admit nothing.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH514',
  name: 'deny-claims-with-optional-jwt',
  level: 'warning',
  category: 'security',
  description: 'A deny rule on JWT claims where the token is optional: requests without a token bypass it.',
  messages: {
    bypass: 'this deny rule matches JWT claims, but tokens are optional for "{service}" (required: false), so a request without a token has no claims and is not refused: set authentication.jwt.required to true so every request must carry a token',
  },
  check({ model, report }) {
    for (const service of model.services) {
      const jwt = service.resource.spec.authentication?.jwt;
      if (!jwt || jwt.required) continue;
      service.resource.spec.access?.deny?.forEach((rule, index) => {
        if (Object.keys(rule.when?.claims ?? {}).length === 0) return;
        report(
          'bypass',
          { service: service.key },
          service.keyAt('spec', 'access', 'deny', index, 'when', 'claims'),
          [{ message: 'the token is optional here', location: service.at('spec', 'authentication', 'jwt', 'required') }],
        );
      });
    }
  },
});
