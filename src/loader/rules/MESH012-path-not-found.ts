import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH012',
  name: 'path-not-found',
  level: 'error',
  category: 'load',
  fatal: true,
  description: 'A path given on the command line does not exist.',
  messages: { missing: 'no such file or directory' },
});
