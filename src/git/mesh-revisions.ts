// The two sides of a review: the mesh at a base revision and at a head revision (by default the
// working tree, so uncommitted edits are reviewed too), under the same paths.
import path from 'node:path';
import { DEFAULT_LIMITS, type LoadLimits } from '../loader/limits.js';
import { meshPathScope } from './mesh-paths.js';
import { GitReadError, openRepository, resolveRevision } from './repository.js';
import { readMeshAtCommit, readMeshInWorkingTree, type MeshSnapshot, type SkipOptions } from './revision-tree.js';

export interface MeshRevision extends MeshSnapshot {
  /** The revision as given; undefined for the working tree. */
  readonly ref?: string;
  /** The commit it names; undefined for the working tree. */
  readonly commit?: string;
}

export interface MeshRevisions {
  readonly root: string;
  readonly base: MeshRevision;
  readonly head: MeshRevision;
}

export interface ReadMeshRevisionsOptions {
  /** Directory the paths and displayed file names are relative to; default: process.cwd(). */
  cwd?: string;
  base: string;
  /** Default: the working tree. */
  head?: string;
  paths?: readonly string[];
  limits?: Partial<LoadLimits>;
  /** Skips what .meshctl.yaml ignores, on both sides (the working tree's configuration). */
  ignore?: SkipOptions['ignore'];
}

/**
 * Reads both sides. A path missing on one side is an empty mesh there (everything under it was
 * added or removed); a path with no mesh file on either side is an error.
 */
export async function readMeshRevisions(options: ReadMeshRevisionsOptions): Promise<MeshRevisions> {
  const cwd = options.cwd ?? process.cwd();
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  // The repository that holds the mesh, as validate --changed-since finds it: the first path's,
  // so "meshctl review --base main /abs/repo/mesh" works from any directory.
  const repository = await openRepository(await meshDirectory(cwd, options.paths ?? []));
  const scope = await meshPathScope(repository, cwd, options.paths ?? []);
  const baseCommit = await resolveRevision(repository, options.base, 'base');
  const headCommit = options.head !== undefined ? await resolveRevision(repository, options.head, 'head') : undefined;

  const skip: SkipOptions = options.ignore ? { ignore: options.ignore } : {};
  const base: MeshRevision = { ref: options.base, commit: baseCommit, ...(await readMeshAtCommit(repository, baseCommit, scope, limits, skip)) };
  const head: MeshRevision =
    headCommit !== undefined
      ? { ref: options.head, commit: headCommit, ...(await readMeshAtCommit(repository, headCommit, scope, limits, skip)) }
      : await readMeshInWorkingTree(repository, scope, limits, skip);

  for (const entry of scope.paths) {
    if (!base.foundPaths.has(entry) && !head.foundPaths.has(entry)) {
      const headName = options.head ?? 'the working tree';
      throw new GitReadError(`no mesh files at ${entry.given} in ${options.base} or ${headName}`);
    }
  }
  return { root: repository.root, base, head };
}

/** The first given path's directory (its nearest existing ancestor when it is missing); cwd when none. */
async function meshDirectory(cwd: string, paths: readonly string[]): Promise<string> {
  const { stat } = await import('node:fs/promises');
  const first = paths.find((given) => given !== '-');
  if (first === undefined) return cwd;
  let directory = path.resolve(cwd, first);
  for (;;) {
    try {
      if ((await stat(directory)).isDirectory()) return directory;
    } catch {
      // missing at the head: its parent may still be in the repository
    }
    const parent = path.dirname(directory);
    if (parent === directory) return cwd;
    directory = parent;
  }
}
