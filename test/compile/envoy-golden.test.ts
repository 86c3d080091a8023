// The Envoy configurations compiled from the bundled example are checked in (test/golden/envoy/)
// so that a change in what meshctl emits shows up in review as a diff. `npm run golden:envoy`
// regenerates them.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.join(import.meta.dirname, '..', '..');
const golden = path.join(repo, 'test', 'golden', 'envoy');
const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-envoy-golden-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function compileTo(directory: string) {
  return spawnSync(process.execPath, [path.join(repo, 'bin', 'run.js'), 'compile', 'examples/mesh', '--target', 'envoy', '--out-dir', directory], { cwd: repo, encoding: 'utf8' });
}

/** Every file under a directory, as relative paths. */
function filesUnder(root: string, dir = root): string[] {
  return readdirSync(dir)
    .flatMap((entry) => {
      const file = path.join(dir, entry);
      return statSync(file).isDirectory() ? filesUnder(root, file) : [path.relative(root, file)];
    })
    .sort();
}

describe('compile examples/mesh --target envoy', () => {
  const out = path.join(scratch, 'out');
  const run = compileTo(out);

  it('succeeds, one file per proxy', () => {
    expect(run.stderr).toBe('wrote 15 Envoy configurations to ' + out + '\n');
    expect(run.status).toBe(0);
  });

  it('writes exactly the golden files, byte for byte (run `npm run golden:envoy` after an intended change)', () => {
    const expected = filesUnder(golden);
    expect(filesUnder(out)).toEqual(expected);
    for (const name of expected) expect(readFileSync(path.join(out, name), 'utf8'), name).toBe(readFileSync(path.join(golden, name), 'utf8'));
  });

  it('is deterministic: a second run gives byte-identical files', () => {
    const again = path.join(scratch, 'again');
    expect(compileTo(again).status).toBe(0);
    for (const name of filesUnder(out)) expect(readFileSync(path.join(again, name), 'utf8')).toBe(readFileSync(path.join(out, name), 'utf8'));
  });

  it('refuses to write into a directory meshctl did not write', () => {
    const foreign = path.join(scratch, 'foreign');
    const first = spawnSync('mkdir', ['-p', path.join(foreign, 'keep')]);
    expect(first.status).toBe(0);
    const refused = compileTo(foreign);
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(/not empty and was not written by meshctl/);
    expect(readdirSync(foreign)).toEqual(['keep']);
  });
});
