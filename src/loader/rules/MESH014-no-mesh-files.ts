import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH014',
  name: 'no-mesh-files',
  level: 'error',
  category: 'load',
  fatal: true,
  description: 'The paths given hold no mesh file (*.yaml or *.yml).',
  messages: { none: 'no mesh files (*.yaml, *.yml) found here' },
});
