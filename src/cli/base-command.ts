// The base of every meshctl command: a UserError (anything the user can fix) is reported here, once,
// as "meshctl: error: ..." lines with its exit code; an unexpected failure is reported in one line
// and exits 2 (the run itself failed), never as a stack trace; usage errors keep oclif's message
// and exit 2.
import { Command, Errors } from '@oclif/core';
import type { LevelSetting } from '../diagnostics/types.js';
import { UserError } from '../diagnostics/user-error.js';
import type { LoadedMesh } from '../loader/load-mesh.js';
import type { ProjectConfig } from '../loader/project-config.js';
import { formatUsageError } from './error-style.js';
import { EXIT } from './exit-codes.js';
import { resolveOutput, type OutputChoice, type OutputDestination } from './output-format.js';
import { parseRuleLevels } from './rule-levels.js';

export abstract class MeshctlCommand extends Command {
  /** A usage or I/O problem: one unwrapped line on stderr (scripts grep it), exit 2. */
  protected fail(message: string): never {
    process.stderr.write(`meshctl: error: ${message}\n`);
    this.exit(EXIT.failure);
  }

  /** -o/--output (a format) and the file or directory to write, deprecation warnings printed. */
  protected outputChoice(
    flags: { output?: string; format?: string },
    options: { formats: readonly string[]; defaultFormat: string; destination: OutputDestination; targetFlag?: string; target?: string },
  ): OutputChoice {
    const choice = resolveOutput(flags, options);
    for (const warning of choice.warnings) process.stderr.write(warning);
    return choice;
  }

  /** Writes a report file atomically; a file that cannot be written ends the run in one line. */
  protected async writeFile(file: string, text: string): Promise<void> {
    const { writeFileAtomically } = await import('./write-output.js');
    try {
      await writeFileAtomically(file, text);
    } catch (error) {
      const { code, message } = error as NodeJS.ErrnoException;
      this.fail(`cannot write ${file}: ${code === 'ENOENT' ? 'no such directory' : code === 'EACCES' || code === 'EPERM' ? 'permission denied' : code === 'EISDIR' ? 'is a directory' : message}`);
    }
  }

  private projectConfigs = new Map<string, Promise<ProjectConfig | undefined>>();

  /** The .meshctl.yaml that applies to these paths (found upward from the first), read once. */
  protected async projectConfig(paths: readonly string[]): Promise<ProjectConfig | undefined> {
    const key = paths.join('\0');
    if (!this.projectConfigs.has(key)) {
      this.projectConfigs.set(
        key,
        Promise.all([import('../loader/project-config.js'), import('../targets/index.js')]).then(([{ findProjectConfig }, { TARGET_NAMES }]) =>
          findProjectConfig(paths, process.cwd(), TARGET_NAMES),
        ),
      );
    }
    return this.projectConfigs.get(key)!;
  }

  /**
   * Rule levels: the project configuration's, then the --rule flags over them, every code checked
   * before any file is read.
   */
  protected async ruleLevels(values: readonly string[] | undefined, paths: readonly string[] = []): Promise<Record<string, LevelSetting>> {
    const [{ ruleLevels }, { UnknownRuleError }] = await Promise.all([import('../pipeline/index.js'), import('../validators/validate.js')]);
    const config = await this.projectConfig(paths);
    if (config) {
      try {
        ruleLevels(config.rules);
      } catch (error) {
        if (error instanceof UnknownRuleError) throw new UnknownRuleError(error.message, { location: config.file });
        throw error;
      }
    }
    const levels = { ...config?.rules, ...parseRuleLevels(values ?? []) };
    ruleLevels(levels);
    return levels;
  }

  /** The paths to read: those given, else the project configuration's, else the current directory. */
  protected async meshPaths(paths: readonly string[]): Promise<string[]> {
    if (paths.length > 0) return [...paths];
    return [...((await this.projectConfig(paths))?.paths ?? ['.'])];
  }

  /** The mesh at the command's paths (see meshPaths), skipping what the project configuration ignores. */
  protected async loadMeshAt(paths: readonly string[]): Promise<LoadedMesh> {
    const { loadMesh } = await import('../loader/load-mesh.js');
    const config = await this.projectConfig(paths);
    return loadMesh(await this.meshPaths(paths), config ? { ignore: (absolute) => config.ignores(absolute) } : {});
  }

  /** Each line of a user error on stderr: "meshctl: error: " before each, detail lines (indented) as they are. */
  protected reportUserErrors(errors: readonly UserError[]): void {
    for (const error of errors) {
      for (const line of error.lines()) {
        for (const part of line.split('\n')) process.stderr.write(part.startsWith('  ') ? `${part}\n` : `meshctl: error: ${part}\n`);
      }
    }
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError) return super.catch(error);
    if (error instanceof UserError) {
      this.reportUserErrors([error]);
      this.exit(error.exitCode);
    }
    if (error instanceof Errors.CLIError) {
      // A usage error oclif found (unknown flag, bad option): meshctl's style, not oclif's.
      process.stderr.write(formatUsageError(error.message, this.id));
      this.exit(EXIT.failure);
    }
    process.stderr.write(`meshctl: internal error: ${error.message}\n  (set DEBUG=meshctl to see where)\n`);
    if (process.env.DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exitCode = EXIT.failure;
    this.exit(EXIT.failure);
  }
}
