import { defineRule } from '../../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH105',
  name: 'unsupported-api-version',
  level: 'error',
  category: 'schema',
  description: 'A meshctl document names an apiVersion this meshctl does not read.',
  messages: { unsupported: 'apiVersion "{apiVersion}" is not supported: use meshctl.dev/v1alpha1' },
});
