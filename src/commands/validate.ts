import { Args, Flags } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { shouldColor } from '../cli/color.js';
import { writeFileAtomically } from '../cli/write-output.js';
import type { ValidationResult } from '../validators/validate.js';
import { writeStdout } from '../cli/stdout.js';

export default class Validate extends MeshctlCommand {
  static override summary = 'Check mesh files: schema and semantic rules, with file:line:col diagnostics.';
  static override description = `Reads mesh files (*.yaml, *.yml) from the given files and directories (default: the current directory; "-" reads standard input), checks them against the mesh file format and meshctl's semantic rules, and reports every finding at its exact location.

${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> validate examples/mesh',
    '<%= config.bin %> validate mesh/ --format sarif --output meshctl.sarif',
    '<%= config.bin %> validate mesh/ --format github --max-warnings 0',
    '<%= config.bin %> validate mesh/ --rule MESH503=off --rule shadowed-route=warning',
    '<%= config.bin %> validate mesh/ --changed-since origin/main --format sarif -o meshctl.sarif',
    'cat service.yaml | <%= config.bin %> validate -',
  ];
  static override strict = false;
  static override args = {
    // Standard input is read only when "-" is given: never guessed from a pipe that may be empty.
    paths: Args.string({ description: 'files or directories to check; "-" for standard input', required: false, ignoreStdin: true }),
  };
  static override flags = {
    format: Flags.string({ char: 'f', summary: 'Output format.', options: ['stylish', 'json', 'sarif', 'github'], default: 'stylish' }),
    output: Flags.string({ char: 'o', summary: 'Write the report to this file instead of standard output.' }),
    rule: Flags.string({ summary: 'Set a rule\'s level: CODE=off|info|warning|error (code or rule name). Repeatable.', multiple: true, multipleNonGreedy: true }),
    'max-warnings': Flags.integer({ summary: 'Exit 1 when there are more warnings than this.', min: 0 }),
    color: Flags.boolean({ summary: 'Colour the stylish output (default: when stdout is a terminal and NO_COLOR is unset).', allowNo: true }),
    'changed-since': Flags.string({
      summary: 'Report only findings in files changed since this git ref: committed since the merge base with it, staged, unstaged or untracked. The whole mesh is still checked, so references resolve.',
      helpValue: 'REF',
    }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Validate);
    const rules = await this.ruleLevels(flags.rule);
    const { validate } = await import('../validators/validate.js');
    const paths = argv as string[];
    const changedSince = flags['changed-since'];
    // The ref is checked before the mesh is read: a typo fails fast.
    const changes = changedSince === undefined ? undefined : await this.changedFiles(changedSince, paths);
    const loaded = await this.loadMeshAt(paths);
    let result = validate(loaded, { rules });
    let notShown: string | undefined;
    if (changes) ({ result, notShown } = changes.restrict(result, [...loaded.sources.keys()], loaded.locations));
    const report = await render(flags.format, result, shouldColor(flags.color, process.env, Boolean(process.stdout.isTTY) && !flags.output), this.config.version);
    if (flags.output) await writeFileAtomically(flags.output, report);
    else await writeStdout(report);
    // Machine formats keep their own shape: the count of hidden findings goes to stderr for them.
    if (notShown) {
      if (flags.format === 'stylish' && !flags.output) await writeStdout(notShown);
      else process.stderr.write(notShown);
    }

    if (result.fatal) this.exit(EXIT.failure);
    const tooManyWarnings = flags['max-warnings'] !== undefined && result.warningCount > flags['max-warnings'];
    if (tooManyWarnings && flags.format === 'stylish') {
      process.stderr.write(`meshctl: ${result.warningCount} ${result.warningCount === 1 ? 'warning exceeds' : 'warnings exceed'} --max-warnings ${flags['max-warnings']}\n`);
    }
    if (result.errorCount > 0 || tooManyWarnings) this.exit(EXIT.findings);
  }

  /** What --changed-since keeps: findings in files changed since the ref; a git problem ends the run in one line. */
  private async changedFiles(ref: string, paths: readonly string[]) {
    const { changedFilesSince, repositoryDirectoryOf, restrictToChangedFiles, ChangedFilesError } = await import('../git/changed-files.js');
    try {
      const { files } = await changedFilesSince(ref, repositoryDirectoryOf(paths));
      return {
        restrict: (result: ValidationResult, meshFiles: readonly string[], locations?: ReadonlyMap<string, string>) =>
          restrictToChangedFiles(result, meshFiles, files, ref, locations),
      };
    } catch (error) {
      if (error instanceof ChangedFilesError) this.fail(error.message);
      throw error;
    }
  }
}

async function render(format: string, result: import('../validators/validate.js').ValidationResult, color: boolean, version: string): Promise<string> {
  switch (format) {
    case 'json':
      return (await import('../report/json.js')).formatJson(result);
    case 'sarif':
      return (await import('../report/sarif.js')).formatSarif(result, { toolVersion: version });
    case 'github':
      return (await import('../report/github.js')).formatGithub(result);
    default:
      return (await import('../report/stylish.js')).formatStylish(result, { color });
  }
}
