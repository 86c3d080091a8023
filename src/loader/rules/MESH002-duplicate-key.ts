import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH002',
  name: 'duplicate-key',
  level: 'error',
  category: 'load',
  description: 'A mapping repeats a key; YAML parsers disagree on which value wins, so meshctl refuses it.',
  messages: { duplicate: 'duplicate key "{key}": each key may appear once in a mapping' },
});
