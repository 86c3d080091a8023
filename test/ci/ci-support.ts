// What the integration tests share: meshctl installed the way the CI images install it (a
// `meshctl` executable on PATH, here this checkout's bin/run.js), running shell scripts as the CI
// systems do, and a small mesh with a base and two heads (one harmless, one widening access).
import { spawn } from 'node:child_process';
import { mkdirSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from '../helpers/run-cli.js';
import { service } from './git-fixture.js';

/** A PATH on which `meshctl` is this checkout's bin/run.js (built by `npm test` first) and `node` is this Node. */
export function pathWithMeshctl(scratch: string): string {
  const bin = path.join(scratch, 'bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(path.join(repoRoot, 'bin', 'run.js'), path.join(bin, 'meshctl'));
  return [bin, path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter);
}

export interface ProcessResult {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a program without blocking the event loop (tests serve HTTP to it meanwhile). */
export function run(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string>; timeoutMs?: number }): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** The environment a CI job starts from: nothing of the test runner's but what any shell needs. */
export function baseEnvironment(pathValue: string, home: string): Record<string, string> {
  return { PATH: pathValue, HOME: home, LANG: 'C.UTF-8', NO_COLOR: '1', GIT_CONFIG_NOSYSTEM: '1', GIT_CONFIG_GLOBAL: '/dev/null' };
}

const MESH_DOC = `apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: shop}
spec:
  access: deny-by-default
`;

const reviews = (callers: string, timeout: string) =>
  service(
    'reviews',
    'shop',
    `  versions: {v1: {labels: {version: v1}}, v2: {labels: {version: v2}}}
  canary: {stable: v1, canary: v2, weight: 10, steps: [10, 50, 100]}
  routes:
    - name: api
      match: {path: /reviews}
      timeout: ${timeout}
  access:
    allow:
      - from: {services: [${callers}]}
        to: {methods: [GET]}
`,
  );

/** The mesh on the base branch, and two heads. */
export const MESH_REVISIONS = {
  base: {
    'mesh/mesh.yaml': MESH_DOC,
    'mesh/reviews.yaml': reviews('productpage', '2s'),
    'mesh/productpage.yaml': service('productpage', 'shop', '  dependsOn: [reviews]\n'),
    'mesh/ratings.yaml': service('ratings', 'shop'),
  },
  /** A longer timeout: behaviour changes, access does not. */
  harmless: { 'mesh/reviews.yaml': reviews('productpage', '3s') },
  /** ratings may now call reviews. */
  widening: { 'mesh/reviews.yaml': reviews('productpage, ratings', '2s') },
  /** A new error in a changed file. */
  broken: { 'mesh/ratings.yaml': service('ratings', 'shop', '  dependsOn: [no-such-service]\n') },
} as const;
