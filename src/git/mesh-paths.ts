// The paths a user gives (relative to the current directory, as `meshctl validate` takes them) as
// git pathspecs relative to the repository root, and which files under them are mesh files: the
// same choice the file-system loader makes (a file named on the command line is read whatever its
// name; under a directory, every *.yaml / *.yml, skipping hidden entries and node_modules).
import path from 'node:path';
import { STDIN_PATH } from '../loader/read-paths.js';
import { GitReadError, type GitRepository } from './repository.js';

const MESH_FILE = /\.ya?ml$/i;
const SKIPPED_DIRECTORIES = new Set(['node_modules']);

export interface MeshPath {
  /** As the user wrote it. */
  readonly given: string;
  /** Relative to the repository root, `/`-separated; "." is the whole repository. */
  readonly pathspec: string;
}

export interface MeshPathScope {
  readonly paths: readonly MeshPath[];
  /** The real path of the current directory, which the given paths are relative to. */
  readonly cwd: string;
  readonly root: string;
}

export async function meshPathScope(repository: GitRepository, cwd: string, given: readonly string[]): Promise<MeshPathScope> {
  const { realpath } = await import('node:fs/promises');
  const realCwd = await realpath(cwd);
  const paths = (given.length > 0 ? given : ['.']).map((entry): MeshPath => {
    if (entry === STDIN_PATH) throw new GitReadError('standard input cannot be reviewed: give the files or directories of the mesh');
    const relative = path.relative(repository.root, path.resolve(realCwd, entry));
    if (relative.startsWith('..') || path.isAbsolute(relative)) throw new GitReadError(`path ${entry} is outside the repository at ${repository.root}`);
    return { given: entry, pathspec: relative === '' ? '.' : relative.split(path.sep).join('/') };
  });
  return { paths, cwd: realCwd, root: repository.root };
}

/**
 * The given path a repository file is read for, or undefined when it is not a mesh file under any
 * of them. `file` is relative to the repository root.
 */
export function owningPath(scope: MeshPathScope, file: string): MeshPath | undefined {
  for (const entry of scope.paths) {
    if (file === entry.pathspec) return entry;
    const below = entry.pathspec === '.' ? file : file.startsWith(`${entry.pathspec}/`) ? file.slice(entry.pathspec.length + 1) : undefined;
    if (below === undefined) continue;
    const segments = below.split('/');
    if (segments.some((segment) => segment.startsWith('.') || SKIPPED_DIRECTORIES.has(segment))) continue;
    if (MESH_FILE.test(segments[segments.length - 1]!)) return entry;
  }
  return undefined;
}

/**
 * How a repository file is named in diagnostics and reports: relative to the repository root, as
 * validate and compile name files in a repository (src/loader/display-root.ts), wherever meshctl runs.
 */
export function displayName(_scope: MeshPathScope, file: string): string {
  return file;
}
