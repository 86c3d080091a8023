import { defineRule } from '../../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH102',
  name: 'missing-field',
  level: 'error',
  category: 'schema',
  description: 'A required field is missing.',
  messages: { missing: 'missing required field "{field}" in {where}' },
});
