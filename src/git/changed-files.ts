// The files a change touches, for `meshctl validate --changed-since <ref>`: what was committed
// since the branch left <ref> (the merge base, as a pull request's diff counts it), plus what is
// staged, unstaged and untracked now. Reading only, like every git call meshctl makes.
import { UserError } from '../diagnostics/user-error.js';
import { promises as fs, realpathSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Level } from '../diagnostics/types.js';
import { findRule } from '../targets/rules.js';
import type { ValidationResult } from '../validators/validate.js';
import { explainMissingRevision, gitAt, gitMessage } from './repository.js';

/** A problem that ends the run: one line saying what is wrong and how to fix it. */
export class ChangedFilesError extends UserError {}

export interface ChangedFiles {
  /** The top directory of the working tree, symbolic links resolved. */
  readonly root: string;
  /** The commit the change is measured from. */
  readonly mergeBase: string;
  /** Absolute paths (symbolic links of the root resolved) of every changed, added or untracked file. */
  readonly files: ReadonlySet<string>;
}

export async function changedFilesSince(ref: string, directory: string): Promise<ChangedFiles> {
  if (ref.trim() === '' || ref.startsWith('-')) throw new ChangedFilesError(`--changed-since "${ref}" is not a git revision`);
  const root = await repositoryRoot(directory);
  const git = gitAt(root);
  const shallow = (await git.raw(['rev-parse', '--is-shallow-repository']).catch(() => 'false')).trim() === 'true';

  const commit = await git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${ref}^{commit}`]).then(
    (text) => text.trim(),
    () => '',
  );
  if (!/^[0-9a-f]{40,64}$/.test(commit)) throw new ChangedFilesError(await explainMissingRevision({ root, git }, ref, `--changed-since ${ref}: ref`));

  let mergeBase = '';
  try {
    mergeBase = (await git.raw(['merge-base', '--end-of-options', commit, 'HEAD'])).trim();
  } catch (error) {
    const text = gitMessage(error);
    if (/ambiguous argument 'HEAD'|unknown revision|bad revision|Not a valid object name HEAD/i.test(text)) {
      throw new ChangedFilesError(`--changed-since ${ref}: this repository has no commit yet (HEAD)`);
    }
  }
  // git merge-base exits 1 without a word when the histories share no commit (simple-git then
  // resolves with nothing): in a shallow clone, the shared history was not fetched.
  if (!/^[0-9a-f]{40,64}$/.test(mergeBase)) {
    if (shallow) {
      throw new ChangedFilesError(`--changed-since ${ref}: no common ancestor with HEAD in this shallow clone; deepen it, e.g. git fetch --deepen=100 (or git fetch --unshallow)`);
    }
    throw new ChangedFilesError(`--changed-since ${ref}: ${ref} and HEAD have no common ancestor`);
  }

  const split = (text: string) => text.split('\0').filter((entry) => entry !== '');
  // The working tree against the merge base: committed, staged and unstaged changes in one list.
  // --no-renames lists a moved file under its new name (and its old one, gone now).
  const changed = split(await git.raw(['diff', '--name-only', '-z', '--no-renames', '--no-ext-diff', '--no-textconv', mergeBase, '--']));
  const untracked = split(await git.raw(['ls-files', '--others', '--exclude-standard', '-z', '--full-name']));
  const files = new Set([...changed, ...untracked].map((file) => path.join(root, ...file.split('/'))));
  return { root, mergeBase, files };
}

async function repositoryRoot(directory: string): Promise<string> {
  let real: string;
  try {
    real = await fs.realpath(directory);
  } catch {
    throw new ChangedFilesError(`--changed-since: cannot read directory ${directory}`);
  }
  try {
    return await fs.realpath((await gitAt(real).raw(['rev-parse', '--show-toplevel'])).trim());
  } catch (error) {
    const text = gitMessage(error);
    if (/not a git repository/i.test(text)) throw new ChangedFilesError(`--changed-since needs a git repository: ${directory} is not inside one`);
    if (/must be run in a work tree/i.test(text)) throw new ChangedFilesError(`--changed-since needs a working tree: ${directory} is inside a git directory`);
    if (/ENOENT|spawn git/i.test(text)) throw new ChangedFilesError('--changed-since needs git, which is not installed or not on PATH');
    throw new ChangedFilesError(`--changed-since: cannot read the git repository at ${directory}: ${text}`);
  }
}

/** The directory whose repository a command's mesh paths live in: the first path's (the current directory for stdin or none). */
export function repositoryDirectoryOf(paths: readonly string[]): string {
  const first = paths.find((given) => given !== '-');
  if (first === undefined) return process.cwd();
  try {
    if (statSync(first).isDirectory()) return first;
  } catch {
    // A missing path is reported by the loader; its parent is still where to look for git.
  }
  return path.dirname(path.resolve(first));
}

/**
 * The validation result narrowed to findings located in changed files (file names as the loader
 * shows them, relative to the current directory), with its counts redone, and a line saying how
 * many were left out. Findings that mean the run failed (a missing path) are always kept.
 */
export function restrictToChangedFiles(
  result: ValidationResult,
  meshFiles: readonly string[],
  changed: ReadonlySet<string>,
  ref: string,
  locations: ReadonlyMap<string, string> = new Map(),
): { result: ValidationResult; notShown: string } {
  const realFile = (file: string) => {
    const located = locations.get(file) ?? path.resolve(file);
    try {
      return realpathSync(located);
    } catch {
      return located;
    }
  };
  const diagnostics = result.diagnostics.filter((d) => findRule(d.code)?.fatal || changed.has(realFile(d.span.file)));
  const count = (level: Level) => diagnostics.filter((d) => d.level === level).length;
  const hidden = result.diagnostics.length - diagnostics.length;
  const changedMeshFiles = meshFiles.filter((file) => changed.has(realFile(file))).length;
  const notShown = `--changed-since ${ref}: ${changedMeshFiles} of ${meshFiles.length} mesh ${meshFiles.length === 1 ? 'file' : 'files'} changed; ${hidden} ${hidden === 1 ? 'problem' : 'problems'} in unchanged files not shown\n`;
  return { result: { ...result, diagnostics, errorCount: count('error'), warningCount: count('warning'), infoCount: count('info') }, notShown };
}
