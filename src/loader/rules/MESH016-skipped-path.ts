import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH016',
  name: 'skipped-path',
  level: 'info',
  category: 'load',
  description: "A directory search skipped meshctl's own output or another tool's YAML file.",
  messages: {
    output: 'skipped: output of "meshctl compile" (it holds {marker}), not mesh files',
    otherTool: "skipped: a {tool} file, not a mesh file (no document says apiVersion: meshctl.dev/...); name it on the command line to check it anyway",
    ignored: 'skipped: matches the ignore pattern "{pattern}" of {config}',
  },
});
