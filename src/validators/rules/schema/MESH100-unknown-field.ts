import { defineRule } from '../../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH100',
  name: 'unknown-field',
  level: 'error',
  category: 'schema',
  description: 'A field that the mesh file format does not have, often a typo.',
  messages: { unknown: 'unknown field "{field}" in {where}{suggestion}' },
});
