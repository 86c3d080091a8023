// A principal of another trust domain than the mesh's. Workloads of this mesh present
// spiffe://<trustDomain>/..., so such a principal only matches callers of a federated mesh; far
// more often it is a typo or a trust domain copied from another cluster.
import { defineRule } from '../../rule.js';
import { accessRules } from '../../../model/access-rules.js';
import { parsePrincipal } from '../../../model/access-syntax.js';

export default defineRule({
  code: 'MESH507',
  name: 'foreign-trust-domain',
  level: 'warning',
  category: 'security',
  description: 'A principal in a trust domain other than the mesh\'s trustDomain matches no workload of this mesh.',
  messages: {
    foreign: 'principal "{principal}" is in trust domain "{domain}", but this mesh\'s workloads are in "{trustDomain}", so it matches none of them: use spiffe://{trustDomain}/..., or set the Mesh\'s trustDomain if "{domain}" is right',
  },
  check({ model, report }) {
    const trustDomain = model.settings.trustDomain;
    for (const service of model.services) {
      for (const { rule, path } of accessRules(service)) {
        rule.from?.principals?.forEach((principal, index) => {
          const parsed = parsePrincipal(principal);
          if (!('principal' in parsed) || parsed.principal.kind === 'any') return;
          const domain = parsed.principal.trustDomain;
          if (domain === undefined || domain === trustDomain) return;
          report('foreign', { principal, domain, trustDomain }, service.at(...path, 'from', 'principals', index));
        });
      }
    }
  },
});
