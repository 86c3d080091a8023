import { defineRule } from '../../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH104',
  name: 'unknown-kind',
  level: 'error',
  category: 'schema',
  description: 'A document of the mesh apiVersion has a kind meshctl does not know.',
  messages: { unknown: 'unknown kind "{kind}": mesh documents are Mesh, Service, ExternalService or Gateway{suggestion}' },
});
