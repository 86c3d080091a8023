// Access rules naming callers that do not exist: a service that is not in the mesh, an external
// service (it never calls into the mesh, so it has no identity to match), or a service account
// that is not "name" or "namespace/name". The rule then admits or refuses no one it was meant to.
import { defineRule } from '../../rule.js';
import { didYouMean } from '../../../common/suggest.js';
import { accessRules } from '../../../model/access-rules.js';
import { serviceCandidates } from './access-sources.js';

const K8S_NAME = /^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/;

export default defineRule({
  code: 'MESH502',
  name: 'unresolved-access-source',
  level: 'error',
  category: 'security',
  description: 'An access rule names a calling service that the mesh does not declare, an external service, or a malformed service account.',
  messages: {
    unknownService: 'service "{ref}" is not declared in the mesh, so this rule matches no caller{suggestion}',
    externalService: '"{ref}" is an external service: it does not call into the mesh, so it has no identity to match; name the mesh services that call it instead',
    malformedAccount: 'service account "{account}" is not "name" or "namespace/name" with lower-case DNS names: write e.g. "web" or "shop/web"',
  },
  check({ model, report }) {
    for (const service of model.services) {
      for (const { rule, path } of accessRules(service)) {
        rule.from?.services?.forEach((ref, index) => {
          if (model.findService(ref, service.namespace) || model.isKnownInvalid(ref, service.namespace)) return;
          const at = service.at(...path, 'from', 'services', index);
          if (model.findDestination(ref, service.namespace)) {
            report('externalService', { ref }, at);
            return;
          }
          report('unknownService', { ref, suggestion: didYouMean(ref, serviceCandidates(model, ref, service.namespace)) }, at);
        });
        rule.from?.serviceAccounts?.forEach((account, index) => {
          const parts = account.split('/');
          if (parts.length <= 2 && parts.every((part) => K8S_NAME.test(part))) return;
          report('malformedAccount', { account }, service.at(...path, 'from', 'serviceAccounts', index));
        });
      }
    }
  },
});
