// Whether oclif.manifest.json (and the bundle written with it) still describes the compiled CLI:
// there is a manifest, and no file or directory under dist/commands and dist/cli changed after it
// was written. bin/run.js starts from the bundle only then; the benchmark refuses a copy of the CLI
// that would not.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

export function manifestIsFresh(root) {
  let written;
  try {
    written = statSync(path.join(root, 'oclif.manifest.json')).mtimeMs;
  } catch {
    return false;
  }
  // A directory's time changes when an entry is added, removed or renamed; a file's when rewritten.
  const changedSince = (entry) => {
    const stats = statSync(entry);
    if (stats.mtimeMs > written) return true;
    return stats.isDirectory() && readdirSync(entry).some((name) => changedSince(path.join(entry, name)));
  };
  try {
    return !changedSince(path.join(root, 'dist', 'commands')) && !changedSince(path.join(root, 'dist', 'cli'));
  } catch {
    return false;
  }
}
