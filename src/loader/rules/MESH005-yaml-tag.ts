import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH005',
  name: 'yaml-tag',
  level: 'error',
  category: 'load',
  description: 'A YAML tag (!something) is used; mesh files are plain data, and tags are never resolved or executed.',
  messages: { tag: 'YAML tag {tag} is not allowed in mesh files: remove it and write the plain value' },
});
