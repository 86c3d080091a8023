// Measures `meshctl validate` on a synthetic mesh: generates N services (default 1,000) into a
// temporary directory with bench/generate-mesh.ts, runs the built CLI on it several times, and
// prints input size, wall time and peak memory. Figures only: it asserts nothing.
//
//   npm run build && node scripts/measure-validate.mjs [--services N] [--seed S] [--runs R]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const TIME = '/usr/bin/time';
const RSS_MARKER = 'meshctl-measure-maxrss-kb:';

function parseArguments(argv) {
  const options = { services: 1000, seed: 1, runs: 5 };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split('=', 2);
    const key = flag.replace(/^--/, '');
    if (!(key in options)) fail(`unknown argument "${argv[i]}"; usage: measure-validate [--services N] [--seed S] [--runs R]`);
    const value = Number(inline ?? argv[++i]);
    if (!Number.isInteger(value) || (key !== 'seed' && value < 1)) fail(`${flag} needs a positive integer`);
    options[key] = value;
  }
  return options;
}

class MeasureError extends Error {}

function fail(message) {
  throw new MeasureError(message);
}

function generate(services, seed, out) {
  const npx = process.platform === 'win32' ? 'npx.cmd' : 'npx';
  const result = spawnSync(npx, ['tsx', 'bench/generate-mesh.ts', '--services', String(services), '--seed', String(seed), '--out', out], {
    cwd: repoRoot,
    encoding: 'utf8',
  });
  if (result.status !== 0) fail(`generating the mesh failed:\n${result.stderr || result.error}`);
}

function inputSize(directory) {
  let bytes = 0;
  let files = 0;
  for (const name of readdirSync(directory)) {
    if (!/\.ya?ml$/.test(name)) continue;
    bytes += statSync(path.join(directory, name)).size;
    files++;
  }
  return { bytes, files };
}

/**
 * Runs node with `args` and returns its output, wall time and peak RSS in KiB: from /usr/bin/time
 * when the system has it, else from a wrapper that reports the process's own resource usage.
 */
function runMeasured(args, wrapper) {
  const useTime = existsSync(TIME);
  const command = useTime ? TIME : process.execPath;
  const commandArgs = useTime ? ['-f', `${RSS_MARKER}%M`, process.execPath, ...args] : [wrapper, ...args];
  const started = performance.now();
  const result = spawnSync(command, commandArgs, { cwd: repoRoot, encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024, env: { ...process.env, NO_COLOR: '1' } });
  const wallMs = performance.now() - started;
  if (result.error) fail(`running ${args.join(' ')} failed: ${result.error.message}`);
  const marker = result.stderr.lastIndexOf(RSS_MARKER);
  const maxRssKb = marker === -1 ? Number.NaN : Number.parseInt(result.stderr.slice(marker + RSS_MARKER.length), 10);
  return { stdout: result.stdout, stderr: result.stderr, status: result.status, wallMs, maxRssKb };
}

/** A wrapper that runs bin/run.js in its own process and prints that process's peak RSS on exit. */
function writeWrapper(directory) {
  const wrapper = path.join(directory, 'measure-wrapper.mjs');
  writeFileSync(
    wrapper,
    [
      `process.on('exit', () => process.stderr.write('\\n${RSS_MARKER}' + process.resourceUsage().maxRSS + '\\n'));`,
      `process.argv.splice(1, 1);`,
      `await import(${JSON.stringify(new URL('../bin/run.js', import.meta.url).href)});`,
    ].join('\n'),
  );
  return wrapper;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

function table(rows) {
  const widths = rows[0].map((_, column) => Math.max(...rows.map((row) => row[column].length)));
  return rows.map((row) => row.map((cell, column) => (column === 0 ? cell.padEnd(widths[column]) : cell.padStart(widths[column]))).join('  ')).join('\n');
}

function main() {
  const options = parseArguments(process.argv.slice(2));
  if (!existsSync(path.join(repoRoot, 'dist', 'commands', 'validate.js'))) fail('dist/ is missing: run "npm run build" first');
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'meshctl-measure-'));
  try {
    measure(options, workDir);
  } finally {
    rmSync(workDir, { recursive: true, force: true });
  }
}

function measure(options, workDir) {
  const meshDir = path.join(workDir, 'mesh');
  generate(options.services, options.seed, meshDir);
  const input = inputSize(meshDir);
  const wrapper = writeWrapper(workDir);

  const runs = [];
  let summary;
  for (let run = 0; run < options.runs; run++) {
    const measured = runMeasured(['bin/run.js', 'validate', meshDir, '-o', 'json'], wrapper);
    let report;
    try {
      report = JSON.parse(measured.stdout);
    } catch {
      fail(`validate printed no JSON report (exit ${measured.status}):\n${measured.stderr.slice(0, 2000)}`);
    }
    summary = { ...report.summary, diagnostics: report.diagnostics.length };
    runs.push(measured);
  }

  const walls = runs.map((r) => r.wallMs);
  const rss = runs.map((r) => r.maxRssKb).filter((kb) => Number.isFinite(kb));
  const mb = (bytes) => (bytes / (1024 * 1024)).toFixed(2);
  process.stdout.write(`meshctl validate: ${options.services} services (seed ${options.seed}), ${options.runs} runs, node ${process.version}\n\n`);
  process.stdout.write(
    table([
      ['input MB', 'files', 'documents', 'wall median ms', 'wall min ms', 'peak RSS MB', 'diagnostics', 'errors', 'warnings', 'infos'],
      [
        mb(input.bytes),
        String(summary.files),
        String(summary.documents),
        median(walls).toFixed(0),
        Math.min(...walls).toFixed(0),
        rss.length > 0 ? (Math.max(...rss) / 1024).toFixed(1) : 'n/a',
        String(summary.diagnostics),
        String(summary.errors),
        String(summary.warnings),
        String(summary.infos),
      ],
    ]) + '\n',
  );
  process.stdout.write(`\nruns (ms): ${walls.map((ms) => ms.toFixed(0)).join(', ')}; peak RSS from ${existsSync(TIME) ? TIME : 'process.resourceUsage()'}\n`);
}

try {
  main();
} catch (error) {
  if (!(error instanceof MeasureError)) throw error;
  process.stderr.write(`measure-validate: ${error.message}\n`);
  process.exitCode = 2;
}
