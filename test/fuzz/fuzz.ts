// The fuzzing loop: fast-check draws cases (a seed mesh and a few mutations), each is checked
// against every property, and defects are counted by signature. Used by the test suite (a fixed
// seed, a few thousand cases) and by `npm run fuzz` (long runs).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import fc from 'fast-check';
import type { ReviewSide } from '../../src/review/review.js';
import { applyCase, fuzzCaseArbitrary, loadSeeds, type FuzzCase, type MeshFile, type Seed } from './mutations.js';
import { checkCase, reviewSide, type Defect, type EnvoyCheck } from './properties.js';

const repo = path.join(import.meta.dirname, '..', '..');

export interface FuzzOptions {
  readonly iterations: number;
  readonly seed: number;
  /** Load one Envoy configuration of every Nth accepted mesh in a real Envoy; 0: never. */
  readonly envoyEvery: number;
  /** Compile every Nth case twice and compare; 0: never. */
  readonly determinismEvery: number;
  /** Called with each defect signature the first time it is met, and the case's files. */
  readonly onDefect?: (defect: Defect, files: readonly MeshFile[], fuzzCase: FuzzCase) => void;
  readonly onProgress?: (done: number) => void;
}

export interface DefectSummary {
  readonly defect: Defect;
  count: number;
  readonly files: readonly MeshFile[];
}

export interface FuzzReport {
  readonly iterations: number;
  readonly seconds: number;
  readonly seed: number;
  readonly accepted: number;
  readonly envoyChecked: number;
  readonly slowestMs: number;
  readonly defects: ReadonlyMap<string, DefectSummary>;
}

export function runFuzz(options: FuzzOptions): FuzzReport {
  const seeds = loadSeeds();
  const bases = new Map<number, ReviewSide>();
  const envoy = options.envoyEvery > 0 ? prepareEnvoy() : undefined;
  const defects = new Map<string, DefectSummary>();
  let accepted = 0;
  let envoyChecked = 0;
  let done = 0;
  let slowestMs = 0;
  const started = performance.now();
  try {
    fc.assert(
      fc.property(fuzzCaseArbitrary(seeds.length), (fuzzCase) => {
        const files = applyCase(seeds, fuzzCase);
        const base = baseSide(seeds, bases, fuzzCase.seed);
        const caseStarted = performance.now();
        const wantEnvoy = envoy !== undefined && (accepted + 1) % options.envoyEvery === 0;
        const result = checkCase(files, {
          base,
          checkDeterminism: options.determinismEvery > 0 && done % options.determinismEvery === 0,
          ...(wantEnvoy ? { envoy: envoy!.check, envoyPick: done } : {}),
        });
        slowestMs = Math.max(slowestMs, performance.now() - caseStarted);
        if (result.accepted) accepted++;
        envoyChecked += result.envoyChecked;
        for (const defect of result.defects) {
          const known = defects.get(defect.signature);
          if (known) known.count++;
          else {
            defects.set(defect.signature, { defect, count: 1, files });
            options.onDefect?.(defect, files, fuzzCase);
          }
        }
        done++;
        if (done % 1000 === 0) options.onProgress?.(done);
        return true;
      }),
      { seed: options.seed, numRuns: options.iterations, endOnFailure: true },
    );
  } finally {
    envoy?.dispose();
  }
  return { iterations: done, seconds: (performance.now() - started) / 1000, seed: options.seed, accepted, envoyChecked, slowestMs, defects };
}

function baseSide(seeds: readonly Seed[], bases: Map<number, ReviewSide>, index: number): ReviewSide {
  let side = bases.get(index);
  if (!side) {
    side = reviewSide(applyCase(seeds, { seed: index, operations: [] }));
    bases.set(index, side);
  }
  return side;
}

/** A real Envoy (scripts/envoy.sh) and a set of test certificates for it. */
export function prepareEnvoy(): { check: EnvoyCheck; dispose: () => void } {
  const binary = execFileSync(path.join(repo, 'scripts', 'envoy.sh'), ['install'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-fuzz-'));
  const certificateDirectory = path.join(scratch, 'certs');
  mkdirSync(certificateDirectory, { recursive: true });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: certificateDirectory, stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'root-cert.pem', '-days', '2', '-subj', '/CN=meshctl fuzz CA');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'leaf.csr', '-subj', '/CN=workload');
  writeFileSync(path.join(certificateDirectory, 'leaf.ext'), 'subjectAltName=URI:spiffe://cluster.local/ns/test/sa/test\n');
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'root-cert.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'cert-chain.pem', '-days', '2', '-extfile', 'leaf.ext');
  return { check: { binary, certificateDirectory, scratch }, dispose: () => rmSync(scratch, { recursive: true, force: true }) };
}
