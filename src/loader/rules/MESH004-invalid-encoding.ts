import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH004',
  name: 'invalid-encoding',
  level: 'error',
  category: 'load',
  description: 'The file is not UTF-8 text.',
  messages: { invalidUtf8: 'invalid UTF-8 byte 0x{byte}: mesh files must be UTF-8 text', utf16: 'the file is UTF-16 encoded: save it as UTF-8', binary: 'the file contains NUL bytes: it is binary, not a mesh file' },
});
