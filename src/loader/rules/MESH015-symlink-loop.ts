import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH015',
  name: 'symlink-loop',
  level: 'warning',
  category: 'load',
  description: 'A symbolic link leads back to a directory already read; it is skipped.',
  messages: { loop: 'symbolic link loops back to {target}: skipped' },
});
