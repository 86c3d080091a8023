// Deny rules that leave nothing to allow: a deny with no conditions refuses every request, and
// denies that match every request some allow rule admits leave those allow rules nothing to let
// through. Deny rules win over allow rules, and once a service has allow rules nothing else is
// allowed, so either way nothing can reach the service.
import { defineRule } from '../../rule.js';
import { matchesEveryRequest, ruleCovers } from '../../../model/access-rules.js';

export default defineRule({
  code: 'MESH501',
  name: 'deny-blocks-every-request',
  level: 'error',
  category: 'security',
  description: 'Deny rules that refuse every request, or every request the allow rules admit: nothing can reach the service.',
  messages: {
    denyAll: 'this deny rule has no condition that narrows it, so it refuses every request and nothing can reach "{service}": add from, to or when conditions, or remove the rule',
    shadowsAllows: 'this deny rule refuses every request the allow rules admit, so nothing can reach "{service}": narrow the deny rule, or widen the allow rules it covers',
  },
  check({ model, report }) {
    for (const service of model.services) {
      const allows = service.resource.spec.access?.allow ?? [];
      const denies = service.resource.spec.access?.deny ?? [];
      const denyAt = (index: number) => service.at('spec', 'access', 'deny', index);
      const denyAll = denies.findIndex(matchesEveryRequest);
      if (denyAll !== -1) {
        report('denyAll', { service: service.key }, denyAt(denyAll));
        continue;
      }
      if (allows.length === 0) continue;
      const coveringDeny = allows.map((allow) => denies.findIndex((deny) => ruleCovers(deny, allow, service.namespace)));
      if (coveringDeny.some((index) => index === -1)) continue;
      const first = Math.min(...coveringDeny);
      report(
        'shadowsAllows',
        { service: service.key },
        denyAt(first),
        allows.map((_, index) => ({
          message: `allow rule ${index + 1}: every request it admits is refused by deny rule ${coveringDeny[index]! + 1}`,
          location: service.at('spec', 'access', 'allow', index),
        })),
      );
    }
  },
});
