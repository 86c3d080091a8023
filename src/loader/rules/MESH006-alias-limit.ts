import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH006',
  name: 'alias-limit',
  level: 'error',
  category: 'load',
  description: 'Anchors and aliases expand beyond the limit, as in an alias bomb (billion laughs).',
  messages: { tooMany: 'YAML aliases expand beyond the limit of {limit}: mesh files may use a few anchors, not an alias bomb' },
});
