// Header changes Envoy refuses: setting, adding or removing a pseudo-header (":path",
// ":authority"...) or `host`. Envoy rejects the route configuration outright. The host and path
// have their own, supported ways to change: rewrite.authority and rewrite.uri / rewrite.prefix.
import { defineRule } from '../../rule.js';
import { isModifiableHeader } from '../../../model/header-name.js';
import { headerNameSites } from './sites.js';

const ALTERNATIVES: Readonly<Record<string, string>> = {
  ':authority': 'use rewrite.authority to change the host',
  host: 'use rewrite.authority to change the host',
  ':path': 'use rewrite.uri or rewrite.prefix to change the path',
};

export default defineRule({
  code: 'MESH324',
  name: 'unmodifiable-header',
  level: 'error',
  category: 'routing',
  description: 'A header change that sets, adds or removes a pseudo-header or host, which Envoy refuses.',
  messages: {
    set: 'the proxy cannot {verb} "{name}": Envoy refuses changes to pseudo-headers and host; {alternative}',
    remove: 'the proxy cannot remove "{name}": Envoy refuses to remove pseudo-headers and host; take it out of this list',
  },
  check(context) {
    for (const site of headerNameSites(context.model)) {
      if (site.use !== 'set' && site.use !== 'add' && site.use !== 'remove') continue;
      const name = site.value;
      if (name === '' || isModifiableHeader(name)) continue;
      const location = site.isKey ? site.node.keyAt(...site.path) : site.node.at(...site.path);
      if (site.use === 'remove') context.report('remove', { name }, location);
      else context.report('set', { name, verb: site.use, alternative: ALTERNATIVES[name.toLowerCase()] ?? 'remove it' }, location);
    }
  },
});
