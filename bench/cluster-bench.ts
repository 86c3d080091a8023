// meshctl apply and diff against kubectl's server-side apply and diff, on a real API server
// (scripts/cluster.sh), for one mesh's compiled output.
//
// Like with like: each tool gets a fresh API server of its own (started, measured, stopped one after
// the other), so neither sees the other's objects or field managers, and both start from the same
// state. A no-op apply is timed against the objects the same tool applied just before; the diff after
// a one-weight change against those same objects. meshctl's times include compiling the mesh (it
// takes mesh files); kubectl gets the compiled manifests ready-made — a handicap for meshctl, not
// for kubectl. kubectl runs as a user would run it: `apply --server-side -f`, `diff --server-side -f`.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { firstLines, median } from './measure-process.js';
import type { ClusterOperation, ClusterResult } from './results.js';

export const KUBECTL = '/usr/bin/kubectl';

export interface ClusterBenchOptions {
  repoRoot: string;
  /** The meshctl entry point to run (bin/run.js of the benchmark's copy of the build). */
  cli: string;
  /** The mesh directory (generated, not modified). */
  meshDirectory: string;
  services: number;
  /** Where the changed mesh and the manifests go; removed by the caller. */
  scratch: string;
  runs: number;
  log: (message: string) => void;
  /** Registers a cleanup that must run even when the benchmark is interrupted; returns its remover. */
  onCleanup: (cleanup: () => void) => () => void;
}

export class ClusterBenchError extends Error {}

interface Timed {
  wallMs: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

function timed(command: string, args: readonly string[], cwd: string, input?: string): Timed {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
  // As in measure-process.ts: meshctl from dist/, never transpiled sources.
  delete env.NODE_ENV;
  delete env.NODE_OPTIONS;
  delete env.KUBECONFIG;
  const started = performance.now();
  const result = spawnSync(command, args, { cwd, env, input: input ?? '', encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, timeout: 20 * 60_000 });
  const wallMs = performance.now() - started;
  if (result.error) throw new ClusterBenchError(`${path.basename(command)} ${args.slice(0, 3).join(' ')}: ${result.error.message}`);
  return { wallMs, status: result.status, stdout: result.stdout, stderr: result.stderr };
}

function expectStatus(run: Timed, expected: readonly number[], what: string): Timed {
  if (run.status === null || !expected.includes(run.status)) {
    throw new ClusterBenchError(`${what} exited ${run.status ?? 'on a signal'}: ${firstLines(run.stderr || run.stdout)}`);
  }
  return run;
}

/**
 * A copy of the mesh with one canary weight moved to another step of its plan. Edited in place, line
 * for line, so that no other object's source annotation (file:line) changes with it.
 */
export function changeOneWeight(meshDirectory: string, target: string): { file: string; from: number; to: number } {
  mkdirSync(target, { recursive: true });
  const files = readdirSync(meshDirectory).filter((name) => name.endsWith('.yaml')).sort();
  let change: { file: string; from: number; to: number } | undefined;
  for (const name of files) {
    let text = readFileSync(path.join(meshDirectory, name), 'utf8');
    if (!change) {
      const canary = /\n( +)canary:\n\1 {2}stable: \S+\n\1 {2}canary: \S+\n\1 {2}weight: (\d+)\n\1 {2}steps:\n((?:\1 {4}- \d+\n)+)/.exec(text);
      if (canary) {
        const from = Number(canary[2]);
        const to = canary[3]!.match(/\d+/g)!.map(Number).find((step) => step !== from && step !== 100);
        if (to !== undefined) {
          const weightLine = canary.index + canary[0].indexOf(`weight: ${from}\n`);
          text = `${text.slice(0, weightLine)}weight: ${to}\n${text.slice(weightLine + `weight: ${from}\n`.length)}`;
          change = { file: name, from, to };
        }
      }
    }
    writeFileSync(path.join(target, name), text);
  }
  if (!change) throw new ClusterBenchError(`no canary weight to change in ${meshDirectory}`);
  return change;
}

/** An API server of its own for one tool: up, the measuring, then down whatever happens. */
function withCluster<T>(options: ClusterBenchOptions, label: string, use: (kubeconfig: string) => T): T {
  const runDir = path.join(options.repoRoot, '.cache', 'cluster', `bench-${process.pid}-${label}`);
  const env = { ...process.env, MESHCTL_CLUSTER_RUN_DIR: runDir };
  const script = path.join(options.repoRoot, 'scripts', 'cluster.sh');
  const down = () => {
    spawnSync(script, ['down'], { cwd: options.repoRoot, env, stdio: ['ignore', 'ignore', 'ignore'] });
  };
  const removeCleanup = options.onCleanup(down);
  try {
    options.log(`starting an API server for ${label} (scripts/cluster.sh up; the first time builds it)`);
    const up = spawnSync(script, ['up'], { cwd: options.repoRoot, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 60 * 60_000 });
    if (up.error || up.status !== 0) throw new ClusterBenchError(`scripts/cluster.sh up failed: ${up.error?.message ?? firstLines(up.stderr, 6)}`);
    return use(up.stdout.trim().split('\n').pop()!);
  } finally {
    down();
    removeCleanup();
  }
}

function repeat(runs: number, what: string, log: (message: string) => void, once: () => number): number[] {
  const samples: number[] = [];
  for (let run = 1; run <= runs; run++) {
    samples.push(once());
    log(`${what}: ${(samples[samples.length - 1]! / 1000).toFixed(2)} s (run ${run}/${runs})`);
  }
  return samples;
}

export function measureCluster(options: ClusterBenchOptions): ClusterResult {
  const { repoRoot, log, runs } = options;
  // Every compiled object records its source file, relative to the git work tree it lies in (or,
  // outside git, to the mesh directory). The generated mesh is cached inside this repository's
  // .cache, so both meshes are copied out of it, side by side in the scratch directory: the
  // changed mesh then differs from the applied one in the moved weight alone, as an edit would.
  const meshName = path.basename(options.meshDirectory);
  const meshParent = path.join(options.scratch, 'applied');
  cpSync(options.meshDirectory, path.join(meshParent, meshName), { recursive: true });
  const changedParent = path.join(options.scratch, 'changed');
  const meshctlIn = (cwd: string, args: readonly string[]) => timed(process.execPath, [options.cli, ...args], cwd);
  const meshctl = (args: readonly string[]) => meshctlIn(meshParent, args);
  const meshctlChanged = (args: readonly string[]) => meshctlIn(changedParent, args);

  // The same objects for both tools: meshctl's own compile output, as kubectl users would feed it.
  const changedMesh = path.join(changedParent, meshName);
  const change = changeOneWeight(path.join(meshParent, meshName), changedMesh);
  log(`changed canary weight ${change.from} → ${change.to} in ${change.file} for the diff`);
  const manifests = path.join(options.scratch, 'manifests.yaml');
  const changedManifests = path.join(options.scratch, 'changed-manifests.yaml');
  writeFileSync(manifests, expectStatus(meshctl(['compile', meshName, '--target', 'istio']), [0], 'meshctl compile').stdout);
  writeFileSync(changedManifests, expectStatus(meshctlChanged(['compile', meshName, '--target', 'istio']), [0], 'meshctl compile (changed mesh)').stdout);
  const objects = (readFileSync(manifests, 'utf8').match(/^kind: /gm) ?? []).length;
  const namespaces = (readFileSync(manifests, 'utf8').match(/^kind: Namespace$/gm) ?? []).length;

  const meshctlTimes = withCluster(options, 'meshctl', (kubeconfig) => {
    const first = expectStatus(meshctl(['apply', meshName, '--kubeconfig', kubeconfig, '-o', 'json']), [0], 'meshctl apply (first)');
    const created = (JSON.parse(first.stdout) as { created: number }).created;
    if (created !== objects) throw new ClusterBenchError(`meshctl apply (first) created ${created} objects, expected ${objects}`);
    log(`meshctl apply, all creates: ${(first.wallMs / 1000).toFixed(2)} s (${created} objects)`);
    const noOp = repeat(runs, 'meshctl apply, no changes', log, () => {
      const run = expectStatus(meshctl(['apply', meshName, '--kubeconfig', kubeconfig, '-o', 'json']), [0], 'meshctl apply (no-op)');
      const result = JSON.parse(run.stdout) as { created: number; changed: number; pruned: number };
      if (result.created + result.changed + result.pruned !== 0) throw new ClusterBenchError(`meshctl apply (no-op) changed something: ${firstLines(run.stdout)}`);
      return run.wallMs;
    });
    const diff = repeat(runs, 'meshctl diff, one weight changed', log, () => {
      const run = expectStatus(meshctlChanged(['diff', meshName, '--kubeconfig', kubeconfig, '-o', 'json']), [1], 'meshctl diff');
      const report = JSON.parse(run.stdout) as { summary: { changed: number; created: number; deleted: number }; changes: { kind: string }[] };
      const { summary } = report;
      // One weight moved: the VirtualServices that carry its split (the service's, and an ingress
      // route's if the service is exposed) differ, and nothing else.
      if (summary.changed < 1 || summary.created + summary.deleted !== 0 || report.changes.some((c) => c.kind !== 'VirtualService')) {
        throw new ClusterBenchError(`meshctl diff found ${JSON.stringify(summary)} (${report.changes.map((c) => c.kind).join(', ')}), expected only changed VirtualServices`);
      }
      return run.wallMs;
    });
    return { first: [first.wallMs], noOp, diff };
  });

  let kubernetes = '';
  const kubectlTimes = withCluster(options, 'kubectl', (kubeconfig) => {
    const kubectl = (args: readonly string[]) => timed(KUBECTL, ['--kubeconfig', kubeconfig, ...args], repoRoot);
    const version = kubectl(['version', '-o', 'json']);
    kubernetes = (JSON.parse(version.stdout) as { serverVersion?: { gitVersion?: string } }).serverVersion?.gitVersion ?? 'unknown';
    const first = expectStatus(kubectl(['apply', '--server-side', '-f', manifests]), [0], 'kubectl apply --server-side (first)');
    log(`kubectl apply --server-side, all creates: ${(first.wallMs / 1000).toFixed(2)} s`);
    const noOp = repeat(runs, 'kubectl apply --server-side, no changes', log, () => expectStatus(kubectl(['apply', '--server-side', '-f', manifests]), [0], 'kubectl apply --server-side (no-op)').wallMs);
    // kubectl diff exits 1 when it finds differences, as meshctl diff does.
    const diff = repeat(runs, 'kubectl diff --server-side, one weight changed', log, () => expectStatus(kubectl(['diff', '--server-side', '-f', changedManifests]), [1], 'kubectl diff --server-side').wallMs);
    return { first: [first.wallMs], noOp, diff };
  });

  const operation = (name: string, ours: number[], theirs: number[]): ClusterOperation => {
    const meshctlMs = median(ours);
    const kubectlMs = median(theirs);
    return { operation: name, meshctlMs, kubectlMs, speedup: kubectlMs / meshctlMs, meshctlSamples: ours, kubectlSamples: theirs };
  };
  return {
    status: 'measured',
    services: options.services,
    objects,
    namespaces,
    kubernetes,
    operations: [
      operation('first apply (all creates)', meshctlTimes.first, kubectlTimes.first),
      operation('no-op apply', meshctlTimes.noOp, kubectlTimes.noOp),
      operation('diff', meshctlTimes.diff, kubectlTimes.diff),
    ],
  };
}

