import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH003',
  name: 'tab-indentation',
  level: 'error',
  category: 'load',
  description: 'A line is indented with a tab; YAML allows only spaces for indentation.',
  messages: { tab: 'tab character used for indentation: indent with spaces' },
});
