// npm run fuzz -- --iterations N [--seed S] [--envoy-every N] [--determinism-every N] [--out DIR]
// A long fuzzing run (test/fuzz): mutated meshes through load, validate, the report formats,
// review and both compile targets. Prints iterations, seconds, seed and each distinct defect;
// with --out, writes the first mesh that showed each defect under DIR, to turn into a fixture.
// Exits 1 when it found a defect.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runFuzz } from '../test/fuzz/fuzz.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    'envoy-every': { type: 'string', default: '250' },
    'determinism-every': { type: 'string', default: '10' },
    out: { type: 'string' },
  },
});

const count = (name: string, text: string | undefined): number => {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 0) {
    process.stderr.write(`fuzz: --${name} must be a whole number, not ${JSON.stringify(text)}\n`);
    process.exit(2);
  }
  return value;
};

const iterations = count('iterations', values.iterations);
const seed = values.seed !== undefined ? count('seed', values.seed) : Date.now() % 2 ** 31;
const out = values.out;
let index = 0;
process.stdout.write(`fuzz: ${iterations} iterations, seed ${seed}\n`);
const report = runFuzz({
  iterations,
  seed,
  envoyEvery: count('envoy-every', values['envoy-every']),
  determinismEvery: count('determinism-every', values['determinism-every']),
  onDefect(defect, files) {
    index++;
    process.stdout.write(`  [${index}] ${defect.signature}\n`);
    if (out !== undefined) {
      const dir = path.join(out, String(index).padStart(3, '0'));
      mkdirSync(dir, { recursive: true });
      writeFileSync(path.join(dir, 'DEFECT.txt'), `${defect.signature}\n\n${defect.detail}\n`);
      files.forEach((file, n) => writeFileSync(path.join(dir, `${n}.yaml`), `# ${JSON.stringify(file.file)}\n${file.text}`));
    }
  },
  onProgress(done) {
    if (done % 10_000 === 0) process.stderr.write(`fuzz: ${done} cases\n`);
  },
});

const byKind = new Map<string, number>();
for (const { defect } of report.defects.values()) byKind.set(defect.kind, (byKind.get(defect.kind) ?? 0) + 1);
const kinds = [...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ') || 'none';
process.stdout.write(
  `fuzz: ${report.iterations} iterations in ${report.seconds.toFixed(1)} s, seed ${report.seed}: ${report.accepted} accepted and compiled, ` +
    `${report.envoyChecked} Envoy configurations loaded by Envoy, slowest case ${report.slowestMs.toFixed(0)} ms; ` +
    `distinct defects: ${report.defects.size} (${kinds})\n`,
);
process.exit(report.defects.size > 0 ? 1 : 0);
