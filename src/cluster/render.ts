// The change set as people and scripts read it: a unified diff per object under a header
// (kind, namespace/name, created / changed / deleted), a summary line, or the JSON shape.
import { Chalk } from 'chalk';
import { structuredPatch } from 'diff';
import type { KubernetesObject } from '../output/manifest.js';
import { writeYaml } from '../output/yaml-writer.js';
import { APPLYSET_PART_OF_LABEL } from './applyset.js';
import type { FieldConflict } from './errors.js';
import { maskSecretPair, normalizeObject } from './normalize.js';

export type ChangeAction = 'create' | 'change' | 'adopt' | 'delete';

export interface ObjectChange {
  action: ChangeAction;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  /** The object as it is (absent for `create`). */
  before?: KubernetesObject;
  /** The object as it will be: the server's dry-run answer (absent for `delete`). */
  after?: KubernetesObject;
  /** Fields of other managers that this change overrides (only with --force-conflicts). */
  conflicts: FieldConflict[];
  /** What a reader must know about the change beyond the diff (a namespace that gets labels only). */
  note?: string;
}

export interface ChangeSummary {
  created: number;
  changed: number;
  /** Existing objects that join the set (--adopt); always counted by summarize(). */
  adopted?: number;
  unchanged: number;
  deleted: number;
  conflicts: number;
}

export function objectLabel(object: { kind: string; namespace?: string; name: string }): string {
  return `${object.kind} ${object.namespace ? `${object.namespace}/` : ''}${object.name}`;
}

function toYamlSafe(object: KubernetesObject | undefined): string {
  if (!object) return '';
  try {
    return writeYaml(object);
  } catch {
    // A value the YAML writer refuses (a huge float from someone else's field): JSON is YAML too.
    return `${JSON.stringify(object, null, 2)}\n`;
  }
}

/** Normalised, masked YAML of both sides. */
export function changeTexts(change: ObjectChange): [string, string] {
  // The membership label shows only where it changes: an existing object joining the set.
  const membership = (o: KubernetesObject | undefined) => o?.metadata.labels?.[APPLYSET_PART_OF_LABEL];
  const dropMembership = !change.before || !change.after || membership(change.before) === membership(change.after);
  const [before, after] = maskSecretPair(
    change.before && normalizeObject(change.before, { dropMembership }),
    change.after && normalizeObject(change.after, { dropMembership }),
  );
  return [toYamlSafe(before), toYamlSafe(after)];
}

const HEADER_ACTION: Record<ChangeAction, string> = { create: 'created', change: 'changed', adopt: 'adopted', delete: 'deleted' };

/** The unified diff body of one change (no colour, no file headers). */
export function unifiedDiff(change: ObjectChange, context = 3): string {
  const [before, after] = changeTexts(change);
  const patch = structuredPatch('live', 'applied', before, after, '', '', { context });
  const lines: string[] = [];
  for (const hunk of patch.hunks) {
    lines.push(`@@ -${hunk.oldStart},${hunk.oldLines} +${hunk.newStart},${hunk.newLines} @@`);
    for (const line of hunk.lines) if (!line.startsWith('\\')) lines.push(line);
  }
  return lines.length > 0 ? `${lines.join('\n')}\n` : '';
}

export function renderChange(change: ObjectChange, color: boolean): string {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const header = `--- ${objectLabel(change)} (${HEADER_ACTION[change.action]})`;
  const lines = [chalk.bold(header)];
  if (change.note) lines.push(chalk.dim(`    ${change.note}`));
  for (const conflict of change.conflicts) {
    lines.push(chalk.yellow(`    takes over ${conflict.field} from "${conflict.manager}"`));
  }
  for (const line of unifiedDiff(change).split('\n')) {
    if (line === '') continue;
    if (line.startsWith('@@')) lines.push(chalk.cyan(line));
    else if (line.startsWith('+')) lines.push(chalk.green(line));
    else if (line.startsWith('-')) lines.push(chalk.red(line));
    else lines.push(line);
  }
  return `${lines.join('\n')}\n`;
}

export function summarize(changes: readonly ObjectChange[], unchanged: number): ChangeSummary {
  return {
    created: changes.filter((c) => c.action === 'create').length,
    changed: changes.filter((c) => c.action === 'change').length,
    adopted: changes.filter((c) => c.action === 'adopt').length,
    unchanged,
    deleted: changes.filter((c) => c.action === 'delete').length,
    conflicts: changes.reduce((sum, c) => sum + c.conflicts.length, 0),
  };
}

/**
 * `refused`: objects the API server refused in the dry run. They are neither changes nor up to
 * date, so a plan with refusals never reads "no changes".
 */
export function summaryLine(summary: ChangeSummary, refused = 0): string {
  const adopted = summary.adopted ?? 0;
  if (summary.created + summary.changed + adopted + summary.deleted + refused === 0) return `no changes (${summary.unchanged} objects up to date)`;
  const parts = [`${summary.created} created`, `${summary.changed} changed`, ...(adopted > 0 ? [`${adopted} adopted`] : []), `${summary.deleted} deleted`, `${summary.unchanged} unchanged`];
  if (refused > 0) parts.push(`${refused} refused by the API server`);
  if (summary.conflicts > 0) parts.push(`${summary.conflicts} conflicting ${summary.conflicts === 1 ? 'field' : 'fields'}`);
  return parts.join(', ');
}

/** A member the mesh no longer produces that is not pruned, and why. */
export interface KeptJson {
  apiVersion: string;
  kind: string;
  name: string;
  reason: string;
}

/** The line that says a member is left in place instead of pruned. */
export function keptLine(kept: KeptJson): string {
  return `kept ${objectLabel(kept)}: the mesh no longer uses it, but ${kept.reason}; it is not pruned`;
}

export function renderChanges(changes: readonly ObjectChange[], unchanged: number, color: boolean, refused = 0, kept: readonly KeptJson[] = []): string {
  const chalk = new Chalk({ level: color ? 1 : 0 });
  const keptLines = kept.map((entry) => `${chalk.yellow(keptLine(entry))}\n`).join('');
  return changes.map((change) => renderChange(change, color)).join('') + keptLines + `${summaryLine(summarize(changes, unchanged), refused)}\n`;
}

export interface ChangeJson {
  action: ChangeAction;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name: string;
  diff: string;
  conflicts: FieldConflict[];
  note?: string;
}

export function changeToJson(change: ObjectChange): ChangeJson {
  return {
    action: change.action,
    apiVersion: change.apiVersion,
    kind: change.kind,
    ...(change.namespace ? { namespace: change.namespace } : {}),
    name: change.name,
    diff: unifiedDiff(change),
    conflicts: change.conflicts,
    ...(change.note ? { note: change.note } : {}),
  };
}
