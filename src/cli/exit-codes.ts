// The exit codes of every meshctl command, in one table (documented in the README and --help).
export const EXIT = {
  /** Clean: nothing at error level, and warnings within --max-warnings. */
  ok: 0,
  /** Findings at error level, or more warnings than --max-warnings allows. */
  findings: 1,
  /** Usage, I/O or internal error: the run itself failed. */
  failure: 2,
} as const;

export const EXIT_CODES_HELP = `EXIT CODES
  0  no errors (warnings allowed unless --max-warnings is exceeded)
  1  findings at error level, or too many warnings
  2  usage error, unreadable input, or internal error`;
