// The import report: every finding at its place (file:line:col, or kind/namespace/name for objects
// read from a cluster) with its code, then the share of objects imported whole, per kind.
import { Chalk } from 'chalk';
import { formatPath } from '../diagnostics/types.js';
import type { ImportFinding } from './findings.js';
import type { ImportResult, ObjectOutcome } from './import-mesh.js';
import { compareStrings } from '../diagnostics/types.js';

export function locationText(finding: ImportFinding): string {
  const location = finding.location;
  if ('span' in location) return `${location.span.file}:${location.span.line}:${location.span.column}`;
  return `${location.object}${location.path && location.path.length > 0 ? ` ${formatPath(location.path)}` : ''}`;
}

export interface ImportSummary {
  objects: number;
  whole: number;
  partly: number;
  not: number;
  /** Whole / objects, in percent, one decimal. */
  wholeShare: number;
  byKind: Record<string, { objects: number; whole: number }>;
}

export function summarize(objects: readonly ObjectOutcome[]): ImportSummary {
  const byKind: Record<string, { objects: number; whole: number }> = {};
  for (const object of objects) {
    const entry = (byKind[object.kind] ??= { objects: 0, whole: 0 });
    entry.objects += 1;
    if (object.outcome === 'whole') entry.whole += 1;
  }
  const whole = objects.filter((o) => o.outcome === 'whole').length;
  return {
    objects: objects.length,
    whole,
    partly: objects.filter((o) => o.outcome === 'partly').length,
    not: objects.filter((o) => o.outcome === 'not').length,
    wholeShare: objects.length === 0 ? 100 : Math.round((whole / objects.length) * 1000) / 10,
    byKind: Object.fromEntries(Object.entries(byKind).sort(([a], [b]) => compareStrings(a, b))),
  };
}

export function formatImportReport(result: ImportResult, options: { color: boolean }): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const level = { error: chalk.red('error'), warning: chalk.yellow('warning'), info: chalk.blue('info') };
  const lines: string[] = [];
  for (const finding of result.findings) lines.push(`${locationText(finding)}  ${level[finding.level]}  ${finding.message}  ${chalk.dim(finding.code)}`);
  if (lines.length > 0) lines.push('');
  const summary = summarize(result.objects);
  lines.push(`imported ${summary.whole} of ${summary.objects} objects whole (${summary.wholeShare}%), ${summary.partly} in part, ${summary.not} not at all; ${result.files.length} mesh files`);
  for (const [kind, entry] of Object.entries(summary.byKind)) lines.push(`  ${kind}: ${entry.whole}/${entry.objects} whole`);
  return `${lines.join('\n')}\n`;
}

export function importReportJson(result: ImportResult): string {
  return `${JSON.stringify(
    {
      summary: summarize(result.objects),
      findings: result.findings.map((f) => ({ code: f.code, name: f.name, level: f.level, feature: f.feature, message: f.message, location: locationText(f), object: f.objectKey })),
      objects: result.objects,
      files: result.files.map((f) => f.path),
    },
    null,
    2,
  )}\n`;
}
