// An allow rule that identifies its callers only by IP block on ports where mTLS is strict. Callers
// named by address are usually outside the mesh, and they cannot present a mesh certificate, so
// strict mTLS refuses their plain-text connections before the rule is ever evaluated.
import { defineRule } from '../../rule.js';
import { identityFieldsOf } from '../../../model/access-rules.js';
import { effectiveMtlsModes } from '../../../model/effective-policy.js';

export default defineRule({
  code: 'MESH512',
  name: 'strict-mtls-ip-block-callers',
  level: 'warning',
  category: 'security',
  description: 'An allow rule admits callers by IP block only on ports with strict mTLS, which refuses callers without a mesh certificate.',
  messages: {
    strict: 'this rule admits callers by IP block only, but mTLS is strict on {ports}, so callers outside the mesh are refused before the rule applies: set mtls permissive on the ports they call (spec.mtls.ports), or name mesh callers instead',
  },
  check({ model, report }) {
    for (const service of model.services) {
      service.resource.spec.access?.allow?.forEach((rule, index) => {
        if ((rule.from?.ipBlocks ?? []).length === 0 || identityFieldsOf(rule.from).length > 0) return;
        const modes = effectiveMtlsModes(model, service, rule.to?.ports);
        if (modes.size === 0 || [...modes.values()].some((mode) => mode.value !== 'strict')) return;
        const ports = modes.size === 1 ? `port ${[...modes.keys()][0]}` : `ports ${[...modes.keys()].join(', ')}`;
        const where = [...modes.values()].find((mode) => mode.location)?.location;
        report(
          'strict',
          { ports },
          service.keyAt('spec', 'access', 'allow', index, 'from', 'ipBlocks'),
          where ? [{ message: 'strict mTLS is set here', location: where }] : undefined,
        );
      });
    }
  },
});
