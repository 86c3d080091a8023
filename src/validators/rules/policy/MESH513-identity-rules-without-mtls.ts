// Access rules that name callers by identity (services, service accounts, namespaces, principals)
// on ports where mTLS is disabled. Those identities come from the caller's mTLS certificate; over
// plain text there is none, so an allow rule admits nobody and a deny rule refuses nobody.
import { defineRule } from '../../rule.js';
import { accessRules, identityFieldsOf } from '../../../model/access-rules.js';
import { effectiveMtlsModes } from '../../../model/effective-policy.js';

export default defineRule({
  code: 'MESH513',
  name: 'identity-rules-without-mtls',
  level: 'error',
  category: 'security',
  description: 'An access rule names callers by identity on ports where mTLS is disabled, so no caller has an identity to match.',
  messages: {
    allow: 'this rule names callers by {fields}, which come from mTLS certificates, but mTLS is disabled on {ports}, so it admits nobody: enable mTLS (permissive or strict), or admit callers by ipBlocks',
    deny: 'this rule names callers by {fields}, which come from mTLS certificates, but mTLS is disabled on {ports}, so it refuses nobody: enable mTLS (permissive or strict), or refuse callers by ipBlocks',
  },
  check({ model, report }) {
    for (const service of model.services) {
      for (const { action, rule, path } of accessRules(service)) {
        const fields = identityFieldsOf(rule.from);
        if (fields.length === 0) continue;
        const modes = effectiveMtlsModes(model, service, rule.to?.ports);
        if (modes.size === 0 || [...modes.values()].some((mode) => mode.value !== 'disabled')) continue;
        const ports = modes.size === 1 ? `port ${[...modes.keys()][0]}` : `ports ${[...modes.keys()].join(', ')}`;
        const where = [...modes.values()].find((mode) => mode.location)?.location;
        report(
          action,
          { fields: fields.join(', '), ports },
          service.keyAt(...path, 'from', fields[0]!),
          where ? [{ message: 'mTLS is disabled here', location: where }] : undefined,
        );
      }
    }
  },
});
