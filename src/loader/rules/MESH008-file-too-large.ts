import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH008',
  name: 'file-too-large',
  level: 'error',
  category: 'load',
  description: 'A file or a line is larger than meshctl accepts, to bound memory and time on hostile input.',
  messages: { fileSize: 'the file is {size} bytes, over the limit of {limit} bytes: split the mesh into several files', lineLength: 'line is {length} characters long, over the limit of {limit}' },
});
