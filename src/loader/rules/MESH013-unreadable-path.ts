import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH013',
  name: 'unreadable-path',
  level: 'error',
  category: 'load',
  fatal: true,
  description: 'A path cannot be read (permissions, a broken link, or not a regular file).',
  messages: { unreadable: 'cannot read: {reason}' },
});
