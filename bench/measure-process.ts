// Runs one command as a child process and measures it from outside: wall time, CPU time (user +
// system) and peak resident memory. Every benchmark step goes through here, so that each figure
// is one process's own cost — module loading included, as a user pays it.
//
// Resource usage comes from GNU time (`/usr/bin/time -f`), which reads the child's rusage from
// wait4() without adding any code to it. Where it is missing, a preload module reports the child's
// own process.resourceUsage() as it exits: the same kernel counters, read from inside.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const GNU_TIME = '/usr/bin/time';
const TIME_MARKER = 'meshctl-bench-rusage:';
const PRELOAD = path.join(import.meta.dirname, 'rusage-preload.cjs');

/** How resource usage is read: GNU time around the child, or a preload inside a Node.js child. */
export type RusageMethod = 'gnu-time' | 'preload';

export interface Measurement {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Milliseconds from spawn to exit, measured by this process. */
  wallMs: number;
  /** User + system CPU milliseconds the child used. */
  cpuMs: number;
  /** The child's peak resident set size, in KiB. */
  maxRssKiB: number;
}

export interface MeasureOptions {
  cwd: string;
  method: RusageMethod;
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  input?: string;
}

export class MeasureError extends Error {}

export function defaultRusageMethod(): RusageMethod {
  return existsSync(GNU_TIME) ? 'gnu-time' : 'preload';
}

/**
 * Runs `node <args>` (the preload method can only see inside Node.js) and measures it. Throws a
 * MeasureError when the child could not be started or its usage could not be read; a non-zero exit
 * is returned, for the caller to judge.
 */
export function measureNode(args: readonly string[], options: MeasureOptions): Measurement {
  return measureProcess(process.execPath, args, options);
}

/**
 * Runs any program and measures it (Istio's analyzers, side by side with meshctl). Only GNU time
 * can see inside a program that is not Node.js: with the preload method this throws a MeasureError.
 */
export function measureCommand(executable: string, args: readonly string[], options: MeasureOptions): Measurement {
  if (options.method !== 'gnu-time') throw new MeasureError(`${path.basename(executable)}: its CPU time and memory can only be read with GNU time (${GNU_TIME})`);
  return measureProcess(executable, args, options);
}

function measureProcess(executable: string, args: readonly string[], options: MeasureOptions): Measurement {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', ...options.env };
  delete env.FORCE_COLOR;
  // Measure meshctl as installed. NODE_ENV=development or test (vitest sets the latter) makes oclif
  // load the TypeScript sources through a transpiler instead of dist/: twice the time and memory.
  // NODE_OPTIONS could preload anything.
  delete env.NODE_ENV;
  delete env.NODE_OPTIONS;
  const scratch = options.method === 'preload' ? mkdtempSync(path.join(tmpdir(), 'meshctl-bench-rusage-')) : undefined;
  const usageFile = scratch ? path.join(scratch, 'usage.json') : undefined;
  if (usageFile) env.MESHCTL_BENCH_RUSAGE_FILE = usageFile;
  const [command, commandArgs] =
    options.method === 'gnu-time'
      ? [GNU_TIME, ['-f', `${TIME_MARKER} %U %S %M`, executable, ...args]]
      : [executable, ['--require', PRELOAD, ...args]];
  try {
    const started = performance.now();
    const result = spawnSync(command, commandArgs, {
      cwd: options.cwd,
      env,
      input: options.input ?? '',
      encoding: 'utf8',
      maxBuffer: 512 * 1024 * 1024,
      timeout: options.timeoutMs ?? 30 * 60_000,
    });
    const wallMs = performance.now() - started;
    if (result.error) throw new MeasureError(`could not run ${path.basename(executable)} ${args.join(' ')}: ${result.error.message}`);
    let stderr = result.stderr;
    let usage: { cpuMs: number; maxRssKiB: number } | undefined;
    if (options.method === 'gnu-time') {
      const marker = stderr.lastIndexOf(TIME_MARKER);
      if (marker !== -1) {
        const [user, system, rss] = stderr.slice(marker + TIME_MARKER.length).trim().split(/\s+/).map(Number);
        usage = { cpuMs: ((user ?? Number.NaN) + (system ?? Number.NaN)) * 1000, maxRssKiB: rss ?? Number.NaN };
        // What GNU time adds to the child's own stderr: its marker line, and a line about a non-zero exit.
        stderr = stderr.slice(0, marker).replace(/Command (exited with non-zero status \d+|terminated by signal \d+)\n$/, '');
      }
    } else if (usageFile && existsSync(usageFile)) {
      const read = JSON.parse(readFileSync(usageFile, 'utf8')) as { userCPUTime: number; systemCPUTime: number; maxRSS: number };
      usage = { cpuMs: (read.userCPUTime + read.systemCPUTime) / 1000, maxRssKiB: read.maxRSS };
    }
    const killed = result.signal !== null;
    if (!usage || !Number.isFinite(usage.cpuMs) || !Number.isFinite(usage.maxRssKiB)) {
      const why = killed ? `it was killed by ${result.signal}` : `no resource usage was reported (exit ${result.status})`;
      throw new MeasureError(`${path.basename(executable)} ${args.join(' ')}: ${why}${stderr.trim() ? `: ${firstLines(stderr)}` : ''}`);
    }
    return { status: result.status, signal: result.signal, stdout: result.stdout, stderr, wallMs, ...usage };
  } finally {
    if (scratch) rmSync(scratch, { recursive: true, force: true });
  }
}

/** The first few lines of a child's error output, for a one-line report. */
export function firstLines(text: string, lines = 3): string {
  return text.trim().split('\n').slice(0, lines).join(' | ');
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}
