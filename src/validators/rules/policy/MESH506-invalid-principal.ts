// Principals that can never equal a workload identity: not a SPIFFE ID
// (spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>), missing the spiffe:// scheme, or
// with a "*" that is not a whole prefix or suffix (Istio supports no other wildcard).
import { defineRule } from '../../rule.js';
import { accessRules } from '../../../model/access-rules.js';
import { parsePrincipal, withSpiffeScheme } from '../../../model/access-syntax.js';

export default defineRule({
  code: 'MESH506',
  name: 'invalid-principal',
  level: 'error',
  category: 'security',
  description: 'A principal that is not a SPIFFE ID spiffe://<trust-domain>/ns/<namespace>/sa/<account>, "*", or one with a "*" prefix or suffix wildcard.',
  messages: {
    shape: 'principal "{principal}" is not a SPIFFE ID, so it matches no caller: write spiffe://{trustDomain}/ns/<namespace>/sa/<service-account>',
    scheme: 'principal "{principal}" lacks the spiffe:// scheme: write "{fixed}"',
    wildcard: 'principal "{principal}" uses "*" inside the value, but only a single "*" at the start or the end is supported: e.g. spiffe://{trustDomain}/ns/<namespace>/sa/*',
  },
  check({ model, report }) {
    const trustDomain = model.settings.trustDomain;
    for (const service of model.services) {
      for (const { rule, path } of accessRules(service)) {
        rule.from?.principals?.forEach((principal, index) => {
          const parsed = parsePrincipal(principal);
          if (!('problem' in parsed)) return;
          const at = service.at(...path, 'from', 'principals', index);
          if (parsed.problem === 'scheme') report('scheme', { principal, fixed: withSpiffeScheme(principal) }, at);
          else report(parsed.problem, { principal, trustDomain }, at);
        });
      }
    }
  },
});
