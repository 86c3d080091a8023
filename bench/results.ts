// The shape of bench/results.json, and the targets the figures are judged against. The shape is a
// contract between runs: `--compare old.json` reads an earlier file, so fields are only ever added.
import type { RusageMethod } from './measure-process.js';

export const RESULTS_FORMAT = 'meshctl-bench/1';

export type StepName =
  | 'validate'
  | 'compile-istio'
  | 'compile-envoy'
  | 'version'
  | 'validate-one-file'
  // Side by side, on the same mesh in the same run: the parse floor (read and parse every file with
  // js-yaml, nothing else), compile --target istio to standard output, and Istio's own analyzers on
  // what that compile writes.
  | 'parse-floor'
  | 'compile-istio-stdout'
  | 'istio-analyzers';

export interface Sample {
  wallMs: number;
  cpuMs: number;
  maxRssKiB: number;
}

export interface StepResult {
  /** `<step>/<services>`, or the step alone for the cold-start steps: stable across runs. */
  id: string;
  step: StepName;
  /** Services in the mesh; null for the cold-start steps. */
  services: number | null;
  /** The median wall time of the runs. */
  wallMs: number;
  /** The median CPU time (user + system) of the runs. */
  cpuMs: number;
  /** The highest peak RSS of the runs, in MiB. */
  peakRssMiB: number;
  inputMB: number;
  /** Kubernetes objects (Istio) or Envoy resources written; null when the step writes none. */
  objects: number | null;
  /** Input MB per second of median wall time; null for --version, which reads no input. */
  throughputMBps: number | null;
  samples: Sample[];
}

export interface MeshInfo {
  services: number;
  files: number;
  inputMB: number;
  directory: string;
}

/** One workload's own Envoy configuration, against everything the mesh compiles to. */
export interface EnvoyWorkloadResult {
  services: number;
  /** The example: the first service (namespace/name order) with that many dependencies, its first version. */
  workload: string;
  dependencies: string[];
  clusters: number;
  routes: number;
  listeners: number;
  bytes: number;
  /** All the Envoy configurations of the mesh together. */
  meshBytes: number;
  meshConfigs: number;
  /** The upstream clusters of the whole mesh: one per service version and port, and per external port. */
  meshClusters: number;
  /** Every workload whose service has the same number of dependencies, and their cluster counts. */
  workloadsWithSameDependencies: number;
  clustersMost: number;
  clustersMedian: number;
  /**
   * The largest sidecar configuration of the mesh (by bytes), whatever its dependencies; `sha256`
   * of its text (absent from results files written before it was recorded).
   */
  largest?: { workload: string; dependencies: number; clusters: number; bytes: number; sha256?: string };
}

export type EnvoyResult = { status: 'measured'; workloads: EnvoyWorkloadResult[] } | { status: 'not measured'; reason: string };

export interface ClusterOperation {
  /** What was timed, e.g. "no-op apply". */
  operation: string;
  meshctlMs: number;
  kubectlMs: number;
  /** kubectl time / meshctl time: how many times faster meshctl is. */
  speedup: number;
  meshctlSamples: number[];
  kubectlSamples: number[];
}

export type ClusterResult =
  | { status: 'measured'; services: number; objects: number; namespaces: number; operations: ClusterOperation[]; kubernetes: string }
  | { status: 'not measured'; reason: string };

export type TargetStatus = 'met' | 'missed' | 'not measured';

export interface TargetRow {
  id: string;
  target: string;
  /** The figure measured, in words with its unit; null when not measured. */
  measured: string | null;
  status: TargetStatus;
  /** Why it was not measured, or what the figure is made of. */
  note?: string;
}

export interface BenchResults {
  format: typeof RESULTS_FORMAT;
  date: string;
  mode: 'full' | 'quick' | 'custom';
  machine: {
    cores: number;
    model: string;
    memoryGiB: number;
    node: string;
    platform: string;
    /** Load averages (1, 5, 15 minutes) as the run started and ended: a busy machine slows every figure. */
    loadAverageStart: number[];
    loadAverageEnd: number[];
  };
  meshctl: { version: string; commit: string | null; modified: boolean | null };
  settings: { seed: number; runs: number; coldStartRuns: number; sizes: number[]; rusage: RusageMethod; generatorHash: string };
  meshes: MeshInfo[];
  steps: StepResult[];
  coldStart: StepResult[];
  envoy: EnvoyResult;
  cluster: ClusterResult;
  targets: TargetRow[];
}

/** Every target of the benchmark, in the order they are reported; each appears in every run. */
export const TARGET_IDS = [
  'validate-10000',
  'compile-istio-10000',
  'peak-rss',
  'growth-validate',
  'growth-compile-istio',
  'growth-compile-envoy',
  'cold-start-version',
  'no-op-apply-vs-kubectl',
  'diff-vs-kubectl',
  'validate-vs-parse-floor',
  'validate-vs-istio-analyzers',
  'compile-istio-stdout-vs-parse-floor',
  'compile-envoy-10000',
  'cold-start-validate',
  'peak-rss-20000',
  'envoy-largest-config-steady',
] as const;

const GIB_MIB = 1024;
const runs = (count: number) => `${count} run${count === 1 ? '' : 's'}`;

/** How each step is named in tables and notes. */
export const STEP_NAMES: Record<StepName, string> = {
  validate: 'validate',
  'compile-istio': 'compile --target istio',
  'compile-envoy': 'compile --target envoy',
  version: '--version',
  'validate-one-file': 'validate (one-file mesh)',
  'parse-floor': 'parse floor (js-yaml)',
  'compile-istio-stdout': 'compile --target istio > stdout',
  'istio-analyzers': "Istio's analyzers (on the compiled output)",
};

/** The steps meshctl itself runs (the peak-RSS targets judge these, not the side-by-side tools). */
export const MESHCTL_STEPS: ReadonlySet<StepName> = new Set(['validate', 'compile-istio', 'compile-envoy', 'compile-istio-stdout', 'version', 'validate-one-file']);

export function evaluateTargets(results: Omit<BenchResults, 'targets'>): TargetRow[] {
  const step = (name: StepName, services: number) => results.steps.find((s) => s.step === name && s.services === services);
  const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;
  const rows: TargetRow[] = [];
  const missing = (services: number) => `no ${services.toLocaleString('en-US')}-service mesh in this run (sizes ${results.settings.sizes.join(', ')})`;

  const timeTarget = (id: string, name: StepName, label: string, limitMs: number) => {
    const measured = step(name, 10_000);
    const target = `${label} 10,000 services ≤ ${seconds(limitMs).replace('.00', '')}`;
    rows.push(
      measured
        ? { id, target, measured: seconds(measured.wallMs), status: measured.wallMs <= limitMs ? 'met' : 'missed', note: `median wall time of ${runs(measured.samples.length)}; CPU ${seconds(measured.cpuMs)}` }
        : { id, target, measured: null, status: 'not measured', note: missing(10_000) },
    );
  };
  timeTarget('validate-10000', 'validate', 'validate', 2000);
  timeTarget('compile-istio-10000', 'compile-istio', 'compile --target istio', 4000);

  // The issue states it with the 10,000-service figures; the largest mesh measured must keep to it too.
  const large = results.steps.filter((s) => s.services !== null && s.services >= 10_000 && MESHCTL_STEPS.has(s.step));
  const rssTarget = 'peak RSS ≤ 1 GiB (10,000 services and up)';
  if (large.length > 0) {
    const worst = large.reduce((a, b) => (b.peakRssMiB > a.peakRssMiB ? b : a));
    rows.push({
      id: 'peak-rss',
      target: rssTarget,
      measured: `${worst.peakRssMiB.toFixed(0)} MiB`,
      status: worst.peakRssMiB <= GIB_MIB ? 'met' : 'missed',
      note: `the highest of ${large.length} steps, from ${STEP_NAMES[worst.step]} of ${worst.services!.toLocaleString('en-US')} services`,
    });
  } else {
    rows.push({ id: 'peak-rss', target: rssTarget, measured: null, status: 'not measured', note: missing(10_000) });
  }

  for (const [id, name, label] of [
    ['growth-validate', 'validate', 'validate'],
    ['growth-compile-istio', 'compile-istio', 'compile --target istio'],
    ['growth-compile-envoy', 'compile-envoy', 'compile --target envoy'],
  ] as const) {
    const small = step(name, 10_000);
    const large = step(name, 20_000);
    const target = `${label}: time(20,000) / time(10,000) ≤ 2.3`;
    if (small && large) {
      // Judged by CPU time: the two sizes run minutes apart, and on a shared machine the ratio of their
      // wall times measures how the load changed in between as much as how meshctl grows.
      const ratio = large.cpuMs / small.cpuMs;
      const wallRatio = large.wallMs / small.wallMs;
      rows.push({
        id,
        target,
        measured: `${ratio.toFixed(2)}×`,
        status: ratio <= 2.3 ? 'met' : 'missed',
        note: `CPU ${seconds(large.cpuMs)} / ${seconds(small.cpuMs)}; wall ${seconds(large.wallMs)} / ${seconds(small.wallMs)} = ${wallRatio.toFixed(2)}×`,
      });
    } else {
      const why = name === 'compile-envoy' && results.envoy.status === 'not measured' && !results.steps.some((s) => s.step === name) ? 'meshctl has no --target envoy to time' : missing(small ? 20_000 : 10_000);
      rows.push({ id, target, measured: null, status: 'not measured', note: why });
    }
  }

  const version = results.coldStart.find((s) => s.step === 'version');
  rows.push(
    version
      ? { id: 'cold-start-version', target: '`meshctl --version` cold start ≤ 200 ms', measured: `${version.wallMs.toFixed(0)} ms`, status: version.wallMs <= 200 ? 'met' : 'missed', note: `median of ${runs(version.samples.length)}; CPU ${version.cpuMs.toFixed(0)} ms` }
      : { id: 'cold-start-version', target: '`meshctl --version` cold start ≤ 200 ms', measured: null, status: 'not measured', note: 'cold start was not measured' },
  );

  for (const [id, operation, limit] of [
    ['no-op-apply-vs-kubectl', 'no-op apply', 10],
    ['diff-vs-kubectl', 'diff', 5],
  ] as const) {
    const kubectlName = operation === 'diff' ? 'kubectl diff --server-side' : 'kubectl apply --server-side';
    const target = `${operation} of the 1,000-service output ≥ ${limit}× faster than \`${kubectlName}\``;
    const measured = results.cluster.status === 'measured' ? results.cluster.operations.find((o) => o.operation === operation) : undefined;
    rows.push(
      measured
        ? { id, target, measured: `${measured.speedup.toFixed(1)}×`, status: measured.speedup >= limit ? 'met' : 'missed', note: `${measured.meshctlMs.toFixed(0)} ms vs ${measured.kubectlMs.toFixed(0)} ms (medians)` }
        : { id, target, measured: null, status: 'not measured', note: results.cluster.status === 'not measured' ? results.cluster.reason : `no ${operation} was timed` },
    );
  }

  // Side by side, in one run: ratios of median wall times, so that the machine's load cancels out.
  const ratioTarget = (id: string, target: string, names: [string, string], numerator: StepResult | undefined, denominator: StepResult | undefined, limit: number, atMost: boolean, describe: (n: StepResult, d: StepResult) => string) => {
    if (!numerator || !denominator) {
      const absent = [numerator, denominator].map((s, i) => (s ? undefined : names[i])).filter((name) => name !== undefined);
      const why = results.steps.some((s) => s.services === 10_000) ? `${absent.join(' and ')} not measured in this run` : missing(10_000);
      rows.push({ id, target, measured: null, status: 'not measured', note: why });
      return;
    }
    const ratio = numerator.wallMs / denominator.wallMs;
    rows.push({ id, target, measured: `${ratio.toFixed(2)}×`, status: (atMost ? ratio <= limit : ratio >= limit) ? 'met' : 'missed', note: describe(numerator, denominator) });
  };
  const wallAndCpu = (s: StepResult) => `${seconds(s.wallMs)} (CPU ${seconds(s.cpuMs)})`;
  ratioTarget('validate-vs-parse-floor', 'validate 10,000 services ≤ 2.0× the parse floor', ['validate', 'the parse floor'], step('validate', 10_000), step('parse-floor', 10_000), 2.0, true, (n, d) => `validate ${wallAndCpu(n)} / parse floor ${wallAndCpu(d)}, medians of the same run`);
  ratioTarget('validate-vs-istio-analyzers', "validate 10,000 services ≥ 10× faster than Istio's analyzers on the compiled equivalent", ["Istio's analyzers", 'validate'], step('istio-analyzers', 10_000), step('validate', 10_000), 10, false, (n, d) => `Istio's analyzers ${wallAndCpu(n)}, ${n.peakRssMiB.toFixed(0)} MiB / validate ${wallAndCpu(d)}`);
  ratioTarget('compile-istio-stdout-vs-parse-floor', 'compile --target istio 10,000 services to standard output ≤ 3.0× the parse floor', ['compile to standard output', 'the parse floor'], step('compile-istio-stdout', 10_000), step('parse-floor', 10_000), 3.0, true, (n, d) => `compile ${wallAndCpu(n)} / parse floor ${wallAndCpu(d)}`);

  const envoy10k = step('compile-envoy', 10_000);
  const envoyTarget = 'compile --target envoy 10,000 services ≤ 8 s wall and ≤ 1 GiB';
  rows.push(
    envoy10k
      ? {
          id: 'compile-envoy-10000',
          target: envoyTarget,
          measured: `${seconds(envoy10k.wallMs)}, ${envoy10k.peakRssMiB.toFixed(0)} MiB`,
          status: envoy10k.wallMs <= 8000 && envoy10k.peakRssMiB <= GIB_MIB ? 'met' : 'missed',
          note: `median wall time of ${runs(envoy10k.samples.length)}; CPU ${seconds(envoy10k.cpuMs)}; ${envoy10k.objects?.toLocaleString('en-US')} proxies`,
        }
      : { id: 'compile-envoy-10000', target: envoyTarget, measured: null, status: 'not measured', note: results.steps.some((s) => s.step === 'compile-envoy') ? missing(10_000) : 'meshctl has no --target envoy to time' },
  );

  const coldValidate = results.coldStart.find((s) => s.step === 'validate-one-file');
  const coldTarget = 'cold `meshctl validate` of a one-file mesh ≤ 150 ms';
  rows.push(
    coldValidate
      ? { id: 'cold-start-validate', target: coldTarget, measured: `${coldValidate.wallMs.toFixed(0)} ms`, status: coldValidate.wallMs <= 150 ? 'met' : 'missed', note: `median of ${runs(coldValidate.samples.length)}; CPU ${coldValidate.cpuMs.toFixed(0)} ms` }
      : { id: 'cold-start-validate', target: coldTarget, measured: null, status: 'not measured', note: 'cold start was not measured' },
  );

  const at20k = results.steps.filter((s) => s.services === 20_000 && MESHCTL_STEPS.has(s.step));
  const rss20kTarget = 'peak RSS of every step at 20,000 services ≤ 512 MiB';
  if (at20k.length > 0) {
    const worst = at20k.reduce((a, b) => (b.peakRssMiB > a.peakRssMiB ? b : a));
    rows.push({ id: 'peak-rss-20000', target: rss20kTarget, measured: `${worst.peakRssMiB.toFixed(0)} MiB`, status: worst.peakRssMiB <= 512 ? 'met' : 'missed', note: `the highest of ${at20k.length} steps, from ${STEP_NAMES[worst.step]}` });
  } else {
    rows.push({ id: 'peak-rss-20000', target: rss20kTarget, measured: null, status: 'not measured', note: missing(20_000) });
  }

  // What a workload's sidecar carries must depend on what it calls, not on how large the mesh is.
  // The generated meshes hold one fixed widest workload at every size (bench/generate-mesh.ts), so
  // equal means the same configuration: the same clusters, bytes and, where recorded, text.
  const steadyTarget = 'the largest per-workload Envoy configuration is equal at 1,000, 10,000 and 20,000 services';
  const largest = results.envoy.status === 'measured' ? results.envoy.workloads.filter((w) => w.largest && [1_000, 10_000, 20_000].includes(w.services)) : [];
  if (largest.length === 3) {
    const sizes = largest.map((w) => w.largest!);
    const sameSize = sizes.every((l) => l.bytes === sizes[0]!.bytes && l.clusters === sizes[0]!.clusters);
    const sameText = sizes.every((l) => l.sha256 === sizes[0]!.sha256);
    const workloads = largest.map((w) => `${w.services.toLocaleString('en-US')}: ${w.largest!.workload} (${w.largest!.dependencies} dependencies)`).join('; ');
    rows.push({
      id: 'envoy-largest-config-steady',
      target: steadyTarget,
      measured: sizes.map((l) => `${l.clusters} clusters / ${l.bytes.toLocaleString('en-US')} B`).join(', '),
      status: sameSize && sameText ? 'met' : 'missed',
      note: sameSize && !sameText ? `${workloads}; the same size, but the texts differ` : workloads,
    });
  } else {
    const why = results.envoy.status === 'not measured' ? results.envoy.reason : `measured at ${largest.map((w) => w.services).join(', ') || 'no size'} only (sizes ${results.settings.sizes.join(', ')})`;
    rows.push({ id: 'envoy-largest-config-steady', target: steadyTarget, measured: null, status: 'not measured', note: why });
  }
  return rows;
}
