import { Args, Flags } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { EXIT } from '../cli/exit-codes.js';
import { shouldColor } from '../cli/color.js';
import { writeStdout } from '../cli/stdout.js';
import { writeFileAtomically } from '../cli/write-output.js';

export default class Graph extends MeshctlCommand {
  static override summary = 'Draw the service graph: services and versions, who may call whom, traffic splits, external services, VMs and ingress.';
  static override description = `Validates the mesh first: a mesh with errors is refused with the same diagnostics as "meshctl validate" (exit 1), and nothing is written.

Formats: mermaid (a flowchart for GitHub and GitLab Markdown: wrap it in a \`\`\`mermaid fence), dot (Graphviz: meshctl graph --format dot | dot -Tsvg > mesh.svg) and json (nodes and edges for scripts). Output is deterministic.

Access is drawn from the access rules and the effective namespace and mesh defaults: a service that lists allow rules has one edge per caller they name; a service without allow rules in an allow-by-default namespace has one dashed edge from "any caller"; a deny-by-default one without allow rules has none.

EXIT CODES
  0  drawn
  1  the mesh has errors; nothing was written
  2  usage error, unreadable input, or internal error`;
  static override examples = [
    '<%= config.bin %> graph examples/mesh',
    '<%= config.bin %> graph examples/mesh --format dot | dot -Tsvg > mesh.svg',
    '<%= config.bin %> graph mesh/ --format json -o graph.json',
  ];
  static override strict = false;
  static override args = {
    paths: Args.string({ description: 'files or directories of the mesh; "-" for standard input', required: false, ignoreStdin: true }),
  };
  static override flags = {
    format: Flags.string({ char: 'f', summary: 'Output format.', options: ['mermaid', 'dot', 'json'], default: 'mermaid' }),
    output: Flags.string({ char: 'o', summary: 'Write the graph to this file instead of standard output.' }),
    rule: Flags.string({ summary: 'Set a rule\'s level: CODE=off|info|warning|error. Repeatable.', multiple: true, multipleNonGreedy: true }),
    color: Flags.boolean({ summary: 'Colour diagnostics.', allowNo: true }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Graph);
    const rules = await this.ruleLevels(flags.rule);
    const [{ validate }, { formatStylish }, graph] = await Promise.all([
      import('../validators/validate.js'),
      import('../report/stylish.js'),
      import('../graph/index.js'),
    ]);
    const result = validate(await this.loadMeshAt(argv as string[]), { rules });
    if (result.diagnostics.length > 0) {
      // Diagnostics go to stderr: stdout carries only the graph.
      process.stderr.write(formatStylish(result, { color: shouldColor(flags.color, process.env, Boolean(process.stderr.isTTY)) }));
    }
    if (result.fatal) this.exit(EXIT.failure);
    if (result.errorCount > 0) this.exit(EXIT.findings);

    const built = graph.buildServiceGraph(result.model);
    const text = flags.format === 'dot' ? graph.renderDot(built) : flags.format === 'json' ? graph.renderGraphJson(built) : graph.renderMermaid(built);
    if (flags.output) await writeFileAtomically(flags.output, text);
    else await writeStdout(text);
  }
}
