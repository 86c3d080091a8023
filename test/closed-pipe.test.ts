// A reader that stops early (`meshctl compile examples/mesh | head`) is the reader's choice, not a
// failure of meshctl: every command that writes to standard output ends quietly, with the exit
// code the run itself had.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

const bin = path.join(repoRoot, 'bin', 'run.js');

/** meshctl ARGS piped into `head -c 1`: meshctl's exit status and what it printed on stderr. */
function intoHead(args: readonly string[]): { status: string; stderr: string } {
  const script = '"$@" | head -c 1 > /dev/null; echo "${PIPESTATUS[0]}"';
  const result = spawnSync('bash', ['-c', script, 'bash', process.execPath, bin, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined } as NodeJS.ProcessEnv,
    timeout: 60_000,
  });
  return { status: result.stdout.trim(), stderr: result.stderr };
}

let dir = '';
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'meshctl-pipe-'));
  const service = (index: number) =>
    `apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: svc-${index}, namespace: shop}\nspec:\n  ports: [{name: http, port: 80, protocol: http}]\n`;
  writeFileSync(path.join(dir, 'large.yaml'), Array.from({ length: 600 }, (_, index) => service(index)).join('---\n'));
  // Every document a finding: a stylish report of about 100 bytes per document.
  writeFileSync(path.join(dir, 'typos.yaml'), Array.from({ length: 1500 }, (_, index) => service(index).replace('kind: Service', 'kind: Servise')).join('---\n'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a reader that closes the pipe early', () => {
  // Each writes far more than a pipe holds (64 KiB), so the reader is gone before the last write.
  it.each([
    ['compile', ['compile', 'examples/mesh']],
    ['compile --format json', ['compile', 'examples/mesh', '--format', 'json']],
    ['compile --target envoy', ['compile', 'examples/mesh', '--target', 'envoy']],
    ['schema', ['schema']],
  ])('%s ends quietly with its own exit code', (_name, args) => {
    const run = intoHead(args);
    expect(run.stderr).toBe('');
    expect(run.status).toBe('0');
  });

  it('validate ends quietly with its own exit code (1: the mesh has errors)', () => {
    for (const format of ['stylish', 'json']) {
      const run = intoHead(['validate', path.join(dir, 'typos.yaml'), '--format', format]);
      expect(run.stderr, format).toBe('');
      expect(run.status, format).toBe('1');
    }
  });

  it('graph ends quietly with its own exit code', () => {
    for (const format of ['mermaid', 'json']) {
      const run = intoHead(['graph', path.join(dir, 'large.yaml'), '--format', format]);
      expect(run.stderr, format).toBe('');
      expect(run.status, format).toBe('0');
    }
  });
});
