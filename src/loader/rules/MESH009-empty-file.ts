import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH009',
  name: 'empty-file',
  level: 'error',
  category: 'load',
  description: 'A mesh file holds no document: only whitespace or comments.',
  messages: { empty: 'the file holds no mesh document' },
});
