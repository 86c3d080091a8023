import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH001',
  name: 'yaml-syntax',
  level: 'error',
  category: 'load',
  description: 'The file is not valid YAML.',
  messages: { syntax: 'YAML syntax error: {detail}' },
});
