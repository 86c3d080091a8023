import { readFile } from 'node:fs/promises';
import { MeshctlCommand } from '../cli/base-command.js';
import { outputFlags } from '../cli/output-format.js';
import { writeStdout } from '../cli/stdout.js';

const FORMATS = ['text', 'json'];

export default class Version extends MeshctlCommand {
  static override summary = 'Print meshctl\'s version, the Node.js it runs on, and the commit it was built from.';
  static override examples = ['<%= config.bin %> version', '<%= config.bin %> version -o json'];
  static override flags = {
    ...outputFlags(FORMATS, 'text'),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Version);
    const output = this.outputChoice(flags, { formats: FORMATS, defaultFormat: 'text', destination: 'none' });
    const info = {
      version: this.config.version,
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      build: { commit: await buildCommit(this.config.root) },
    };
    if (output.format === 'json') await writeStdout(`${JSON.stringify(info, null, 2)}\n`);
    else await writeStdout(`meshctl ${info.version} (commit ${info.build.commit}) node ${info.node} ${info.platform}\n`);
  }
}

/** The commit `npm run build` recorded; "unknown" when meshctl was built another way. */
async function buildCommit(root: string): Promise<string> {
  try {
    const info = JSON.parse(await readFile(`${root}/dist/build-info.json`, 'utf8')) as { commit?: unknown };
    return typeof info.commit === 'string' ? info.commit : 'unknown';
  } catch {
    return 'unknown';
  }
}
