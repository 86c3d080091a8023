import { defineRule } from '../../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH103',
  name: 'invalid-value',
  level: 'error',
  category: 'schema',
  description: 'A field has a value outside what the format allows.',
  messages: { invalid: '{field}: {detail}' },
});
