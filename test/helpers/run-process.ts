// Runs a process and collects what it printed, asynchronously: unlike spawnSync, a server run by
// the test process itself (a proxy, a fake API) keeps answering while the child runs, and the test
// runner's own timeout can fire.
import { spawn } from 'node:child_process';
import path from 'node:path';

const repoRoot = path.join(import.meta.dirname, '..', '..');

const minutes = 60_000;

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  cwd?: string;
  /** Changes to the environment; undefined removes a variable. */
  env?: Record<string, string | undefined>;
  input?: string;
  timeoutMs?: number;
  /** Copy stderr to the test log as it arrives (progress of a long build). */
  echoStderr?: boolean;
}

/**
 * Asynchronous, unlike spawnSync: a proxy served by the test process itself must keep answering
 * while the child runs, and the test runner's own timeout must be able to fire.
 */
export function runProcess(command: string, args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  for (const [key, value] of Object.entries(env)) if (value === undefined) delete env[key];
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd ?? repoRoot, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      if (options.echoStderr) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? minutes);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
    child.stdin.on('error', () => undefined); // a child that exits without reading its input
    child.stdin.end(options.input ?? '');
  });
}
