// `npm run bench`: measures meshctl at mesh scale and judges the figures against its targets.
// Generates meshes of 100 to 20,000 services (bench/generate-mesh.ts, cached in .cache/bench/), runs
// each step as its own process of the built CLI, prints Markdown tables and writes bench/results.json.
// docs/performance.md explains every figure.
//
//   npm run bench                          the full run: 100, 1,000, 10,000, 20,000 services, 3 runs
//   npm run bench -- --quick               100 and 1,000 services, 1 run, no cluster
//   npm run bench -- --sizes 10000 --runs 5 --out /tmp/after.json --compare /tmp/before.json
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { ClusterBenchError, measureCluster } from './cluster-bench.js';
import { EnvoyBenchError, inspectEnvoyOutput } from './envoy-bench.js';
import { cachedMesh, generatorHash, oneFileMesh, type CachedMesh } from './mesh-cache.js';
import { manifestIsFresh } from '../bin/manifest-freshness.js';
import { defaultRusageMethod, firstLines, MeasureError, measureCommand, measureNode, median, type Measurement, type RusageMethod } from './measure-process.js';
import { renderComparison, renderResults } from './report.js';
import { evaluateTargets, RESULTS_FORMAT, type BenchResults, type ClusterResult, type EnvoyResult, type EnvoyWorkloadResult, type Sample, type StepName, type StepResult } from './results.js';

const repoRoot = path.resolve(import.meta.dirname, '..');
const cacheDir = path.join(repoRoot, '.cache', 'bench');
const FULL_SIZES = [100, 1_000, 10_000, 20_000];
const QUICK_SIZES = [100, 1_000];
const MB = 1024 * 1024;
const CLUSTER_SERVICES = 1_000;
const ENVOY_WORKLOAD_MIN_SERVICES = 1_000;
const ISTIO_SERVICES = 10_000;
const PARSE_FLOOR = path.join(import.meta.dirname, 'parse-floor.mjs');

// What must be undone however the run ends (API servers, temporary directories), newest first. A
// signal handler runs these too: spawnSync blocks, so it runs once the current child has exited.
const cleanups = new Set<() => void>();
function onCleanup(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => cleanups.delete(cleanup);
}
function runCleanups(): void {
  for (const cleanup of [...cleanups].reverse()) {
    cleanups.delete(cleanup);
    try {
      cleanup();
    } catch {
      // The others must still run.
    }
  }
}

export interface BenchOptions {
  quick: boolean;
  sizes: number[];
  runs: number;
  coldStartRuns: number;
  seed: number;
  out: string;
  compare: string | undefined;
  cluster: boolean;
  build: boolean;
  rusage: RusageMethod;
  /** Time Istio's analyzers on the compiled output of the 10,000-service mesh (the Go judge; built on first use). */
  istio: boolean;
}

const USAGE = `usage: npm run bench -- [--quick] [--sizes N,N,...] [--runs N] [--cold-runs N] [--seed S]
                      [--out FILE] [--compare OLD.json] [--cluster | --no-cluster] [--no-build]
                      [--rusage gnu-time|preload] [--istio | --no-istio]

  --quick        100 and 1,000 services, 1 run, 5 cold-start runs, no cluster unless --cluster;
                 writes to ${path.join('<tmp>', 'meshctl-bench-quick.json')} unless --out
  --sizes        mesh sizes in services (default ${FULL_SIZES.join(',')})
  --runs         runs per step; the median is reported (default 3)
  --cold-runs    runs of each cold-start step (default 10)
  --seed         the generator's seed (default 1)
  --out          where to write the results (default bench/results.json)
  --compare      an earlier results file: print the change of every step measured in both
  --no-cluster   skip the API-server part (diff and apply against kubectl)
  --no-build     use dist/ as it is instead of running "npm run build" first
  --rusage       how CPU time and peak RSS are read (default: gnu-time when /usr/bin/time exists)
  --no-istio     skip Istio's analyzers on the compiled 10,000-service mesh (default: on, off with --quick)`;

export class BenchError extends Error {}

export function parseArguments(argv: readonly string[]): BenchOptions | 'help' {
  const given = new Map<string, string | true>();
  const valued = new Set(['--sizes', '--runs', '--cold-runs', '--seed', '--out', '--compare', '--rusage']);
  const switches = new Set(['--quick', '--cluster', '--no-cluster', '--no-build', '--istio', '--no-istio', '--help']);
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    if (switches.has(flag) && inline === undefined) given.set(flag, true);
    else if (valued.has(flag)) {
      const value = inline ?? argv[++i];
      if (value === undefined || value.startsWith('--')) throw new BenchError(`${flag} needs a value\n${USAGE}`);
      given.set(flag, value);
    } else throw new BenchError(`unknown argument "${arg}"\n${USAGE}`);
  }
  if (given.has('--help')) return 'help';
  if (given.has('--cluster') && given.has('--no-cluster')) throw new BenchError('--cluster and --no-cluster contradict each other');
  if (given.has('--istio') && given.has('--no-istio')) throw new BenchError('--istio and --no-istio contradict each other');

  const quick = given.has('--quick');
  const positive = (flag: string, fallback: number) => {
    const raw = given.get(flag);
    if (raw === undefined) return fallback;
    const value = Number(raw);
    if (!Number.isInteger(value) || value < 1) throw new BenchError(`${flag} must be a positive integer, not "${String(raw)}"`);
    return value;
  };
  const rawSizes = given.get('--sizes');
  const sizes =
    typeof rawSizes === 'string'
      ? rawSizes.split(',').map((part) => {
          const value = Number(part.trim());
          if (!Number.isInteger(value) || value < 1) throw new BenchError(`--sizes takes positive integers separated by commas, not "${rawSizes}"`);
          return value;
        })
      : quick
        ? QUICK_SIZES
        : FULL_SIZES;
  const rawSeed = given.get('--seed');
  const seed = rawSeed === undefined ? 1 : Number(rawSeed);
  if (!Number.isInteger(seed)) throw new BenchError(`--seed must be an integer, not "${String(rawSeed)}"`);
  const rusage = given.get('--rusage') ?? defaultRusageMethod();
  if (rusage !== 'gnu-time' && rusage !== 'preload') throw new BenchError(`--rusage is gnu-time or preload, not "${String(rusage)}"`);
  if (rusage === 'gnu-time' && !existsSync('/usr/bin/time')) throw new BenchError('--rusage gnu-time needs /usr/bin/time, which is not installed');
  const out = given.get('--out');
  const compare = given.get('--compare');
  return {
    quick,
    // Sorted and unique, so tables and growth ratios read in order.
    sizes: [...new Set(sizes)].sort((a, b) => a - b),
    runs: positive('--runs', quick ? 1 : 3),
    coldStartRuns: positive('--cold-runs', quick ? 5 : 10),
    seed,
    out: path.resolve(typeof out === 'string' ? out : quick ? path.join(os.tmpdir(), 'meshctl-bench-quick.json') : path.join(repoRoot, 'bench', 'results.json')),
    compare: typeof compare === 'string' ? path.resolve(compare) : undefined,
    cluster: given.has('--cluster') || (!quick && !given.has('--no-cluster')),
    build: !given.has('--no-build'),
    rusage,
    istio: given.has('--istio') || (!quick && !given.has('--no-istio')),
  };
}

function log(message: string): void {
  process.stderr.write(`bench: ${message}\n`);
}

/**
 * A copy of the built CLI (bin/, dist/, the oclif manifest, package.json; node_modules linked), which
 * every step runs. The checkout's dist/ may be rebuilt while a long run is under way; the copy keeps
 * every figure of a run about one build, and no step can catch a build half-written. Timestamps are
 * kept: bin/run.js compares the manifest's with the commands'.
 */
function snapshotCli(scratch: string): string {
  const copy = path.join(scratch, 'meshctl');
  mkdirSync(copy);
  for (const entry of ['bin', 'dist', 'schemas', 'package.json', 'oclif.manifest.json']) {
    const source = path.join(repoRoot, entry);
    if (existsSync(source)) cpSync(source, path.join(copy, entry), { recursive: true, preserveTimestamps: true });
  }
  // cpSync keeps the times of files but not of directories, which get the time of the copy. bin/run.js
  // trusts the manifest (and the bundle) only while nothing under dist/commands and dist/cli is newer,
  // so without the directories' times the copy would start the slow way, not as the build does.
  const dateDirectories = (relative: string): void => {
    for (const entry of readdirSync(path.join(repoRoot, relative), { withFileTypes: true })) if (entry.isDirectory()) dateDirectories(path.join(relative, entry.name));
    const { atime, mtime } = statSync(path.join(repoRoot, relative));
    utimesSync(path.join(copy, relative), atime, mtime);
  };
  dateDirectories('dist');
  // bin/run.js's own test: a snapshot that would start the slow way must not be measured.
  if (existsSync(path.join(copy, 'oclif.manifest.json')) && !manifestIsFresh(copy)) {
    throw new BenchError('the build is older than its oclif.manifest.json says: run "npm run build" (meshctl would not start from its bundle)');
  }
  return path.join(copy, 'bin', 'run.js');
}

let cli = path.join(repoRoot, 'bin', 'run.js');

/** A step's process, measured, or a BenchError saying which step failed and how. */
function measureMeshctl(label: string, args: readonly string[], rusage: RusageMethod): Measurement {
  let measured: Measurement;
  try {
    measured = measureNode([cli, ...args], { cwd: repoRoot, method: rusage });
  } catch (error) {
    if (error instanceof MeasureError) throw new BenchError(`${label}: ${error.message}`);
    throw error;
  }
  if (measured.status !== 0) throw new BenchError(`${label}: meshctl ${args.join(' ')} exited ${measured.status}: ${firstLines(measured.stderr || measured.stdout)}`);
  return measured;
}

function stepResult(step: StepName, services: number | null, inputBytes: number, samples: Sample[], objects: number | null): StepResult {
  const wallMs = median(samples.map((s) => s.wallMs));
  const inputMB = inputBytes / MB;
  return {
    id: services === null ? step : `${step}/${services}`,
    step,
    services,
    wallMs,
    cpuMs: median(samples.map((s) => s.cpuMs)),
    peakRssMiB: Math.max(...samples.map((s) => s.maxRssKiB)) / 1024,
    inputMB,
    objects,
    throughputMBps: inputBytes > 0 ? inputMB / (wallMs / 1000) : null,
    samples,
  };
}

const sample = (m: Measurement): Sample => ({ wallMs: m.wallMs, cpuMs: m.cpuMs, maxRssKiB: m.maxRssKiB });

/** One run of `meshctl validate DIR -o json`, which must find no errors. */
function measureValidateRun(mesh: CachedMesh, options: BenchOptions): { measured: Measurement; documents: number } {
  const label = `validate, ${mesh.services} services`;
  const measured = measureMeshctl(label, ['validate', mesh.directory, '-o', 'json'], options.rusage);
  let summary: { errors: number; documents: number };
  try {
    summary = (JSON.parse(measured.stdout) as { summary: { errors: number; documents: number } }).summary;
  } catch {
    throw new BenchError(`${label}: the JSON report could not be read: ${firstLines(measured.stdout)}`);
  }
  // A mesh with errors would time error reporting, not validation.
  if (summary.errors !== 0) throw new BenchError(`${label}: the generated mesh has ${summary.errors} errors; run meshctl validate ${mesh.directory}`);
  return { measured, documents: summary.documents };
}

/**
 * The side-by-side steps of one mesh, run by run in turn (parse floor, validate, compile to standard
 * output), so that each ratio compares runs made under the same load. The compile's output of the
 * last run is kept in `streamFile`, for Istio's analyzers.
 */
function measureSideBySide(mesh: CachedMesh, options: BenchOptions, streamFile: string): StepResult[] {
  const floor: Sample[] = [];
  const validate: Sample[] = [];
  const stdout: Sample[] = [];
  let objects = 0;
  for (let run = 1; run <= options.runs; run++) {
    const floorLabel = `parse floor, ${mesh.services} services`;
    let measured: Measurement;
    try {
      measured = measureNode([PARSE_FLOOR, mesh.directory], { cwd: repoRoot, method: options.rusage });
    } catch (error) {
      if (error instanceof MeasureError) throw new BenchError(`${floorLabel}: ${error.message}`);
      throw error;
    }
    if (measured.status !== 0) throw new BenchError(`${floorLabel}: exited ${measured.status}: ${firstLines(measured.stderr)}`);
    const floorDocuments = Number(measured.stdout.trim());
    floor.push(sample(measured));

    const validated = measureValidateRun(mesh, options);
    // Both read the same documents, or the ratio compares different work.
    if (validated.documents !== floorDocuments) throw new BenchError(`${floorLabel}: ${floorDocuments} documents, but meshctl validate read ${validated.documents}`);
    validate.push(sample(validated.measured));

    const compileLabel = `compile --target istio to standard output, ${mesh.services} services`;
    const compiled = measureMeshctl(compileLabel, ['compile', mesh.directory, '--target', 'istio'], options.rusage);
    objects = (compiled.stdout.match(/^kind: /gm) ?? []).length;
    if (objects === 0) throw new BenchError(`${compileLabel}: no objects on standard output`);
    if (run === options.runs) writeFileSync(streamFile, compiled.stdout);
    stdout.push(sample(compiled));
    log(`${mesh.services} services, run ${run}/${options.runs}: parse floor ${(measured.wallMs / 1000).toFixed(2)} s, validate ${(validated.measured.wallMs / 1000).toFixed(2)} s, compile to stdout ${(compiled.wallMs / 1000).toFixed(2)} s`);
  }
  return [
    stepResult('parse-floor', mesh.services, mesh.bytes, floor, null),
    stepResult('validate', mesh.services, mesh.bytes, validate, null),
    stepResult('compile-istio-stdout', mesh.services, mesh.bytes, stdout, objects),
  ];
}

/** Istio's analyzers (the judge's `analyze`, one analysis per run, as `istioctl analyze` does) on a compiled mesh. */
function measureIstioAnalyzers(mesh: CachedMesh, options: BenchOptions, judge: string, streamFile: string, objects: number): StepResult {
  const samples: Sample[] = [];
  const label = `Istio's analyzers, ${mesh.services} services`;
  for (let run = 1; run <= options.runs; run++) {
    let measured: Measurement;
    try {
      measured = measureCommand(judge, ['analyze', '--runs', '1', streamFile], { cwd: repoRoot, method: options.rusage, timeoutMs: 30 * 60_000 });
    } catch (error) {
      if (error instanceof MeasureError) throw new BenchError(`${label}: ${error.message}`);
      throw error;
    }
    if (measured.status !== 0) throw new BenchError(`${label}: istio-judge analyze exited ${measured.status}: ${firstLines(measured.stderr)}`);
    let analysis: { executedAnalyzers: string[] };
    try {
      analysis = JSON.parse(measured.stdout) as { executedAnalyzers: string[] };
    } catch {
      throw new BenchError(`${label}: the analysis could not be read: ${firstLines(measured.stdout)}`);
    }
    if (analysis.executedAnalyzers.length === 0) throw new BenchError(`${label}: no analyzer ran`);
    samples.push(sample(measured));
    log(`${label}: ${(measured.wallMs / 1000).toFixed(2)} s, ${analysis.executedAnalyzers.length} analyzers (run ${run}/${options.runs})`);
  }
  return stepResult('istio-analyzers', mesh.services, statSync(streamFile).size, samples, objects);
}

/** The Istio judge's binary, built by scripts/istio.sh on first use (minutes, once). */
function istioJudge(): string {
  log('scripts/istio.sh path (builds the Istio judge the first time)');
  const result = spawnSync(path.join(repoRoot, 'scripts', 'istio.sh'), ['path'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 2] });
  if (result.status !== 0) throw new BenchError(`scripts/istio.sh path failed (exit ${result.status ?? result.signal})`);
  return result.stdout.trim();
}

/**
 * compile with --out-dir into a fresh directory per run, so that every run writes every file. `inspect` sees
 * the last run's output before it is removed.
 */
function measureCompile(
  step: 'compile-istio' | 'compile-envoy',
  mesh: CachedMesh,
  options: BenchOptions,
  scratch: string,
  inspect?: (outputDirectory: string) => void,
): StepResult {
  const target = step === 'compile-istio' ? 'istio' : 'envoy';
  const samples: Sample[] = [];
  let objects = 0;
  for (let run = 1; run <= options.runs; run++) {
    const label = `compile --target ${target}, ${mesh.services} services`;
    const outDir = path.join(scratch, `${target}-${mesh.services}-${run}`);
    try {
      const measured = measureMeshctl(label, ['compile', mesh.directory, '--target', target, '--out-dir', outDir], options.rusage);
      // Istio: "wrote 41501 files (41500 objects) to DIR"; Envoy: "wrote 2224 Envoy configurations to DIR".
      const wrote = /wrote \d+ files \((\d+) objects\)|wrote (\d+) Envoy configurations/.exec(measured.stderr);
      if (!wrote) throw new BenchError(`${label}: meshctl did not say what it wrote: ${firstLines(measured.stderr)}`);
      objects = Number(wrote[1] ?? wrote[2]);
      samples.push(sample(measured));
      log(`${label}: ${(measured.wallMs / 1000).toFixed(2)} s, ${objects} objects (run ${run}/${options.runs})`);
      if (run === options.runs) inspect?.(outDir);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }
  return stepResult(step, mesh.services, mesh.bytes, samples, objects);
}

/** A new process each time, after one run that is not counted (it loads the files into the page cache). */
function measureColdStart(step: 'version' | 'validate-one-file', options: BenchOptions, oneFile: string): StepResult {
  const args = step === 'version' ? ['--version'] : ['validate', oneFile];
  const label = step === 'version' ? 'meshctl --version' : 'meshctl validate (one-file mesh)';
  measureMeshctl(label, args, options.rusage);
  const samples: Sample[] = [];
  for (let run = 0; run < options.coldStartRuns; run++) samples.push(sample(measureMeshctl(label, args, options.rusage)));
  const result = stepResult(step, null, step === 'version' ? 0 : readFileSync(oneFile).byteLength, samples, null);
  log(`${label}: median ${result.wallMs.toFixed(0)} ms of ${options.coldStartRuns} run${options.coldStartRuns === 1 ? '' : 's'}`);
  return result;
}

function inspectEnvoyWorkload(mesh: CachedMesh, outputDirectory: string): EnvoyWorkloadResult {
  try {
    const workload = inspectEnvoyOutput(mesh.directory, outputDirectory, mesh.services);
    log(`Envoy config of ${workload.workload} (${workload.dependencies.length} dependencies): ${workload.clusters} clusters, ${workload.bytes} bytes; every such workload: at most ${workload.clustersMost}`);
    return workload;
  } catch (error) {
    if (error instanceof EnvoyBenchError) throw new BenchError(`the Envoy configuration of ${mesh.services} services: ${error.message}`);
    throw error;
  }
}

/** Whether the built CLI compiles to Envoy: its compile command lists the target. */
function envoyTargetAvailable(rusage: RusageMethod): boolean {
  const help = measureMeshctl('meshctl compile --help', ['compile', '--help'], rusage);
  return /\benvoy\b/.test(help.stdout);
}

function clusterCommandsAvailable(): boolean {
  return existsSync(path.join(repoRoot, 'dist', 'commands', 'apply.js')) && existsSync(path.join(repoRoot, 'dist', 'commands', 'diff.js'));
}

function machineInfo(): BenchResults['machine'] {
  const cpus = os.cpus();
  return {
    cores: cpus.length,
    model: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 1024 ** 3),
    node: process.version,
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    loadAverageStart: os.loadavg().map((l) => Number(l.toFixed(2))),
    loadAverageEnd: [],
  };
}

function meshctlInfo(): BenchResults['meshctl'] {
  const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { version: string };
  const git = (args: string[]) => spawnSync('git', args, { cwd: repoRoot, encoding: 'utf8' });
  const head = git(['rev-parse', 'HEAD']);
  const status = git(['status', '--porcelain', '--untracked-files=no']);
  return {
    version: pkg.version,
    commit: head.status === 0 ? head.stdout.trim() : null,
    modified: status.status === 0 ? status.stdout.trim().length > 0 : null,
  };
}

function readResults(file: string): BenchResults {
  let parsed: Partial<BenchResults>;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8')) as Partial<BenchResults>;
  } catch (error) {
    throw new BenchError(`--compare ${file}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : `not a JSON file (${(error as Error).message})`}`);
  }
  if (parsed.format !== RESULTS_FORMAT) throw new BenchError(`--compare ${file}: not a meshctl results file (format is ${JSON.stringify(parsed.format)}, expected "${RESULTS_FORMAT}")`);
  return parsed as BenchResults;
}

function writeAtomically(file: string, text: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.partial-${process.pid}`;
  writeFileSync(partial, text);
  renameSync(partial, file);
}

function build(): void {
  log('npm run build');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: ['ignore', 2, 2] });
  if (result.error) throw new BenchError(`npm run build: ${result.error.message}`);
  if (result.status !== 0) throw new BenchError(`npm run build failed (exit ${result.status})`);
}

export async function runBench(options: BenchOptions): Promise<BenchResults> {
  const before = options.compare ? readResults(options.compare) : undefined;
  if (options.build) build();
  if (!existsSync(path.join(repoRoot, 'dist', 'index.js'))) throw new BenchError('dist/ is missing: run "npm run build" or leave out --no-build');

  const machine = machineInfo();
  if (machine.loadAverageStart[0]! > machine.cores) {
    log(`the machine is busy (load average ${machine.loadAverageStart[0]} on ${machine.cores} cores): wall times will be inflated; CPU times much less so`);
  }
  const hash = generatorHash();
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'meshctl-bench-'));
  const removeScratch = onCleanup(() => rmSync(scratch, { recursive: true, force: true }));
  try {
    cli = snapshotCli(scratch);
    const meshes: CachedMesh[] = [];
    for (const services of options.sizes) {
      const mesh = cachedMesh(cacheDir, services, options.seed, hash);
      log(`${mesh.generated ? 'generated' : 'reusing'} ${services} services: ${(mesh.bytes / MB).toFixed(2)} MB in ${path.relative(repoRoot, mesh.directory)}`);
      meshes.push(mesh);
    }

    const oneFile = oneFileMesh(cacheDir, options.seed, hash);
    const coldStart = [measureColdStart('version', options, oneFile), measureColdStart('validate-one-file', options, oneFile)];

    const envoy = envoyTargetAvailable(options.rusage);
    const steps: StepResult[] = [];
    const workloads: EnvoyWorkloadResult[] = [];
    const judge = options.istio && meshes.some((m) => m.services === ISTIO_SERVICES) ? istioJudge() : undefined;
    for (const mesh of meshes) {
      const streamFile = path.join(scratch, `istio-${mesh.services}.yaml`);
      const sideBySide = measureSideBySide(mesh, options, streamFile);
      steps.push(...sideBySide);
      if (judge && mesh.services === ISTIO_SERVICES) steps.push(measureIstioAnalyzers(mesh, options, judge, streamFile, sideBySide[2]!.objects!));
      rmSync(streamFile, { force: true });
      steps.push(measureCompile('compile-istio', mesh, options, scratch));
      if (!envoy) continue;
      // The smallest mesh has too few services for a fair sample of 3-dependency workloads.
      const inspect = mesh.services >= ENVOY_WORKLOAD_MIN_SERVICES ? (outDir: string) => workloads.push(inspectEnvoyWorkload(mesh, outDir)) : undefined;
      steps.push(measureCompile('compile-envoy', mesh, options, scratch, inspect));
    }

    const envoyResult: EnvoyResult = !envoy
      ? { status: 'not measured', reason: 'meshctl compile has no --target envoy' }
      : workloads.length > 0
        ? { status: 'measured', workloads }
        : { status: 'not measured', reason: `no mesh of ${ENVOY_WORKLOAD_MIN_SERVICES.toLocaleString('en-US')} services or more in this run` };
    let cluster: ClusterResult = { status: 'not measured', reason: options.quick ? 'quick mode skips the API server (--cluster to include it)' : 'skipped with --no-cluster' };
    let clusterFailure: string | undefined;
    if (options.cluster && !clusterCommandsAvailable()) cluster = { status: 'not measured', reason: 'meshctl has no diff and apply commands to time' };
    else if (options.cluster) {
      const mesh = meshes.find((m) => m.services === CLUSTER_SERVICES) ?? cachedMesh(cacheDir, CLUSTER_SERVICES, options.seed, hash);
      const clusterScratch = path.join(scratch, 'cluster');
      mkdirSync(clusterScratch);
      try {
        cluster = measureCluster({ repoRoot, cli, meshDirectory: mesh.directory, services: mesh.services, scratch: clusterScratch, runs: options.runs, log, onCleanup });
      } catch (error) {
        if (!(error instanceof ClusterBenchError)) throw error;
        // The other figures are worth keeping; the run still fails, below.
        clusterFailure = error.message;
        cluster = { status: 'not measured', reason: `the API-server part failed: ${error.message}` };
      }
    }

    machine.loadAverageEnd = os.loadavg().map((l) => Number(l.toFixed(2)));
    const partial: Omit<BenchResults, 'targets'> = {
      format: RESULTS_FORMAT,
      date: new Date().toISOString(),
      // "full" only for the run the targets are written for: every size, three runs or more, the API server.
      mode: options.quick ? 'quick' : FULL_SIZES.every((size) => options.sizes.includes(size)) && options.runs >= 3 && options.cluster ? 'full' : 'custom',
      machine,
      meshctl: meshctlInfo(),
      settings: { seed: options.seed, runs: options.runs, coldStartRuns: options.coldStartRuns, sizes: options.sizes, rusage: options.rusage, generatorHash: hash },
      meshes: meshes.map((m) => ({ services: m.services, files: m.files, inputMB: m.bytes / MB, directory: path.relative(repoRoot, m.directory) })),
      steps,
      coldStart,
      envoy: envoyResult,
      cluster,
    };
    const results: BenchResults = { ...partial, targets: evaluateTargets(partial) };
    writeAtomically(options.out, `${JSON.stringify(results, null, 2)}\n`);
    process.stdout.write(renderResults(results));
    if (before) process.stdout.write(`\n${renderComparison(before, results)}`);
    const shown = path.relative(process.cwd(), options.out);
    log(`results written to ${shown.startsWith('..') ? options.out : shown}`);
    if (clusterFailure) throw new BenchError(`the API-server part failed: ${clusterFailure}`);
    return results;
  } finally {
    runCleanups();
    removeScratch();
  }
}

async function main(): Promise<void> {
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.on(signal, () => {
      runCleanups();
      process.stderr.write(`bench: interrupted (${signal})\n`);
      process.exit(130);
    });
  }
  try {
    const options = parseArguments(process.argv.slice(2));
    if (options === 'help') {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    await runBench(options);
  } catch (error) {
    if (!(error instanceof BenchError)) throw error;
    process.stderr.write(`bench: ${error.message}\n`);
    process.exitCode = 2;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) await main();
