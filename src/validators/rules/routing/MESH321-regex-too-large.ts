// Regexes that compile to a larger RE2 program than Envoy accepts. Envoy refuses any regex whose
// program size exceeds re2.max_program_size.error_level (100 by default) and with it the whole
// route configuration. The size is meshctl's estimate of C++ RE2's program (see
// src/model/re2-regex.ts): it errs low, so what is reported is too large.
import { defineRule } from '../../../diagnostics/rule.js';
import { checkRe2, ENVOY_MAX_PROGRAM_SIZE } from '../../../model/re2-regex.js';
import { regexSites } from './sites.js';

export default defineRule({
  code: 'MESH321',
  name: 'regex-too-large',
  level: 'error',
  category: 'routing',
  description: 'A regex whose compiled RE2 program exceeds Envoy\'s default limit of 100 instructions, so Envoy rejects the route configuration.',
  messages: {
    tooLarge: 'the {subject} regex compiles to about {size} RE2 instructions, over Envoy\'s limit of {limit}, so Envoy would reject the routes: use ASCII classes such as [a-z0-9-] instead of ., [^/] or \\p{...} (8 or more instructions each) and fewer counted repeats, or split it over several routes',
  },
  check(context) {
    for (const site of regexSites(context.model)) {
      const result = checkRe2(site.value);
      if (result.valid && result.programSize > ENVOY_MAX_PROGRAM_SIZE) {
        context.report('tooLarge', { subject: site.subject, size: result.programSize, limit: ENVOY_MAX_PROGRAM_SIZE }, site.node.at(...site.path));
      }
    }
  },
});
