// The compiled output of the bundled example is checked in (test/golden/gateway-api/) so that a change
// in what meshctl emits shows up in review as a diff. `npm run golden:gateway-api` regenerates it.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.join(import.meta.dirname, '..', '..');
const golden = path.join(repo, 'test', 'golden', 'gateway-api');
const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-golden-gateway-api-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function compileTo(directory: string) {
  return spawnSync(process.execPath, [path.join(repo, 'bin', 'run.js'), 'compile', 'examples/mesh', '--target', 'gateway-api', '--out-dir', directory], { cwd: repo, encoding: 'utf8' });
}

describe('compile examples/mesh --target gateway-api', () => {
  const out = path.join(scratch, 'out');
  const run = compileTo(out);

  it('succeeds, saying at their place what the Gateway API cannot say', () => {
    expect(run.stderr).toMatch(/^wrote \d+ files/m);
    expect(run.status).toBe(0);
    // The example's caller-matched route and its direct response are left out; its retries dropped.
    expect(run.stderr).toMatch(/reviews\.yaml\n\s+42:7\s+warning\s+route "from-productpage" is left out.*MESH700/);
    expect(run.stderr).toMatch(/55:7\s+warning\s+route "robots" is left out.*no direct response.*MESH700/);
    expect(run.stderr).toMatch(/retries of route "cart-api" is not written.*MESH701/);
  });

  it('writes exactly the golden files, byte for byte (run `npm run golden:gateway-api` after an intended change)', () => {
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
