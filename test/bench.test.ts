// `npm run bench` is a script, not a timed test; this runs its quick mode as a process, as a user
// would, so that the script cannot rot: every step must run, every figure must be plausible and
// every target must have its row. The figures themselves are not judged here — a shared CI machine
// is no place for timing assertions.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { changeOneWeight } from '../bench/cluster-bench.js';
import { generateMesh } from '../bench/generate-mesh.js';
import { GNU_TIME, measureNode, type RusageMethod } from '../bench/measure-process.js';
import { renderComparison } from '../bench/report.js';
import { RESULTS_FORMAT, TARGET_IDS, evaluateTargets, type BenchResults, type EnvoyWorkloadResult } from '../bench/results.js';
import { BenchError, parseArguments } from '../bench/run.js';

const root = path.join(import.meta.dirname, '..');
const committedResults = path.join(root, 'bench', 'results.json');
const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-bench-test-'));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Asynchronous, so that vitest's own timeout can still fire while the benchmark runs.
function runBench(args: readonly string[], timeoutMs: number): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'bench', 'run.ts'), ...args], {
      cwd: root,
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGTERM'), timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('npm run bench -- --quick', () => {
  const out = path.join(scratch, 'quick.json');
  const committedBefore = existsSync(committedResults) ? statSync(committedResults).mtimeMs : undefined;
  let run: Run;
  let results: BenchResults;

  beforeAll(async () => {
    // `npm test` has just built dist/; building again would race with the other test files using it.
    run = await runBench(['--quick', '--no-build', '--out', out], 240_000);
    if (run.code !== 0) throw new Error(`bench exited ${run.code}:\n${run.stderr}`);
    results = JSON.parse(readFileSync(out, 'utf8')) as BenchResults;
  }, 300_000);

  it('writes a results file with the machine and the settings', () => {
    expect(results.format).toBe(RESULTS_FORMAT);
    expect(results.mode).toBe('quick');
    expect(Number.isNaN(Date.parse(results.date))).toBe(false);
    expect(results.machine.cores).toBeGreaterThan(0);
    expect(results.machine.model.length).toBeGreaterThan(0);
    expect(results.machine.node).toBe(process.version);
    expect(results.machine.loadAverageStart).toHaveLength(3);
    expect(results.machine.loadAverageEnd).toHaveLength(3);
    expect(results.settings).toMatchObject({ seed: 1, runs: 1, sizes: [100, 1000] });
    expect(results.meshes.map((m) => m.services)).toEqual([100, 1000]);
    expect(results.meshes[1]!.inputMB).toBeGreaterThan(results.meshes[0]!.inputMB);
  });

  it('times validate and compile of every size, as separate processes', () => {
    const sideBySide = ['parse-floor', 'validate', 'compile-istio-stdout'];
    const expected = results.steps.some((s) => s.step === 'compile-envoy') ? [...sideBySide, 'compile-istio', 'compile-envoy'] : [...sideBySide, 'compile-istio'];
    expect(results.steps.map((s) => s.id)).toEqual([100, 1000].flatMap((size) => expected.map((step) => `${step}/${size}`)));
    for (const step of results.steps) {
      expect(step.samples, step.id).toHaveLength(1);
      expect(step.wallMs, step.id).toBeGreaterThan(0);
      expect(step.cpuMs, step.id).toBeGreaterThan(0);
      // A Node.js process alone takes tens of MiB; a figure below that is a unit mistake.
      expect(step.peakRssMiB, step.id).toBeGreaterThan(20);
      expect(step.peakRssMiB, step.id).toBeLessThan(64 * 1024);
      expect(step.inputMB, step.id).toBeGreaterThan(0);
      expect(step.throughputMBps, step.id).toBeCloseTo(step.inputMB / (step.wallMs / 1000), 6);
      if (step.step === 'validate' || step.step === 'parse-floor') expect(step.objects, step.id).toBeNull();
      else expect(step.objects, step.id).toBeGreaterThan(step.services!);
    }
    const istio = results.steps.filter((s) => s.step === 'compile-istio');
    expect(istio[1]!.objects).toBeGreaterThan(istio[0]!.objects! * 5);
    // Standard output and --out-dir carry the same objects.
    expect(results.steps.filter((s) => s.step === 'compile-istio-stdout').map((s) => s.objects)).toEqual(istio.map((s) => s.objects));
    // Quick mode leaves Istio's analyzers out (they need the Go judge built).
    expect(results.steps.some((s) => s.step === 'istio-analyzers')).toBe(false);
  });

  it('measures cold start', () => {
    expect(results.coldStart.map((s) => s.id)).toEqual(['version', 'validate-one-file']);
    for (const step of results.coldStart) {
      expect(step.samples.length, step.id).toBeGreaterThanOrEqual(5);
      expect(step.wallMs, step.id).toBeGreaterThan(0);
      expect(step.cpuMs, step.id).toBeGreaterThan(0);
      expect(step.peakRssMiB, step.id).toBeGreaterThan(20);
    }
  });

  it('runs meshctl from dist/, as installed, whatever NODE_ENV the caller has', () => {
    // Under NODE_ENV=test (vitest's) oclif would transpile src/ on the fly, at twice the memory.
    const version = results.coldStart.find((s) => s.step === 'version')!;
    expect(version.peakRssMiB).toBeLessThan(100);
  });

  it('sizes up one workload\'s Envoy configuration against the whole mesh, when meshctl compiles to Envoy', () => {
    if (!results.steps.some((s) => s.step === 'compile-envoy')) {
      expect(results.envoy).toEqual({ status: 'not measured', reason: 'meshctl compile has no --target envoy' });
      return;
    }
    expect(results.envoy.status).toBe('measured');
    if (results.envoy.status !== 'measured') return;
    // Only the 1,000-service mesh: 100 services give too few 3-dependency workloads.
    expect(results.envoy.workloads.map((w) => w.services)).toEqual([1000]);
    const [workload] = results.envoy.workloads;
    expect(workload!.dependencies).toHaveLength(3);
    expect(workload!.clusters).toBeGreaterThan(0);
    expect(workload!.listeners).toBeGreaterThan(0);
    expect(workload!.routes).toBeGreaterThan(0);
    expect(workload!.bytes).toBeGreaterThan(0);
    expect(workload!.meshBytes).toBeGreaterThan(workload!.bytes * 10);
    expect(workload!.meshClusters).toBeGreaterThan(1000);
    expect(workload!.workloadsWithSameDependencies).toBeGreaterThan(10);
    expect(workload!.clustersMost).toBeGreaterThanOrEqual(workload!.clustersMedian);
    expect(workload!.largest!.bytes).toBeGreaterThanOrEqual(workload!.bytes);
    expect(workload!.largest!.clusters).toBeGreaterThan(0);
    expect(workload!.largest!.sha256).toMatch(/^[0-9a-f]{64}$/);
  });

  it('has a row for every target, judged where measured', () => {
    expect(results.targets.map((t) => t.id)).toEqual([...TARGET_IDS]);
    for (const target of results.targets) {
      expect(['met', 'missed', 'not measured'], target.id).toContain(target.status);
      if (target.status === 'not measured') expect(target.note, target.id).toBeTruthy();
      else expect(target.measured, target.id).toBeTruthy();
    }
    const byId = new Map(results.targets.map((t) => [t.id, t]));
    expect(byId.get('cold-start-version')!.status).not.toBe('not measured');
    // Quick mode has no 10,000-service mesh and no API server.
    expect(byId.get('validate-10000')!.status).toBe('not measured');
    expect(byId.get('no-op-apply-vs-kubectl')!.status).toBe('not measured');
    expect(byId.get('validate-vs-parse-floor')!.status).toBe('not measured');
    expect(byId.get('cold-start-validate')!.status).not.toBe('not measured');
    expect(byId.get('envoy-largest-config-steady')!.status).toBe('not measured');
  });

  it('prints the side-by-side ratios', () => {
    const floor = results.steps.find((s) => s.id === 'parse-floor/1000')!;
    const validate = results.steps.find((s) => s.id === 'validate/1000')!;
    expect(run.stdout).toContain(`| 1,000 | ${Math.round(floor.wallMs).toLocaleString('en-US')} | ${Math.round(validate.wallMs).toLocaleString('en-US')} | ${(validate.wallMs / floor.wallMs).toFixed(2)}× |`);
  });

  it('prints the tables', () => {
    expect(run.stdout).toContain('| step | services | input MB | wall ms | CPU ms | peak RSS MiB | objects | MB/s |');
    expect(run.stdout).toMatch(/^\| validate \| 1,000 \| /m);
    expect(run.stdout).toContain('| target | measured | status | note |');
    for (const target of results.targets) expect(run.stdout).toContain(`| ${target.target} |`);
  });

  it('leaves bench/results.json alone', () => {
    expect(existsSync(committedResults) ? statSync(committedResults).mtimeMs : undefined).toBe(committedBefore);
  });

  it('compares two results files step by step', () => {
    const slower: BenchResults = { ...results, steps: results.steps.map((s) => ({ ...s, wallMs: s.wallMs * 2 })) };
    const comparison = renderComparison(results, slower);
    expect(comparison).toMatch(/^\| validate \| 1,000 \| .* \| \+100\.0% \| .* \| 0\.0% \|/m);
  });
});

// The judgement of the steady-largest target on fabricated figures: it must be able to miss.
describe('the largest per-workload Envoy configuration, judged', () => {
  const text = 'a'.repeat(64);
  const workload = (services: number, largest: EnvoyWorkloadResult['largest']): EnvoyWorkloadResult => ({
    services,
    workload: 'team/example v1',
    dependencies: ['a', 'b', 'c'],
    clusters: 7,
    routes: 9,
    listeners: 2,
    bytes: 30_000,
    meshBytes: services * 40_000,
    meshConfigs: services * 2,
    meshClusters: services * 2,
    workloadsWithSameDependencies: services / 2,
    clustersMost: 12,
    clustersMedian: 7,
    ...(largest ? { largest } : {}),
  });
  const widest = { workload: 'reference-workloads/widest-reference-workload v1', dependencies: 6, clusters: 23, bytes: 168_267, sha256: text };
  const judge = (workloads: EnvoyWorkloadResult[]) => {
    const results: Omit<BenchResults, 'targets'> = {
      format: RESULTS_FORMAT,
      date: '2026-01-01T00:00:00.000Z',
      mode: 'custom',
      machine: { cores: 2, model: 'test', memoryGiB: 8, node: process.version, platform: 'linux', loadAverageStart: [0, 0, 0], loadAverageEnd: [0, 0, 0] },
      meshctl: { version: '0.0.0', commit: null, modified: null },
      settings: { seed: 1, runs: 1, coldStartRuns: 1, sizes: [1000, 10_000, 20_000], rusage: 'preload', generatorHash: '000000000000' },
      meshes: [],
      steps: [],
      coldStart: [],
      envoy: { status: 'measured', workloads },
      cluster: { status: 'not measured', reason: 'skipped with --no-cluster' },
    };
    return evaluateTargets(results).find((row) => row.id === 'envoy-largest-config-steady')!;
  };
  const sizes = [1000, 10_000, 20_000];

  it('is met when the same configuration is the largest at 1,000, 10,000 and 20,000 services', () => {
    const row = judge(sizes.map((services) => workload(services, widest)));
    expect(row.status).toBe('met');
    expect(row.measured).toBe('23 clusters / 168,267 B, 23 clusters / 168,267 B, 23 clusters / 168,267 B');
    expect(row.note).toBe(sizes.map((n) => `${n.toLocaleString('en-US')}: ${widest.workload} (6 dependencies)`).join('; '));
  });

  it('is missed when the largest grows with the mesh, in bytes or in clusters', () => {
    const larger = judge([workload(1000, widest), workload(10_000, { ...widest, bytes: widest.bytes + 1, sha256: 'b'.repeat(64) }), workload(20_000, widest)]);
    expect(larger.status).toBe('missed');
    const moreClusters = judge([workload(1000, widest), workload(10_000, widest), workload(20_000, { ...widest, clusters: 24 })]);
    expect(moreClusters.status).toBe('missed');
    expect(moreClusters.measured).toContain('24 clusters / 168,267 B');
  });

  it('is missed when the sizes match but the texts differ', () => {
    const row = judge([workload(1000, widest), workload(10_000, { ...widest, sha256: 'c'.repeat(64) }), workload(20_000, widest)]);
    expect(row.status).toBe('missed');
    expect(row.note).toContain('the same size, but the texts differ');
  });

  it('judges results recorded before the text was, by clusters and bytes', () => {
    const { sha256: _sha256, ...withoutText } = widest;
    expect(judge(sizes.map((services) => workload(services, withoutText))).status).toBe('met');
    expect(judge([workload(1000, withoutText), workload(10_000, withoutText), workload(20_000, { ...withoutText, bytes: 1 })]).status).toBe('missed');
  });

  it('is not measured without all three sizes', () => {
    const row = judge([workload(1000, widest), workload(10_000, widest)]);
    expect(row.status).toBe('not measured');
    expect(row.measured).toBeNull();
    expect(row.note).toBe('measured at 1000, 10000 only (sizes 1000, 10000, 20000)');
  });
});

describe('bench options', () => {
  it('writes quick results to a temporary file unless told otherwise', () => {
    const quick = parseArguments(['--quick']);
    expect(quick).not.toBe('help');
    if (quick === 'help') return;
    expect(quick.out).not.toBe(committedResults);
    expect(quick.out.startsWith(tmpdir())).toBe(true);
    expect(quick).toMatchObject({ sizes: [100, 1000], runs: 1, cluster: false });
    const full = parseArguments([]);
    expect(full).toMatchObject({ out: committedResults, sizes: [100, 1000, 10_000, 20_000], runs: 3, cluster: true, istio: true });
    expect(quick.istio).toBe(false);
  });

  it('refuses bad arguments with a one-line reason', () => {
    expect(() => parseArguments(['--runs', '0'])).toThrow(new BenchError('--runs must be a positive integer, not "0"'));
    expect(() => parseArguments(['--sizes', '100,abc'])).toThrow(/--sizes takes positive integers/);
    expect(() => parseArguments(['--cluster', '--no-cluster'])).toThrow(/contradict/);
    expect(() => parseArguments(['--istio', '--no-istio'])).toThrow(/contradict/);
    expect(() => parseArguments(['--frobnicate'])).toThrow(/unknown argument "--frobnicate"/);
  });
});

describe('measuring a process', () => {
  const methods: RusageMethod[] = existsSync(GNU_TIME) ? ['gnu-time', 'preload'] : ['preload'];
  it.each(methods)('reads CPU time and peak RSS with %s', (method) => {
    // A process that allocates ~200 MiB and spins for 300 ms of its own CPU time (not of the clock:
    // on a busy machine it gets only part of a core): both figures must show it.
    const script = 'const a = []; for (let i = 0; i < 50; i++) a.push(Buffer.alloc(4 * 1024 * 1024, 1)); while (process.cpuUsage().user < 300_000);';
    const measured = measureNode(['-e', script], { cwd: root, method });
    expect(measured.status).toBe(0);
    expect(measured.cpuMs).toBeGreaterThan(250);
    expect(measured.wallMs).toBeGreaterThan(250);
    expect(measured.maxRssKiB / 1024).toBeGreaterThan(200);
    expect(measured.maxRssKiB / 1024).toBeLessThan(2048);
    // What the measuring adds to stderr is taken out again.
    expect(measured.stderr).toBe('');
  });
});

describe('the one-weight change the diff is timed on', () => {
  it('moves one canary weight to another step of its plan and changes no other line', () => {
    const original = path.join(scratch, 'weight-original');
    const changed = path.join(scratch, 'weight-changed');
    mkdirSync(original);
    for (const file of generateMesh({ services: 200, seed: 3 })) writeFileSync(path.join(original, file.path), file.text);
    const change = changeOneWeight(original, changed);
    expect(readdirSync(changed).sort()).toEqual(readdirSync(original).sort());
    const differing: string[] = [];
    for (const name of readdirSync(original)) {
      const before = readFileSync(path.join(original, name), 'utf8').split('\n');
      const after = readFileSync(path.join(changed, name), 'utf8').split('\n');
      expect(after.length, name).toBe(before.length);
      before.forEach((line, index) => {
        if (line !== after[index]) differing.push(`${name}: ${line.trim()} -> ${after[index]!.trim()}`);
      });
    }
    expect(differing).toEqual([`${change.file}: weight: ${change.from} -> weight: ${change.to}`]);
    expect(change.to).not.toBe(change.from);
  });
});
