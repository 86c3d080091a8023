// Writes dist/build-info.json at build time: the git commit meshctl was built from (with "-dirty"
// when the working tree had uncommitted changes), which `meshctl version` reports. Outside a git
// checkout (a packed tarball) the commit is "unknown". No timestamp: the same tree builds the same bytes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const git = (...args) => execFileSync('git', args, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
let commit = 'unknown';
try {
  commit = git('rev-parse', 'HEAD');
  if (git('status', '--porcelain', '--untracked-files=no') !== '') commit += '-dirty';
} catch {
  // not a git checkout, or git is missing
}
mkdirSync(path.join(root, 'dist'), { recursive: true });
writeFileSync(path.join(root, 'dist', 'build-info.json'), `${JSON.stringify({ commit }, null, 2)}\n`);
