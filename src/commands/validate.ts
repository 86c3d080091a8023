import { Args, Flags } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { EXIT, EXIT_CODES_HELP } from '../cli/exit-codes.js';
import { shouldColor } from '../cli/color.js';
import type { ValidationResult } from '../validators/validate.js';
import { writeStdout } from '../cli/stdout.js';
import { outputFlags } from '../cli/output-format.js';
import { DEFAULT_TARGET, REGISTERED_TARGETS, TARGET_NAMES, rulesOf } from '../targets/index.js';

const FORMATS = ['stylish', 'json', 'sarif', 'github'];

export default class Validate extends MeshctlCommand {
  static override summary = 'Check mesh files: schema and semantic rules, with file:line:col diagnostics.';
  static override description = `Reads mesh files (*.yaml, *.yml) from the given files and directories (default: the current directory; "-" reads standard input), checks them against the mesh file format and meshctl's semantic rules, and reports every finding at its exact location.

Some rules check what one target writes and run only for that target, as "meshctl compile --target" runs them (${targetRulesList()}). --target names the targets to check for, as CI should for the target it deploys; without it, the target of .meshctl.yaml (else istio) and every target the mesh files configure (an envoy section or service endpoints configure the Envoy target).

${EXIT_CODES_HELP}`;
  static override examples = [
    '<%= config.bin %> validate examples/mesh',
    '<%= config.bin %> validate mesh/ -o sarif --output-file meshctl.sarif',
    '<%= config.bin %> validate mesh/ -o github --max-warnings 0',
    '<%= config.bin %> validate mesh/ --rule MESH503=off --rule shadowed-route=warning',
    '<%= config.bin %> validate mesh/ --changed-since origin/main -o sarif --output-file meshctl.sarif',
    'cat service.yaml | <%= config.bin %> validate -',
  ];
  static override strict = false;
  static override args = {
    // Standard input is read only when "-" is given: never guessed from a pipe that may be empty.
    paths: Args.string({ description: 'files or directories to check; "-" for standard input', required: false, ignoreStdin: true }),
  };
  static override flags = {
    ...outputFlags(FORMATS, 'stylish'),
    'output-file': Flags.string({ summary: 'Write the report to this file (atomically) instead of standard output.', helpValue: 'FILE' }),
    target: Flags.string({
      char: 't',
      summary: `Check for this target: its own rules run (repeatable; default: the target of .meshctl.yaml, else ${DEFAULT_TARGET}, and every target the mesh files configure).`,
      options: [...TARGET_NAMES],
      multiple: true,
      multipleNonGreedy: true,
    }),
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
    const output = this.outputChoice(flags, { formats: FORMATS, defaultFormat: 'stylish', destination: 'file', targetFlag: '--output-file', target: flags['output-file'] });
    const rules = await this.ruleLevels(flags.rule, argv as string[]);
    const { validate } = await import('../pipeline/index.js');
    const projectTarget = (await this.projectConfig(argv as string[]))?.target;
    const paths = argv as string[];
    const changedSince = flags['changed-since'];
    // The ref is checked before the mesh is read: a typo fails fast.
    const changes = changedSince === undefined ? undefined : await this.changedFiles(changedSince, await this.meshPaths(paths));
    const loaded = await this.loadMeshAt(paths);
    let result = validate(loaded, { rules, ...(flags.target !== undefined ? { targets: flags.target } : {}), ...(projectTarget !== undefined ? { projectTarget } : {}) });
    let notShown: string | undefined;
    if (changes) ({ result, notShown } = changes.restrict(result, [...loaded.sources.keys()], loaded.locations));
    const report = await render(output.format, result, shouldColor(flags.color, process.env, Boolean(process.stdout.isTTY) && !output.target), this.config.version);
    if (output.target) await this.writeFile(output.target, report);
    else await writeStdout(report);
    // Machine formats keep their own shape: the count of hidden findings goes to stderr for them.
    if (notShown) {
      if (output.format === 'stylish' && !output.target) await writeStdout(notShown);
      else process.stderr.write(notShown);
    }

    if (result.fatal) this.exit(EXIT.failure);
    const tooManyWarnings = flags['max-warnings'] !== undefined && result.warningCount > flags['max-warnings'];
    if (tooManyWarnings && output.format === 'stylish') {
      process.stderr.write(`meshctl: ${result.warningCount} ${result.warningCount === 1 ? 'warning exceeds' : 'warnings exceed'} --max-warnings ${flags['max-warnings']}\n`);
    }
    if (result.errorCount > 0 || tooManyWarnings) this.exit(EXIT.findings);
  }

  /** What --changed-since keeps: findings in files changed since the ref; a git problem ends the run in one line. */
  private async changedFiles(ref: string, paths: readonly string[]) {
    const { changedFilesSince, repositoryDirectoryOf, restrictToChangedFiles } = await import('../git/changed-files.js');
    const { files } = await changedFilesSince(ref, repositoryDirectoryOf(paths));
    return {
      restrict: (result: ValidationResult, meshFiles: readonly string[], locations?: ReadonlyMap<string, string>) =>
        restrictToChangedFiles(result, meshFiles, files, ref, locations),
    };
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

/** "envoy: MESH233, MESH234, MESH235", for --help. */
function targetRulesList(): string {
  return REGISTERED_TARGETS.filter((target) => rulesOf(target.name).length > 0)
    .map((target) => `${target.name}: ${rulesOf(target.name).map((rule) => rule.code).join(', ')}`)
    .join('; ');
}
