import { defineRule } from '../../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH101',
  name: 'wrong-type',
  level: 'error',
  category: 'schema',
  description: 'A field holds the wrong type of value.',
  messages: { type: '{field} must be {expected}, not {received}' },
});
