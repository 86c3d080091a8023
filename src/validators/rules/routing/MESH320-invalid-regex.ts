// Regexes that RE2 does not accept. Envoy runs RE2, not the PCRE or JavaScript engines people test
// their patterns with: lookaround, backreferences and possessive quantifiers are syntax errors
// there, and one bad regex makes Envoy reject the whole route configuration.
import { defineRule } from '../../rule.js';
import { checkRe2 } from '../../../common/re2-regex.js';
import { regexSites } from './sites.js';

export default defineRule({
  code: 'MESH320',
  name: 'invalid-regex',
  level: 'error',
  category: 'routing',
  description: 'A regex (path, header, query, cookie, CORS origin or cohort match) that RE2, the engine Envoy runs, does not accept.',
  messages: {
    invalid: 'the {subject} regex is not valid RE2: {reason}',
  },
  check(context) {
    for (const site of regexSites(context.model)) {
      const result = checkRe2(site.value);
      if (!result.valid) context.report('invalid', { subject: site.subject, reason: result.reason }, site.node.at(...site.path));
    }
  },
});
