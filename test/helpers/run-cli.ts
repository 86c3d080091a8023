// Runs the built meshctl (bin/run.js, which loads dist/) as a user would, and reads back what it
// printed. `npm test` builds before the tests run.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';

export const repoRoot = path.join(import.meta.dirname, '..', '..');
const bin = path.join(repoRoot, 'bin', 'run.js');
const cpuPreload = path.join(import.meta.dirname, 'cpu-usage-preload.cjs');

export interface CliRun {
  status: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** Wall-clock milliseconds from spawn to exit. */
  elapsedMs: number;
  /** CPU milliseconds (user + system) the meshctl process used. */
  cpuMs: number;
}

export interface CliOptions {
  cwd?: string;
  /** Standard input; default: empty. */
  input?: string | Buffer;
  /** Changes to the environment (undefined removes a variable); NO_COLOR=1 unless overridden. */
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

export function runCli(args: readonly string[], options: CliOptions = {}): CliRun {
  // The colour of the output must depend on the test alone, not on the shell that runs it.
  const env: Record<string, string | undefined> = { ...process.env, FORCE_COLOR: undefined, NO_COLOR: '1', ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-cpu-'));
  env.MESHCTL_TEST_CPU_FILE = path.join(scratch, 'cpu');
  const started = performance.now();
  const result = spawnSync(process.execPath, ['--require', cpuPreload, bin, ...args], {
    cwd: options.cwd ?? repoRoot,
    input: options.input ?? '',
    env,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 20_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const elapsedMs = performance.now() - started;
  let cpuMs = Number.NaN;
  try {
    cpuMs = Number(readFileSync(env.MESHCTL_TEST_CPU_FILE, 'utf8')) / 1000;
  } catch {
    // No file: the process died before its exit handlers ran; cpuMs stays NaN and fails any bound.
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (result.error) throw result.error;
  return { status: result.status, signal: result.signal, stdout: result.stdout, stderr: result.stderr, elapsedMs, cpuMs };
}

export interface StylishLine {
  file: string;
  line: number;
  column: number;
  level: string;
  message: string;
  code: string;
}

/** The diagnostics of stylish output without colour: a file header, then indented rows. */
export function parseStylish(output: string): StylishLine[] {
  const rows: StylishLine[] = [];
  let file: string | undefined;
  for (const text of output.split('\n')) {
    const row = /^ {2}(\d+):(\d+)\s+(error|warning|info)\s{2,}(.*?)\s{2,}(MESH\d{3})$/.exec(text);
    if (row) {
      if (file === undefined) throw new Error(`diagnostic before any file header: ${text}`);
      rows.push({ file, line: Number(row[1]), column: Number(row[2]), level: row[3]!, message: row[4]!, code: row[5]! });
    } else if (/^\S/.test(text) && !/^[✔✖]/.test(text)) {
      file = text;
    }
  }
  return rows;
}

/** What a stack trace or an uncaught error looks like in output. */
export const STACK_TRACE = /\bat .*\(.*:\d+:\d+\)/;
export const ERROR_TRACE = /\b\w*Error:/;

/** 1-based line and column of the first occurrence of `marker` in `text`, plus `shift` columns. */
export function position(text: string, marker: string, shift = 0): { line: number; column: number } {
  const offset = text.indexOf(marker);
  if (offset === -1) throw new Error(`marker ${JSON.stringify(marker)} not in the text`);
  const before = text.slice(0, offset + shift);
  return { line: before.split('\n').length, column: before.length - before.lastIndexOf('\n') };
}
