// npm run fuzz -- --iterations N [--seed S] [--jobs J] [--envoy-every N] [--determinism-every N] [--out DIR]
// A long fuzzing run (test/fuzz): mutated meshes through load, validate, the report formats,
// review and both compile targets. Prints iterations, seconds, seeds and each distinct defect;
// with --out, writes the first mesh that showed each defect under DIR, to turn into a fixture.
// --jobs splits the iterations over that many processes, seeds S, S+1, ... Exits 1 when it found
// a defect.
import { fork } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { runFuzz } from '../test/fuzz/fuzz.js';
import type { DefectKind } from '../test/fuzz/properties.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '10000' },
    seed: { type: 'string' },
    jobs: { type: 'string', default: '1' },
    'envoy-every': { type: 'string', default: '250' },
    'determinism-every': { type: 'string', default: '10' },
    out: { type: 'string' },
    worker: { type: 'boolean', default: false },
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

interface Summary {
  iterations: number;
  seconds: number;
  seed: number;
  accepted: number;
  envoyChecked: number;
  slowestMs: number;
  defects: { signature: string; kind: DefectKind; count: number }[];
}

const iterations = count('iterations', values.iterations);
const seed = values.seed !== undefined ? count('seed', values.seed) : Date.now() % 2 ** 31;
const jobs = Math.max(1, count('jobs', values.jobs));
const envoyEvery = count('envoy-every', values['envoy-every']);
const determinismEvery = count('determinism-every', values['determinism-every']);
const out = values.out;

/** One process's share: runs the fuzzer, prints each new defect as it is found. */
function runShare(shareIterations: number, shareSeed: number, outDir: string | undefined, label: string): Summary {
  let index = 0;
  const report = runFuzz({
    iterations: shareIterations,
    seed: shareSeed,
    envoyEvery,
    determinismEvery,
    onDefect(defect, files) {
      index++;
      process.stdout.write(`  [${label}${index}] ${defect.signature}\n`);
      if (outDir !== undefined) {
        const dir = path.join(outDir, String(index).padStart(3, '0'));
        mkdirSync(dir, { recursive: true });
        writeFileSync(path.join(dir, 'DEFECT.txt'), `${defect.signature}\n\n${defect.detail}\n`);
        files.forEach((file, n) => writeFileSync(path.join(dir, `${n}.yaml`), `# ${JSON.stringify(file.file)}\n${file.text}`));
      }
    },
    onProgress(done) {
      if (done % 10_000 === 0) process.stderr.write(`fuzz: ${label}${done} cases\n`);
    },
  });
  return {
    iterations: report.iterations,
    seconds: report.seconds,
    seed: report.seed,
    accepted: report.accepted,
    envoyChecked: report.envoyChecked,
    slowestMs: report.slowestMs,
    defects: [...report.defects.values()].map(({ defect, count: seen }) => ({ signature: defect.signature, kind: defect.kind, count: seen })),
  };
}

if (values.worker) {
  const summary = runShare(iterations, seed, out, `seed ${seed}: `);
  process.send?.(summary);
} else {
  process.stdout.write(`fuzz: ${iterations} iterations, ${jobs === 1 ? `seed ${seed}` : `${jobs} jobs, seeds ${seed}-${seed + jobs - 1}`}\n`);
  const started = Date.now();
  let summaries: Summary[];
  if (jobs === 1) summaries = [runShare(iterations, seed, out, '')];
  else {
    summaries = await Promise.all(
      Array.from({ length: jobs }, (_, job) => {
        const share = Math.floor(iterations / jobs) + (job < iterations % jobs ? 1 : 0);
        const args = ['--worker', '--iterations', String(share), '--seed', String(seed + job), '--envoy-every', String(envoyEvery), '--determinism-every', String(determinismEvery)];
        if (out !== undefined) args.push('--out', path.join(out, `seed-${seed + job}`));
        return new Promise<Summary>((resolve, reject) => {
          const child = fork(import.meta.filename, args, { execArgv: process.execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
          let result: Summary | undefined;
          child.on('message', (message) => (result = message as Summary));
          child.on('exit', (code) => (result ? resolve(result) : reject(new Error(`fuzz job with seed ${seed + job} exited with ${code} before reporting`))));
        });
      }),
    );
  }
  const distinct = new Map<string, { kind: DefectKind; count: number }>();
  for (const summary of summaries) for (const defect of summary.defects) {
    const known = distinct.get(defect.signature);
    if (known) known.count += defect.count;
    else distinct.set(defect.signature, { kind: defect.kind, count: defect.count });
  }
  const byKind = new Map<string, number>();
  for (const { kind } of distinct.values()) byKind.set(kind, (byKind.get(kind) ?? 0) + 1);
  const sum = (pick: (summary: Summary) => number) => summaries.reduce((total, summary) => total + pick(summary), 0);
  const kinds = [...byKind].map(([kind, n]) => `${n} ${kind}`).join(', ') || 'none';
  process.stdout.write(
    `fuzz: ${sum((s) => s.iterations)} iterations in ${((Date.now() - started) / 1000).toFixed(1)} s, ${summaries.length === 1 ? 'seed' : 'seeds'} ${summaries.map((s) => s.seed).join(', ')}: ` +
      `${sum((s) => s.accepted)} accepted and compiled, ${sum((s) => s.envoyChecked)} Envoy configurations loaded by Envoy, ` +
      `slowest case ${Math.max(...summaries.map((s) => s.slowestMs)).toFixed(0)} ms; distinct defects: ${distinct.size} (${kinds})\n`,
  );
  process.exit(distinct.size > 0 ? 1 : 0);
}
