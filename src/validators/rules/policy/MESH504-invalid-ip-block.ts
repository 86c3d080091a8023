// IP blocks that are neither an address nor a CIDR block. Istio rejects the whole
// AuthorizationPolicy, so every access rule of the service stops applying, not just this one.
import { defineRule } from '../../rule.js';
import { accessRules } from '../../../model/access-rules.js';
import { parseIpBlock } from '../../../model/access-syntax.js';

export default defineRule({
  code: 'MESH504',
  name: 'invalid-ip-block',
  level: 'error',
  category: 'security',
  description: 'An access-rule IP block that is not an IPv4 or IPv6 address or CIDR block.',
  messages: {
    invalid: '"{block}" is not an IP address or CIDR block: write e.g. 10.0.0.0/8, 192.168.1.7 or 2001:db8::/32',
  },
  check({ model, report }) {
    for (const service of model.services) {
      for (const { rule, path } of accessRules(service)) {
        rule.from?.ipBlocks?.forEach((block, index) => {
          if (!parseIpBlock(block)) report('invalid', { block }, service.at(...path, 'from', 'ipBlocks', index));
        });
      }
    }
  },
});
