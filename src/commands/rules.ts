import { MeshctlCommand } from '../cli/base-command.js';
import { writeStdout } from '../cli/stdout.js';
import { outputFlags } from '../cli/output-format.js';

const FORMATS = ['text', 'json'];

export default class Rules extends MeshctlCommand {
  static override summary = 'List the rules meshctl checks, with their codes and default levels.';
  static override description = 'A rule that checks what one target writes says so ("envoy target only", and "target" in JSON): it runs when the mesh is compiled or validated for that target.';
  static override examples = ['<%= config.bin %> rules', '<%= config.bin %> rules -o json'];
  static override flags = {
    ...outputFlags(FORMATS, 'text'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Rules);
    const output = this.outputChoice(flags, { formats: FORMATS, defaultFormat: 'text', destination: 'none' });
    const { RULES } = await import('../targets/rules.js');
    const { ruleDocsUrl } = await import('../diagnostics/rule.js');
    if (output.format === 'json') {
      const rules = RULES.map((r) => ({
        code: r.code,
        name: r.name,
        level: r.level,
        category: r.category,
        ...(r.target !== undefined ? { target: r.target } : {}),
        description: r.description,
        docs: ruleDocsUrl(r.code),
      }));
      await writeStdout(JSON.stringify(rules, null, 2) + '\n');
      return;
    }
    const nameWidth = Math.max(...RULES.map((r) => r.name.length));
    const lines = RULES.map((r) => `${r.code}  ${r.name.padEnd(nameWidth)}  ${r.level.padEnd(7)}  ${r.description}${r.target !== undefined ? ` (${r.target} target only)` : ''}`);
    await writeStdout(`${'CODE'.padEnd(7)}  ${'NAME'.padEnd(nameWidth)}  LEVEL    DESCRIPTION\n${lines.join('\n')}\n`);
  }
}
