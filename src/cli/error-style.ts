// One error style for every failure meshctl reports, whether meshctl or oclif (a mistyped flag, a
// missing argument) found it: "meshctl: error: <what>" on stderr, further lines indented, and a
// pointer to the help of the command that was run.

/** The lines to print for a usage error; `command` is the command's id when one was found. */
export function formatUsageError(message: string, command?: string): string {
  const lines = message
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^See more help with --help$/i.test(line));
  const [first = 'error', ...rest] = lines;
  const help = command ? `see "meshctl ${command.replaceAll(':', ' ')} --help"` : 'see "meshctl help"';
  return [`meshctl: error: ${lowerFirst(first)}`, ...rest.map((line) => `  ${line}`), `  (${help})`].join('\n') + '\n';
}

/** A warning in the same style: deprecated spellings, notes that do not fail the run. */
export function formatWarning(message: string): string {
  return `meshctl: warning: ${message}\n`;
}

// oclif's messages start with a capital ("Nonexistent flag"); meshctl's never do.
function lowerFirst(text: string): string {
  return /^[A-Z][a-z]/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
