import { Flags } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { writeStdout } from '../cli/stdout.js';

export default class Rules extends MeshctlCommand {
  static override summary = 'List the rules meshctl checks, with their codes and default levels.';
  static override examples = ['<%= config.bin %> rules', '<%= config.bin %> rules --format json'];
  static override flags = {
    format: Flags.string({ char: 'f', summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Rules);
    const { RULES } = await import('../validators/rules/index.js');
    const { ruleDocsUrl } = await import('../diagnostics/rule.js');
    if (flags.format === 'json') {
      const rules = RULES.map((r) => ({ code: r.code, name: r.name, level: r.level, category: r.category, description: r.description, docs: ruleDocsUrl(r.code) }));
      await writeStdout(JSON.stringify(rules, null, 2) + '\n');
      return;
    }
    const nameWidth = Math.max(...RULES.map((r) => r.name.length));
    const lines = RULES.map((r) => `${r.code}  ${r.name.padEnd(nameWidth)}  ${r.level.padEnd(7)}  ${r.description}`);
    await writeStdout(`${'CODE'.padEnd(7)}  ${'NAME'.padEnd(nameWidth)}  LEVEL    DESCRIPTION\n${lines.join('\n')}\n`);
  }
}
