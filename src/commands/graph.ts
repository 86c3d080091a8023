import { Args, Flags } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { EXIT } from '../cli/exit-codes.js';
import { shouldColor } from '../cli/color.js';
import { writeStdout } from '../cli/stdout.js';
import { outputFlags } from '../cli/output-format.js';

const FORMATS = ['mermaid', 'dot', 'json'];

export default class Graph extends MeshctlCommand {
  static override summary = 'Draw the service graph: services and versions, who may call whom, traffic splits, external services, VMs and ingress.';
  static override description = `Validates the mesh first: a mesh with errors is refused with the same diagnostics as "meshctl validate" (exit 1), and nothing is written.

Formats: mermaid (a flowchart for GitHub and GitLab Markdown: wrap it in a \`\`\`mermaid fence), dot (Graphviz: meshctl graph -o dot | dot -Tsvg > mesh.svg) and json (nodes and edges for scripts). Output is deterministic.

Access is drawn from the access rules and the effective namespace and mesh defaults: a service that lists allow rules has one edge per caller they name; a service without allow rules in an allow-by-default namespace has one dashed edge from "any caller"; a deny-by-default one without allow rules has none. A caller that also calls the service (dependsOn), or a gateway that exposes it, is joined to it by that one edge, which says what the rules allow or deny: green where they allow, red where they deny. A gateway is drawn as the caller where rules name its service account. Cohort edges say who is in the cohort; a version nothing sends traffic to is left out.

EXIT CODES
  0  drawn
  1  the mesh has errors; nothing was written
  2  usage error, unreadable input, or internal error`;
  static override examples = [
    '<%= config.bin %> graph examples/mesh',
    '<%= config.bin %> graph examples/mesh -o dot | dot -Tsvg > mesh.svg',
    '<%= config.bin %> graph mesh/ -o json --output-file graph.json',
  ];
  static override strict = false;
  static override args = {
    paths: Args.string({ description: 'files or directories of the mesh; "-" for standard input', required: false, ignoreStdin: true }),
  };
  static override flags = {
    ...outputFlags(FORMATS, 'mermaid'),
    'output-file': Flags.string({ summary: 'Write the graph to this file (atomically) instead of standard output.', helpValue: 'FILE' }),
    rule: Flags.string({ summary: 'Set a rule\'s level: CODE=off|info|warning|error. Repeatable.', multiple: true, multipleNonGreedy: true }),
    color: Flags.boolean({ summary: 'Colour diagnostics.', allowNo: true }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Graph);
    const output = this.outputChoice(flags, { formats: FORMATS, defaultFormat: 'mermaid', destination: 'file', targetFlag: '--output-file', target: flags['output-file'] });
    const rules = await this.ruleLevels(flags.rule, argv as string[]);
    const [{ validate }, { formatStylish }, graph] = await Promise.all([
      import('../pipeline/index.js'),
      import('../report/stylish.js'),
      import('../graph/index.js'),
    ]);
    // Target-neutral rules only: the graph is drawn from the model, not from a target's output.
    const result = validate(await this.loadMeshAt(argv as string[]), { rules, targets: [] });
    if (result.diagnostics.length > 0) {
      // Diagnostics go to stderr: stdout carries only the graph.
      process.stderr.write(formatStylish(result, { color: shouldColor(flags.color, process.env, Boolean(process.stderr.isTTY)) }));
    }
    if (result.fatal) this.exit(EXIT.failure);
    if (result.errorCount > 0) this.exit(EXIT.findings);

    const built = graph.buildServiceGraph(result.model);
    const text = output.format === 'dot' ? graph.renderDot(built) : output.format === 'json' ? graph.renderGraphJson(built) : graph.renderMermaid(built);
    if (output.target) await this.writeFile(output.target, text);
    else await writeStdout(text);
  }
}
