// The compiled output of the bundled example is checked in (test/golden/istio/) so that a change
// in what meshctl emits shows up in review as a diff. `npm run golden` regenerates it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.join(import.meta.dirname, '..', '..');
const golden = path.join(repo, 'test', 'golden', 'istio');
const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-golden-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function compileTo(directory: string) {
  return spawnSync(process.execPath, [path.join(repo, 'bin', 'run.js'), 'compile', 'examples/mesh', '--target', 'istio', '--out-dir', directory], { cwd: repo, encoding: 'utf8' });
}

describe('compile examples/mesh --target istio', () => {
  const out = path.join(scratch, 'out');
  const run = compileTo(out);

  it('succeeds', () => {
    expect(run.stderr).toMatch(/^wrote \d+ files/);
    expect(run.status).toBe(0);
  });

  it('writes exactly the golden files, byte for byte (run `npm run golden` after an intended change)', () => {
    const expected = readdirSync(golden).sort();
    expect(readdirSync(out).sort()).toEqual(expected);
    for (const name of expected) {
      expect(readFileSync(path.join(out, name), 'utf8'), name).toBe(readFileSync(path.join(golden, name), 'utf8'));
    }
  });

  it('is deterministic: a second run gives byte-identical files', () => {
    const again = path.join(scratch, 'again');
    expect(compileTo(again).status).toBe(0);
    for (const name of readdirSync(out)) expect(readFileSync(path.join(again, name), 'utf8')).toBe(readFileSync(path.join(out, name), 'utf8'));
  });
});
