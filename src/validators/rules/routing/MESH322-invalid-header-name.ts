// Header names that no request or response can carry: empty, with characters outside RFC 9110's
// token set (spaces, colons, slashes, non-ASCII), or a pseudo-header that does not exist. A match
// on such a name never matches, a key on it is always empty, and Envoy rejects the configuration
// where it validates names. Pseudo-headers that the proxy may not change are MESH324's finding.
import { defineRule } from '../../rule.js';
import { describeCharacter, invalidHeaderCharacter, isPseudoHeader, REQUEST_PSEUDO_HEADERS } from '../../../model/header-name.js';
import { headerNameSites } from './sites.js';

export default defineRule({
  code: 'MESH322',
  name: 'invalid-header-name',
  level: 'error',
  category: 'routing',
  description: 'A header name that is empty, is not an HTTP token (RFC 9110), or is a pseudo-header that requests do not have.',
  messages: {
    empty: 'the header name is empty: write the name of a header, e.g. x-user-id',
    character: 'header name "{name}" contains {character}, which header names cannot: use letters, digits and !#$%&\'*+-.^_`|~ only',
    unknownPseudo: '"{name}" is not a pseudo-header requests have: the request pseudo-headers are {known}',
    pseudoInCors: '"{name}" is a pseudo-header, which browsers never send or read: list ordinary header names only',
  },
  check(context) {
    for (const site of headerNameSites(context.model)) {
      const location = site.isKey ? site.node.keyAt(...site.path) : site.node.at(...site.path);
      const name = site.value;
      if (name === '') {
        context.report('empty', {}, location);
      } else if (isPseudoHeader(name)) {
        // Setting or removing any pseudo-header is MESH324's finding.
        if (site.use === 'set' || site.use === 'add' || site.use === 'remove') continue;
        if (site.use === 'cors') context.report('pseudoInCors', { name }, location);
        else if (!REQUEST_PSEUDO_HEADERS.includes(name.toLowerCase())) context.report('unknownPseudo', { name, known: REQUEST_PSEUDO_HEADERS.join(', ') }, location);
        else {
          const character = invalidHeaderCharacter(name.slice(1));
          if (character !== undefined) context.report('character', { name, character: describeCharacter(character) }, location);
        }
      } else if (!(site.use === 'cors' && name === '*')) {
        const character = invalidHeaderCharacter(name);
        if (character !== undefined) context.report('character', { name, character: describeCharacter(character) }, location);
      }
    }
  },
});
