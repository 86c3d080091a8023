import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH010',
  name: 'not-a-mapping',
  level: 'error',
  category: 'load',
  description: 'A document is a scalar or a list; every mesh document is a mapping with apiVersion, kind, metadata and spec.',
  messages: { notMapping: 'the document is {type}, not a mapping: a mesh document has apiVersion, kind, metadata and spec' },
});
