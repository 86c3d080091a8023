// GitHub Actions workflow commands: each diagnostic becomes an annotation on the pull request.
import type { ValidationResult } from '../validators/validate.js';
import { printable } from './printable.js';

const COMMAND: Record<string, string> = { error: 'error', warning: 'warning', info: 'notice' };

export function formatGithub(result: ValidationResult): string {
  const lines = result.diagnostics.map((d) => {
    const properties = [
      `file=${escapeProperty(d.span.file)}`,
      `line=${d.span.line}`,
      `col=${d.span.column}`,
      `endLine=${d.span.endLine}`,
      `endColumn=${d.span.endColumn}`,
      `title=${escapeProperty(`meshctl ${d.code}`)}`,
    ].join(',');
    return `::${COMMAND[d.level]} ${properties}::${escapeData(d.message)}`;
  });
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}

// Escaping as the runner's toolkit does it (actions/toolkit, command.ts), after every control
// character is made visible: the log shows the annotation's text, and a raw escape sequence in it
// would reach whoever reads the log in a terminal.
export function escapeData(text: string): string {
  return printable(text).replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(text: string): string {
  return escapeData(text).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
