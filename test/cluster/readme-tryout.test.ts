// The README's "Try it on a local cluster" must work as written: this runs its commands, exactly,
// one after another in one shell (so that `export`s carry over), from the repository root, and
// compares what each printed on stdout with what the README shows under it. A line `…` in the
// README stands for any number of lines. `# exits N` at the end of a command says its exit code
// (0 otherwise). meshctl is on PATH as the README assumes, as a shim for the built bin/run.js.
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CLUSTER_UP_TIMEOUT_MS, repoRoot, runProcess } from '../support/test-cluster.js';

const HEADING = '### Try it on a local cluster';

interface Step {
  command: string;
  expected: string[];
  exitCode: number;
}

function tryOutSteps(): Step[] {
  const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
  const start = readme.indexOf(`\n${HEADING}\n`);
  if (start < 0) throw new Error(`README.md has no "${HEADING}" section`);
  const block = /```console\n([\s\S]*?)```/.exec(readme.slice(start));
  if (!block) throw new Error(`README.md's "${HEADING}" has no console block`);
  const steps: Step[] = [];
  for (const line of block[1]!.trimEnd().split('\n')) {
    if (line.startsWith('$ ')) {
      const command = line.slice(2);
      steps.push({ command, expected: [], exitCode: Number(/# exits (\d+)/.exec(command)?.[1] ?? 0) });
    } else if (steps.length === 0) throw new Error(`README.md's try-out block starts with output: ${line}`);
    else steps.at(-1)!.expected.push(line);
  }
  return steps;
}

/** Whether ACTUAL is EXPECTED, where a line `…` in EXPECTED matches any number of lines. */
function matchesShown(expected: readonly string[], actual: readonly string[]): boolean {
  if (expected.length === 0) return actual.length === 0;
  const [first, ...rest] = expected;
  if (first === '…') {
    for (let skip = 0; skip <= actual.length; skip++) if (matchesShown(rest, actual.slice(skip))) return true;
    return false;
  }
  return actual.length > 0 && actual[0] === first && matchesShown(rest, actual.slice(1));
}

const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-tryout-'));
const shellTmp = path.join(scratch, 'tmp');
const outputs = path.join(scratch, 'out');

// The try-out creates its cluster under the shell's TMPDIR (mktemp). Whatever happened, every
// cluster found there is stopped, by scripts/cluster.sh, which checks its marker first.
afterAll(async () => {
  try {
    for (const entry of existsSync(shellTmp) ? readdirSync(shellTmp, { recursive: true, encoding: 'utf8' }) : []) {
      if (path.basename(entry) !== '.meshctl-cluster') continue;
      const runDir = path.join(shellTmp, path.dirname(entry));
      const down = await runProcess(path.join(repoRoot, 'scripts', 'cluster.sh'), ['down'], { env: { MESHCTL_CLUSTER_RUN_DIR: runDir } });
      if (down.code !== 0) throw new Error(`cluster.sh down for ${runDir}: ${down.stderr}`);
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}, 3 * 60_000);

describe('README: try it on a local cluster', () => {
  it('runs as written and prints what the README shows', async () => {
    const steps = tryOutSteps();
    expect(steps.map((step) => step.command.split(' ')[0])).toEqual(expect.arrayContaining(['meshctl', 'npm']));

    const shim = path.join(scratch, 'bin', 'meshctl');
    mkdirSync(path.dirname(shim), { recursive: true });
    writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${path.join(repoRoot, 'bin', 'run.js')}" "$@"\n`);
    chmodSync(shim, 0o755);
    mkdirSync(shellTmp);
    mkdirSync(outputs);
    const script = [
      `cd ${JSON.stringify(repoRoot)}`,
      ...steps.map((step, index) => `{ ${step.command}\n} >${outputs}/${index}.stdout 2>${outputs}/${index}.stderr; echo $? >${outputs}/${index}.code`),
    ].join('\n');
    const shell = await runProcess('bash', ['-c', script], {
      env: {
        PATH: `${path.dirname(shim)}:${process.env.PATH}`,
        TMPDIR: shellTmp,
        NO_COLOR: '1',
        FORCE_COLOR: undefined,
        KUBECONFIG: undefined,
        MESHCTL_CLUSTER_RUN_DIR: undefined,
      },
      timeoutMs: CLUSTER_UP_TIMEOUT_MS + 10 * 60_000,
      echoStderr: true,
    });
    expect(shell.code, shell.stderr).toBe(0);

    steps.forEach((step, index) => {
      const read = (stream: string) => readFileSync(path.join(outputs, `${index}.${stream}`), 'utf8');
      const stdout = read('stdout');
      const context = `$ ${step.command}\n--- stdout\n${stdout}--- stderr\n${read('stderr')}`;
      expect(Number(read('code')), context).toBe(step.exitCode);
      const actual = stdout === '' ? [] : stdout.trimEnd().split('\n');
      expect(matchesShown(step.expected, actual), `${context}--- the README shows\n${step.expected.join('\n')}`).toBe(true);
    });
  }, CLUSTER_UP_TIMEOUT_MS + 12 * 60_000);
});
