// Header names with upper-case letters. They work (header names are case-insensitive), but HTTP/2
// and HTTP/3 send names in lower case, Envoy stores them so, and Istio's own examples and
// analyzers use lower case: writing them the same way keeps configs and logs greppable.
import { defineRule } from '../../rule.js';
import { invalidHeaderCharacter, isModifiableHeader } from '../../../model/header-name.js';
import { headerNameSites } from './sites.js';

export default defineRule({
  code: 'MESH323',
  name: 'header-name-not-lowercase',
  level: 'info',
  category: 'routing',
  description: 'A header name with upper-case letters; header names are case-insensitive and sent in lower case.',
  messages: {
    upperCase: 'header name "{name}" has upper-case letters: header names are case-insensitive and HTTP/2 sends them in lower case; write "{lower}"',
  },
  check(context) {
    for (const site of headerNameSites(context.model)) {
      const name = site.value;
      const lower = name.toLowerCase();
      if (name === lower) continue;
      // Invalid names (MESH322) and forbidden changes (MESH324) get their own message; one is enough.
      if (invalidHeaderCharacter(name.replace(/^:/, '')) !== undefined) continue;
      if ((site.use === 'set' || site.use === 'add' || site.use === 'remove') && !isModifiableHeader(name)) continue;
      const location = site.isKey ? site.node.keyAt(...site.path) : site.node.at(...site.path);
      context.report('upperCase', { name, lower }, location);
    }
  },
});
