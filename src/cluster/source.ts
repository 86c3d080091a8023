// Where an apply came from, recorded on the ApplySet parent: meshctl's version and the git commit
// of the mesh (with -dirty when the working tree has uncommitted changes).
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { simpleGit } from 'simple-git';

let cachedVersion: string | undefined;

/** meshctl's version from its package.json (src/cluster/ and dist/cluster/ are both two levels down). */
export function meshctlVersion(): string {
  if (cachedVersion === undefined) {
    const file = path.join(import.meta.dirname, '..', '..', 'package.json');
    cachedVersion = (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
  }
  return cachedVersion;
}

/** HEAD of the repository holding the mesh, `<sha>-dirty` when the tree differs; undefined outside git. */
export async function sourceCommit(meshPath: string): Promise<string | undefined> {
  let directory = path.resolve(meshPath);
  try {
    if (!statSync(directory).isDirectory()) directory = path.dirname(directory);
  } catch {
    return undefined;
  }
  try {
    const git = simpleGit({ baseDir: directory, timeout: { block: 10_000 } });
    if (!(await git.checkIsRepo())) return undefined;
    const head = (await git.revparse(['HEAD'])).trim();
    const status = await git.status();
    return status.isClean() ? head : `${head}-dirty`;
  } catch {
    // No commit yet, or git is missing: nothing to record.
    return undefined;
  }
}
