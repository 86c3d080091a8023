// The one base of every error a user can fix (a bad flag, a file that cannot be read or written,
// a revision git does not know, a cluster that refuses): thrown where the problem is found, and
// reported once, by the base command, as "meshctl: error: <message>" lines and its exit code,
// never as a stack trace. Anything else that is thrown is an internal error.

/** The exit code of a run that failed (not of findings, which exit 1). */
export const USER_ERROR_EXIT_CODE = 2;

export class UserError extends Error {
  /** Where the problem is: `file:line:col`, a file, or a flag such as `--request-timeout 5x`. */
  readonly location?: string;
  readonly exitCode: number;

  constructor(message: string, options: { location?: string; exitCode?: number; cause?: unknown } = {}) {
    super(message, options.cause !== undefined ? { cause: options.cause } : undefined);
    this.name = new.target.name;
    if (options.location !== undefined) this.location = options.location;
    this.exitCode = options.exitCode ?? USER_ERROR_EXIT_CODE;
  }

  /** What the user reads: one line, or a first line with indented detail lines below it. */
  lines(): string[] {
    return [this.location !== undefined ? `${this.location}: ${this.message}` : this.message];
  }
}
