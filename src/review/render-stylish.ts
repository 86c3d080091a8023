// A review for a terminal: the summary, then each changed resource with its changes, access
// changes (widened in red, narrowed in green), new diagnostics, and the compiled objects that
// changed (names only: `-o markdown` or `json` carry the diffs). Colours follow the
// validate command's: red for what needs attention, yellow for warnings, dim for detail.
import { Chalk } from 'chalk';
import { printable } from '../report/printable.js';
import { objectLabel } from './object-changes.js';
import type { MeshReview, ReviewLocation } from './types.js';

export interface ReviewStylishOptions {
  color: boolean;
  /** Print each changed object's diff too. */
  diffs?: boolean;
}

export function renderReviewStylish(review: MeshReview, options: ReviewStylishOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const lines: string[] = [];
  const revision = (side: MeshReview['base'], fallback: string) => (side.ref !== undefined ? `${side.ref}${side.commit ? ` (${side.commit.slice(0, 7)})` : ''}` : fallback);
  lines.push(chalk.bold(printable(`meshctl review: ${revision(review.base, 'base')} → ${revision(review.head, 'the working tree')}`)));
  lines.push('');
  // A side with errors is not compiled: say why, even when both sides share the errors.
  for (const [side, name] of [[review.base, 'the base'], [review.head, 'the head']] as const) {
    if (side.errorFindings.length === 0) continue;
    const count = side.errorFindings.length;
    lines.push(chalk.underline(`${name} has ${count} ${count === 1 ? 'error' : 'errors'}, so its objects are not compiled or compared`));
    for (const d of side.errorFindings) lines.push(`  ${chalk.dim(`${printable(d.file)}:${d.line}:${d.column}`)}  ${chalk.red('error')}  ${printable(d.message)}  ${chalk.dim(d.code)}`);
    lines.push('');
  }
  if (review.unresolved.length > 0) {
    lines.push(chalk.dim(printable(`not compared: ${review.unresolved.join(', ')}`)));
    lines.push('');
  }
  const { summary } = review;
  if (!summary.changed) {
    lines.push(chalk.green('✔ no change in behaviour'));
    return lines.join('\n') + '\n';
  }
  const where = (location: ReviewLocation | undefined) => (location ? `  ${chalk.dim(printable(`${location.file}:${location.line}${location.side === 'base' ? ' (base)' : ''}`))}` : '');

  for (const entity of review.entities) {
    lines.push(`${chalk.underline(printable(entity.entity))} ${chalk.dim(`${entity.kind}, ${entity.status}`)}`);
    for (const change of entity.changes) {
      const marker = change.risk ? chalk.yellow('⚠') : ' ';
      lines.push(`  ${marker} ${chalk.dim(change.category.padEnd(15))} ${printable(change.message)}${where(change.location)}`);
    }
    lines.push('');
  }
  if (review.access.length > 0) {
    lines.push(chalk.underline('access'));
    for (const change of review.access) {
      const label = change.classification === 'widened' ? chalk.red.bold('widened ') : chalk.green('narrowed');
      lines.push(`  ${label}  ${printable(`${change.scope}: ${change.message}`)}${where(change.location)}`);
    }
    lines.push('');
  }
  if (review.diagnostics.new.length > 0) {
    lines.push(chalk.underline('new diagnostics'));
    for (const d of review.diagnostics.new) {
      const level = d.level === 'error' ? chalk.red('error') : d.level === 'warning' ? chalk.yellow('warning') : chalk.blue('info');
      lines.push(`  ${chalk.dim(`${printable(d.file)}:${d.line}:${d.column}`)}  ${level}  ${printable(d.message)}  ${chalk.dim(d.code)}`);
    }
    lines.push('');
  }
  if (review.objects.length > 0) {
    lines.push(chalk.underline('compiled objects'));
    for (const object of review.objects) {
      const status = object.status === 'added' ? chalk.green('added  ') : object.status === 'removed' ? chalk.red('removed') : chalk.yellow('changed');
      lines.push(`  ${status}  ${printable(objectLabel(object))}`);
      if (options.diffs) for (const line of object.diff.trimEnd().split('\n')) lines.push(`    ${colourDiffLine(printable(line), chalk)}`);
    }
    lines.push('');
  }

  const counts = [
    `${summary.entities.changed} changed, ${summary.entities.added} added, ${summary.entities.removed} removed`,
    `access ${summary.access.widened} widened, ${summary.access.narrowed} narrowed`,
    `${summary.diagnostics.new} new ${summary.diagnostics.new === 1 ? 'diagnostic' : 'diagnostics'}`,
    summary.objects.compared ? `${summary.objects.added + summary.objects.changed + summary.objects.removed} objects differ` : 'objects not compared (a side has errors)',
  ].join('; ');
  if (summary.risky) {
    lines.push(chalk.red.bold(`⚠ risky: ${counts}`));
    for (const risk of summary.risks) lines.push(chalk.red(`  - ${printable(risk)}`));
  } else {
    lines.push(chalk.bold(`✔ ${counts}`));
  }
  return lines.join('\n') + '\n';
}

function colourDiffLine(line: string, chalk: InstanceType<typeof Chalk>): string {
  if (line.startsWith('+++') || line.startsWith('---')) return chalk.bold(line);
  if (line.startsWith('+')) return chalk.green(line);
  if (line.startsWith('-')) return chalk.red(line);
  if (line.startsWith('@@')) return chalk.cyan(line);
  return line;
}
