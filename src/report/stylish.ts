// The default, human format: diagnostics grouped by file, as ESLint's "stylish" formatter does.
import { Chalk } from 'chalk';
import type { Diagnostic, Level } from '../diagnostics/types.js';
import type { ValidationResult } from '../validators/validate.js';
import { printable } from './printable.js';

export interface StylishOptions {
  color: boolean;
}

export function formatStylish(result: ValidationResult, options: StylishOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const levelText: Record<Level, string> = {
    error: chalk.red('error'),
    warning: chalk.yellow('warning'),
    info: chalk.blue('info'),
  };
  const byFile = new Map<string, Diagnostic[]>();
  for (const diagnostic of result.diagnostics) {
    const list = byFile.get(diagnostic.span.file) ?? [];
    list.push(diagnostic);
    byFile.set(diagnostic.span.file, list);
  }
  const lines: string[] = [];
  for (const [file, diagnostics] of byFile) {
    lines.push(chalk.underline(printable(file)));
    const positions = diagnostics.map((d) => `${d.span.line}:${d.span.column}`);
    const width = Math.max(...positions.map((p) => p.length));
    const levelWidth = Math.max(...diagnostics.map((d) => d.level.length));
    diagnostics.forEach((d, i) => {
      const position = positions[i]!.padEnd(width);
      const level = levelText[d.level] + ' '.repeat(levelWidth - d.level.length);
      lines.push(`  ${chalk.dim(position)}  ${level}  ${printable(d.message)}  ${chalk.dim(d.code)}`);
      for (const related of d.related ?? []) {
        lines.push(`  ${' '.repeat(width)}  ${' '.repeat(levelWidth)}  ${chalk.dim(`↳ ${printable(related.message)} (${printable(related.span.file)}:${related.span.line}:${related.span.column})`)}`);
      }
    });
    lines.push('');
  }
  lines.push(summaryLine(result, chalk));
  return lines.join('\n') + '\n';
}

function summaryLine(result: ValidationResult, chalk: InstanceType<typeof Chalk>): string {
  const { errorCount, warningCount, infoCount } = result;
  const total = errorCount + warningCount + infoCount;
  const checked = `${result.documentCount} ${plural(result.documentCount, 'document')} in ${result.fileCount} ${plural(result.fileCount, 'file')}`;
  if (total === 0) return chalk.green(`✔ no problems (${checked})`);
  const parts = [`${errorCount} ${plural(errorCount, 'error')}`, `${warningCount} ${plural(warningCount, 'warning')}`];
  if (infoCount > 0) parts.push(`${infoCount} info`);
  const text = `✖ ${total} ${plural(total, 'problem')} (${parts.join(', ')}) in ${checked}`;
  return errorCount > 0 ? chalk.red.bold(text) : chalk.yellow.bold(text);
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
