// The base of every meshctl command: an unexpected failure is reported in one line and exits 2
// (the run itself failed), never as a stack trace; usage errors keep oclif's message and exit 2.
import { Command, Errors } from '@oclif/core';
import { EXIT } from './exit-codes.js';

export abstract class MeshctlCommand extends Command {
  /** A usage or I/O problem: one unwrapped line on stderr (scripts grep it), exit 2. */
  protected fail(message: string): never {
    process.stderr.write(`meshctl: error: ${message}\n`);
    this.exit(EXIT.failure);
  }

  protected override async catch(error: Error & { exitCode?: number; oclif?: { exit?: number } }): Promise<unknown> {
    if (error instanceof Errors.ExitError || error.oclif?.exit !== undefined) return super.catch(error);
    if (error instanceof Errors.CLIError) return super.catch(error);
    process.stderr.write(`meshctl: internal error: ${error.message}\n  (set DEBUG=meshctl to see where)\n`);
    if (process.env.DEBUG) process.stderr.write(`${error.stack}\n`);
    process.exitCode = EXIT.failure;
    this.exit(EXIT.failure);
  }
}
