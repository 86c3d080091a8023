// Access rules naming a namespace the mesh files know nothing about, in from.namespaces, a
// "namespace/name" service account or a principal of this mesh's trust domain. Usually a typo,
// which makes the rule match nobody; a real namespace outside the mesh files (monitoring,
// istio-system) is declared under the Mesh's spec.namespaces to say it is meant.
import { defineRule } from '../../rule.js';
import { didYouMean } from '../../../common/suggest.js';
import type { PathSegment } from '../../../diagnostics/types.js';
import { accessRules } from '../../../model/access-rules.js';
import { parsePrincipal } from '../../../model/access-syntax.js';
import { isKnownNamespace } from './access-sources.js';

export default defineRule({
  code: 'MESH503',
  name: 'unknown-access-namespace',
  level: 'warning',
  category: 'security',
  description: 'An access rule names a namespace that holds no mesh document and is not declared in the Mesh.',
  messages: {
    unknown: '{what} names namespace "{namespace}", which no mesh document uses and the Mesh does not declare, so the rule matches nobody there: if it exists outside these files, declare it under the Mesh\'s spec.namespaces{suggestion}',
  },
  check({ model, report }) {
    const trustDomain = model.settings.trustDomain;
    for (const service of model.services) {
      for (const { rule, path } of accessRules(service)) {
        const check = (namespace: string, what: string, ...at: PathSegment[]) => {
          if (namespace.includes('*') || isKnownNamespace(model, namespace)) return;
          report('unknown', { what, namespace, suggestion: didYouMean(namespace, [...model.namespaces].sort()) }, service.at(...path, 'from', ...at));
        };
        rule.from?.namespaces?.forEach((namespace, index) => check(namespace, 'this rule', 'namespaces', index));
        rule.from?.serviceAccounts?.forEach((account, index) => {
          const parts = account.split('/');
          if (parts.length === 2 && parts[0]) check(parts[0], `service account "${account}"`, 'serviceAccounts', index);
        });
        rule.from?.principals?.forEach((text, index) => {
          const parsed = parsePrincipal(text);
          if (!('principal' in parsed) || parsed.principal.kind === 'any') return;
          const { trustDomain: domain, namespace } = parsed.principal;
          if (domain === trustDomain && namespace) check(namespace, `principal "${text}"`, 'principals', index);
        });
      }
    }
  },
});
