// A git repository as meshctl reads it: its root, its revisions and what its object database holds.
// Reading only: no command run here writes to the working tree, the index or the refs, and
// GIT_OPTIONAL_LOCKS=0 keeps git from refreshing the index as a side effect of reading it.
import { UserError } from '../diagnostics/user-error.js';
import { promises as fs } from 'node:fs';
import { simpleGit, type SimpleGit } from 'simple-git';

/** A problem reading git that ends the run: one line, saying where and what. */
export class GitReadError extends UserError {}

/** Which side of a review a revision is: named in error messages. */
export type RevisionRole = 'base' | 'head';

export interface GitRepository {
  /** Absolute path of the working tree's top directory, symbolic links resolved. */
  readonly root: string;
  readonly git: SimpleGit;
}

// Variables that make git start other programs (editors, pagers, password prompts, ssh,
// external diff tools): reading a tree needs none of them, and simple-git refuses them.
const PROGRAM_VARIABLES = /^(EDITOR|VISUAL|PAGER|SSH_ASKPASS|GIT_(EDITOR|SEQUENCE_EDITOR|PAGER|ASKPASS|SSH|SSH_COMMAND|PROXY_COMMAND|EXTERNAL_DIFF|EXEC_PATH|TEMPLATE_DIR))$/i;

/** The environment git runs in: the user's, without program variables, in a fixed language, without optional index writes. */
export function gitEnvironment(): Record<string, string> {
  const environment: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !PROGRAM_VARIABLES.test(key)) environment[key] = value;
  return { ...environment, GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C', GIT_TERMINAL_PROMPT: '0' };
}

export function gitAt(directory: string): SimpleGit {
  // The user's own git configuration (CI sets safe.directory through it) still applies.
  const environment = gitEnvironment();
  return simpleGit({
    baseDir: directory,
    trimmed: false,
    maxConcurrentProcesses: 2,
    // simple-git drops GIT_* variables it is not told about; the repository, index and config
    // that the user (or a git hook) points git at must still apply.
    allowEnvironment: Object.keys(environment).filter((key) => /^git_/i.test(key)),
    unsafe: { allowUnsafeConfigPaths: true, allowUnsafeConfigEnvCount: true },
  }).env(environment);
}

/** The repository that holds `cwd`; a clear error when there is none. */
export async function openRepository(cwd: string): Promise<GitRepository> {
  let directory: string;
  try {
    directory = await fs.realpath(cwd);
  } catch {
    throw new GitReadError(`cannot read directory ${cwd}`);
  }
  let root: string;
  try {
    root = (await gitAt(directory).raw(['rev-parse', '--show-toplevel'])).trim();
  } catch (error) {
    const text = gitMessage(error);
    if (/not a git repository/i.test(text)) throw new GitReadError(`not a git repository: ${cwd} (meshctl review compares two revisions of a mesh kept in git)`);
    if (/must be run in a work tree/i.test(text)) throw new GitReadError(`${cwd} is inside a git directory, not a working tree: run meshctl review in a checkout`);
    if (/ENOENT|spawn git/i.test(text)) throw new GitReadError('git is not installed or not on PATH: meshctl review reads the mesh with git');
    throw new GitReadError(`cannot read the git repository at ${cwd}: ${text}`);
  }
  return { root: await fs.realpath(root), git: gitAt(root) };
}

/**
 * The commit a revision names. A revision that is not there gets a message that says how to
 * get it: CI checkouts are often shallow and hold only the commit under test.
 */
export async function resolveRevision(repository: GitRepository, revision: string, role: RevisionRole): Promise<string> {
  if (revision.trim() === '' || revision.startsWith('-')) throw new GitReadError(`${role} ref "${revision}" is not a revision name`);
  try {
    const commit = (await repository.git.raw(['rev-parse', '--verify', '--quiet', '--end-of-options', `${revision}^{commit}`])).trim();
    if (/^[0-9a-f]{40,64}$/.test(commit)) return commit;
  } catch {
    // Not found: explained below.
  }
  throw new GitReadError(await explainMissingRevision(repository, revision, `${role} ref ${revision}`));
}

/**
 * Why `revision` is not in the repository, and the command that gets it, as one line that starts
 * with `subject` ("base ref origin/main"): "<subject> not found: fetch it, e.g. …".
 */
export async function explainMissingRevision(repository: GitRepository, revision: string, subject: string): Promise<string> {
  const remotes = (await repository.git.raw(['remote']).catch(() => '')).split('\n').map((r) => r.trim()).filter(Boolean);
  const shallow = (await repository.git.raw(['rev-parse', '--is-shallow-repository']).catch(() => 'false')).trim() === 'true';
  const remote = remotes.find((name) => revision.startsWith(`${name}/`) && revision.length > name.length + 1);
  if (remote) {
    const branch = revision.slice(remote.length + 1);
    // `git fetch origin main` only updates origin/main when the remote's refspecs cover it (a
    // single-branch clone's do not); then the destination must be named.
    const refspecs = (await repository.git.raw(['config', '--get-all', `remote.${remote}.fetch`]).catch(() => '')).split('\n').map((r) => r.trim()).filter(Boolean);
    const covered = refspecs.some((refspec) => refspecCovers(refspec, `refs/heads/${branch}`, `refs/remotes/${revision}`));
    return `${subject} not found: fetch it, e.g. git fetch --depth=50 ${remote} ${covered ? branch : `${branch}:refs/remotes/${revision}`}`;
  }
  if (shallow) {
    const origin = remotes.includes('origin') ? 'origin' : (remotes[0] ?? 'origin');
    if (/[~^@]/.test(revision)) return `${subject} not found: this clone is shallow and its history stops before it; deepen it, e.g. git fetch --deepen=50 ${origin}`;
    return `${subject} not found: this clone is shallow; fetch it, e.g. git fetch --depth=50 ${origin} ${revision}`;
  }
  return `${subject} not found in the repository at ${repository.root}`;
}

/** Whether a fetch refspec such as +refs/heads/*:refs/remotes/origin/* maps `source` to `destination`. */
function refspecCovers(refspec: string, source: string, destination: string): boolean {
  const [from, to] = refspec.replace(/^\+/, '').split(':');
  if (from === undefined || to === undefined) return false;
  if (!from.includes('*')) return from === source && to === destination;
  const [fromPrefix, fromSuffix] = from.split('*') as [string, string];
  if (!source.startsWith(fromPrefix) || !source.endsWith(fromSuffix)) return false;
  const name = source.slice(fromPrefix.length, source.length - fromSuffix.length);
  return to.replace('*', name) === destination;
}

/** git's own message, without simple-git's wrapping. */
export function gitMessage(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').map((line) => line.trim()).filter(Boolean).join(' ').replace(/^fatal:\s*/i, '');
}
