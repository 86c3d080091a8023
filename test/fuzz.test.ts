// The fuzzer (test/fuzz) at fixed seeds: a few thousand mutated meshes through load, validate,
// every report format, review and both compile targets, with the compiled objects checked
// against Istio's CRDs and, for a sparse sample, Envoy configurations loaded by a real Envoy.
// Split in rounds so the test worker answers the runner between them.
// Long runs: `npm run fuzz -- --iterations N [--seed S]`.
import { describe, expect, it } from 'vitest';
import { runFuzz } from './fuzz/fuzz.js';

const FIRST_SEED = 20261206;
const ROUNDS = 10;
const ITERATIONS = 250;

const totals = { iterations: 0, accepted: 0, envoyChecked: 0 };

describe(`fuzzing: ${ROUNDS} rounds of ${ITERATIONS} cases at fixed seeds`, () => {
  const seeds = Array.from({ length: ROUNDS }, (_, round) => FIRST_SEED + round);
  it.each(seeds)('seed %i: no crash, validator hole, escaping failure or nondeterminism', (seed) => {
    const report = runFuzz({ iterations: ITERATIONS, seed, envoyEvery: 25, determinismEvery: 10 });
    const found = [...report.defects.values()].map(
      ({ defect, count, files }) =>
        `${defect.signature} (${count}×)\n${defect.detail.slice(0, 600)}\n--- first mesh:\n${files.map((f) => `# ${JSON.stringify(f.file)}\n${f.text}`).join('\n').slice(0, 3000)}`,
    );
    expect(found, found.join('\n\n')).toEqual([]);
    totals.iterations += report.iterations;
    totals.accepted += report.accepted;
    totals.envoyChecked += report.envoyChecked;
  }, 120_000);

  it('reached the compilers and Envoy: the meshes were not all refused', () => {
    expect(totals.iterations).toBe(ROUNDS * ITERATIONS);
    expect(totals.accepted).toBeGreaterThan(totals.iterations / 10);
    expect(totals.envoyChecked).toBeGreaterThanOrEqual(ROUNDS);
  });
});
