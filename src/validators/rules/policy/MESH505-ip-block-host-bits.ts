// A CIDR block whose address has bits set beyond the prefix (10.1.2.3/24). The proxy masks them
// off and matches the whole network 10.1.2.0/24, which is rarely what the author meant: either
// the prefix or the address is a mistake.
import { defineRule } from '../../rule.js';
import { accessRules } from '../../../model/access-rules.js';
import { parseIpBlock } from '../../../model/access-syntax.js';

export default defineRule({
  code: 'MESH505',
  name: 'ip-block-host-bits',
  level: 'warning',
  category: 'security',
  description: 'An access-rule CIDR block with host bits set beyond its prefix matches the whole network, not the address written.',
  messages: {
    hostBits: '"{block}" has host bits set beyond /{prefix}, so it matches the whole network {network}: write {network} if that is meant, or the address alone for one host',
  },
  check({ model, report }) {
    for (const service of model.services) {
      for (const { rule, path } of accessRules(service)) {
        rule.from?.ipBlocks?.forEach((block, index) => {
          const parsed = parseIpBlock(block);
          if (!parsed?.hostBitsSet) return;
          report('hostBits', { block, prefix: parsed.prefixLength, network: parsed.network }, service.at(...path, 'from', 'ipBlocks', index));
        });
      }
    }
  },
});
