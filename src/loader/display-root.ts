// The directory every file name meshctl prints is relative to: the root of the git repository that
// holds the mesh, or, outside git, the mesh path given (its directory, for a file; the directory
// the paths share, for several). Not the current directory: the same mesh then carries the same
// names — in diagnostics, SARIF and GitHub locations, and the meshctl.dev/source annotation of every
// object it compiles to — whoever runs meshctl from wherever, and never a path of the machine.
import { existsSync, realpathSync, statSync } from 'node:fs';
import path from 'node:path';

/** The real path of an existing path, else the path itself (resolved). */
export function realOrResolved(file: string): string {
  try {
    return realpathSync(file);
  } catch {
    return path.resolve(file);
  }
}

/** The directory a given path stands for: itself, or a file's directory. */
function directoryOf(absolute: string): string {
  try {
    return statSync(absolute).isDirectory() ? absolute : path.dirname(absolute);
  } catch {
    return path.dirname(absolute);
  }
}

/** The nearest directory at or above DIRECTORY that holds `.git` (a directory, or a file in a worktree). */
export function gitRootOf(directory: string): string | undefined {
  for (let current = directory; ; current = path.dirname(current)) {
    if (existsSync(path.join(current, '.git'))) return current;
    if (path.dirname(current) === current) return undefined;
  }
}

function commonDirectory(directories: readonly string[]): string {
  let common = directories[0]!;
  for (const directory of directories.slice(1)) {
    while (!isInside(directory, common)) common = path.dirname(common);
  }
  return common;
}

export function isInside(file: string, directory: string): boolean {
  const relative = path.relative(directory, file);
  return relative === '' || (!relative.startsWith('..') && !path.isAbsolute(relative));
}

/** See the module comment. PATHS as given (relative to CWD); `-` (standard input) does not count. */
export function displayRootFor(paths: readonly string[], cwd: string): string {
  const given = paths.filter((entry) => entry !== '-');
  if (given.length === 0) return realOrResolved(cwd);
  const directories = given.map((entry) => directoryOf(realOrResolved(path.resolve(cwd, entry))));
  const shared = commonDirectory(directories);
  return gitRootOf(shared) ?? shared;
}
