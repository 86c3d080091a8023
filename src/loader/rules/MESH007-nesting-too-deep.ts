import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH007',
  name: 'nesting-too-deep',
  level: 'error',
  category: 'load',
  description: 'A document nests deeper than any mesh file can, which would only exhaust the parser.',
  messages: { deep: 'the document nests deeper than {limit} levels' },
});
