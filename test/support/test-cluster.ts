// One local API server per test file (scripts/cluster.sh in a run directory of its own), and what
// the cluster tests do with it: run kubectl as an independent observer, run meshctl, add users with
// limited rights, write kubeconfigs that point elsewhere or trust the wrong CA, stop and restart the
// API server. `useTestCluster` registers the start and the stop with vitest, so a test file cannot
// forget the stop; a failed start cleans up after itself.
import { existsSync, mkdirSync, readdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, vi } from 'vitest';
import { runProcess, type ProcessResult, type RunOptions } from '../helpers/run-process.js';

export { runProcess, type ProcessResult, type RunOptions };
import { stringify } from 'yaml';

export const repoRoot = path.join(import.meta.dirname, '..', '..');
const script = path.join(repoRoot, 'scripts', 'cluster.sh');
const meshctlBin = path.join(repoRoot, 'bin', 'run.js');
export const KUBECTL = '/usr/bin/kubectl';

const minutes = 60_000;
/**
 * Starting a cluster takes about ten seconds once kube-apiserver and etcd are built; the first
 * start on a fresh machine compiles them (six minutes and more on two busy cores, and a second test
 * file waits on the first one's build lock). The margin is for a slow CI machine: failing late is
 * better than failing flakily.
 */
export const CLUSTER_UP_TIMEOUT_MS = 45 * minutes;
const CLUSTER_DOWN_TIMEOUT_MS = 2 * minutes;

/**
 * The built meshctl (bin/run.js loads dist/; `npm test` builds first), without colour, and without
 * the caller's KUBECONFIG: a test states the kubeconfig it means.
 */
export function runMeshctl(args: readonly string[], options: RunOptions = {}): Promise<ProcessResult> {
  return runProcess(process.execPath, [meshctlBin, ...args], {
    timeoutMs: 2 * minutes,
    ...options,
    env: { FORCE_COLOR: undefined, NO_COLOR: '1', KUBECONFIG: undefined, ...options.env },
  });
}

/** What a failed command printed, for assertion messages. */
export function describeRun(result: ProcessResult): string {
  return `exit ${result.code}${result.signal ? ` (${result.signal})` : ''}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

export interface PemCredentials {
  certificate: string;
  key: string;
}

export interface KubeconfigSpec {
  server: string;
  /** PEM of the CA the client trusts. */
  certificateAuthority: string;
  /** A client certificate, a bearer token, or neither (anonymous). */
  credentials?: PemCredentials | { token: string };
  /** Names used for the cluster, user and context entries; default "meshctl-local". */
  context?: string;
}

const base64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

export function writeKubeconfig(file: string, spec: KubeconfigSpec): string {
  const name = spec.context ?? 'meshctl-local';
  const user: Record<string, string> = {};
  if (spec.credentials && 'token' in spec.credentials) user.token = spec.credentials.token;
  else if (spec.credentials) {
    user['client-certificate-data'] = base64(spec.credentials.certificate);
    user['client-key-data'] = base64(spec.credentials.key);
  }
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster: { server: spec.server, 'certificate-authority-data': base64(spec.certificateAuthority) } }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name } }],
    'current-context': name,
  };
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}

async function openssl(args: readonly string[], cwd: string): Promise<void> {
  const result = await runProcess('openssl', args, { cwd });
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${describeRun(result)}`);
}

/**
 * A CA unrelated to the cluster's, with a client certificate it signed: the API server does not
 * trust the certificate (401), and a client trusting this CA does not trust the server (TLS error).
 */
export async function createForeignAuthority(dir: string): Promise<{ certificateAuthority: string; client: PemCredentials }> {
  mkdirSync(dir, { recursive: true });
  const ecKey = (file: string) => openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', file], dir);
  await ecKey('ca.key');
  await openssl(['req', '-x509', '-new', '-key', 'ca.key', '-out', 'ca.crt', '-days', '2', '-subj', '/CN=foreign-ca'], dir);
  await ecKey('client.key');
  await openssl(['req', '-new', '-key', 'client.key', '-subj', '/O=system:masters/CN=foreign-admin', '-out', 'client.csr'], dir);
  await openssl(
    ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-CAcreateserial', '-days', '2', '-out', 'client.crt'],
    dir,
  );
  const read = (file: string) => readFileSync(path.join(dir, file), 'utf8');
  return { certificateAuthority: read('ca.crt'), client: { certificate: read('client.crt'), key: read('client.key') } };
}

export interface TestCluster {
  /** The run directory; removed with everything in it when the cluster stops. */
  readonly runDir: string;
  /** The admin's kubeconfig (system:masters). */
  readonly kubeconfig: string;
  /** https://127.0.0.1:PORT */
  readonly server: string;
  /** PEM of the run's CA, which signed the serving and all client certificates. */
  readonly certificateAuthority: string;
  /** The API server's own serving certificate (valid for 127.0.0.1), for a proxy in front of it. */
  readonly serving: PemCredentials;
  readonly admin: PemCredentials;
  /** etcd's and kube-apiserver's pids as the script recorded them. */
  pids(): number[];
  /** kubectl as the admin (or with another kubeconfig); stdout, or an error with everything printed. */
  kubectl(args: readonly string[], options?: { input?: string; kubeconfig?: string }): Promise<string>;
  /** kubectl's whole result, for commands expected to fail. */
  kubectlResult(args: readonly string[], options?: { input?: string; kubeconfig?: string }): Promise<ProcessResult>;
  /** `kubectl get ... -o json`, parsed. */
  getJson<T = KubeObject>(args: readonly string[]): Promise<T>;
  /** A user NAME in GROUPS with a client certificate from the run's CA; returns its kubeconfig. */
  createUser(name: string, groups?: readonly string[]): Promise<string>;
  /** A directory for a test's files inside the run directory (so it goes away with the cluster). */
  scratchDir(name: string): string;
  stopApiServer(): Promise<void>;
  startApiServer(): Promise<void>;
}

export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    uid?: string;
    resourceVersion?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: unknown;
}

export interface KubeList<T = KubeObject> {
  items: T[];
}

/** A zombie has exited; whether anyone has reaped it yet depends on the init process, not on us. */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

const clusterCache = path.join(repoRoot, '.cache', 'cluster');
const testRunDirPattern = /^test-[a-z0-9-]+-(\d+)$/;

/**
 * Clusters of test processes that died without their afterAll (a killed run): each run directory
 * carries its test process's pid, and `down` stops only processes started for that directory.
 */
async function removeAbandonedClusters(): Promise<void> {
  if (!existsSync(clusterCache)) return;
  for (const entry of readdirSync(clusterCache)) {
    const owner = testRunDirPattern.exec(entry)?.[1];
    if (owner === undefined || isRunning(Number(owner))) continue;
    await runProcess(script, ['down'], { env: { MESHCTL_CLUSTER_RUN_DIR: path.join(clusterCache, entry) } });
  }
}

/**
 * A cluster for the calling test file, started in beforeAll and stopped in afterAll — also when
 * the start failed or timed out halfway. Its properties are readable once beforeAll has run.
 */
export function useTestCluster(label: string): TestCluster {
  if (!/^[a-z0-9-]+$/.test(label)) throw new Error(`test cluster label "${label}": lower-case letters, digits and "-" only`);
  // Each test of a cluster file runs meshctl and kubectl a few times, a few seconds each on a
  // busy machine; the project's 30 s default is for tests of the library.
  vi.setConfig({ testTimeout: 3 * minutes, hookTimeout: 3 * minutes });
  // Its own run directory: a test must neither stop a cluster someone started by hand with
  // `npm run cluster:up` nor collide with another test file running at the same time.
  const runDir = path.join(clusterCache, `test-${label}-${process.pid}`);
  const env = { MESHCTL_CLUSTER_RUN_DIR: runDir };
  let started: { kubeconfig: string; server: string; certificateAuthority: string; serving: PemCredentials; admin: PemCredentials } | undefined;
  let startedPids: number[] = [];

  const need = () => {
    if (!started) throw new Error(`the test cluster "${label}" has not started (see beforeAll's error)`);
    return started;
  };
  const readPids = () =>
    ['etcd', 'kube-apiserver']
      .map((name) => path.join(runDir, `${name}.pid`))
      .filter((file) => existsSync(file))
      .map((file) => Number(readFileSync(file, 'utf8').trim()));
  const clusterScript = async (args: readonly string[], timeoutMs = 2 * minutes) => {
    const result = await runProcess(script, args, { env, timeoutMs });
    if (result.code !== 0) throw new Error(`scripts/cluster.sh ${args.join(' ')}: ${describeRun(result)}`);
    return result.stdout.trim();
  };

  const kubectlResult: TestCluster['kubectlResult'] = (args, options = {}) =>
    runProcess(KUBECTL, ['--kubeconfig', options.kubeconfig ?? need().kubeconfig, ...args], options.input === undefined ? {} : { input: options.input });
  const kubectl: TestCluster['kubectl'] = async (args, options) => {
    const result = await kubectlResult(args, options);
    if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')}: ${describeRun(result)}`);
    return result.stdout;
  };

  beforeAll(async () => {
    await removeAbandonedClusters();
    const up = await runProcess(script, ['up'], { env, timeoutMs: CLUSTER_UP_TIMEOUT_MS, echoStderr: true });
    startedPids = readPids();
    if (up.code !== 0) throw new Error(`scripts/cluster.sh up: ${describeRun(up)}`);
    const kubeconfig = path.join(runDir, 'kubeconfig');
    // The script prints the real path: .cache may be a symbolic link (a worktree sharing the builds).
    if (!up.stdout.endsWith('\n') || up.stdout.trimEnd().includes('\n') || realpathSync(up.stdout.trimEnd()) !== realpathSync(kubeconfig)) {
      throw new Error(`scripts/cluster.sh up printed more than the kubeconfig path: ${describeRun(up)}`);
    }
    const pki = (file: string) => readFileSync(path.join(runDir, 'pki', file), 'utf8');
    started = {
      kubeconfig,
      server: `https://127.0.0.1:${readFileSync(path.join(runDir, 'port'), 'utf8').trim()}`,
      certificateAuthority: pki('ca.crt'),
      serving: { certificate: pki('serving.crt'), key: pki('serving.key') },
      admin: { certificate: pki('admin.crt'), key: pki('admin.key') },
    };
  }, CLUSTER_UP_TIMEOUT_MS + minutes);

  // Always, whatever happened above: a leaked API server holds half a gigabyte and two ports. `up`
  // has exited by now (its timeout is shorter than beforeAll's), and cleans up itself on failure.
  afterAll(async () => {
    const pids = [...new Set([...startedPids, ...readPids()])];
    await clusterScript(['down'], CLUSTER_DOWN_TIMEOUT_MS);
    // `down` counts a process as stopped once its command line is gone, which happens a moment
    // before the kernel has finished its exit.
    const deadline = Date.now() + 10_000;
    while (pids.some(isRunning) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
    const survivors = pids.filter(isRunning);
    if (survivors.length > 0) throw new Error(`test cluster "${label}": processes ${survivors.join(', ')} survived scripts/cluster.sh down`);
    if (existsSync(runDir)) throw new Error(`test cluster "${label}": ${runDir} survived scripts/cluster.sh down`);
  }, CLUSTER_DOWN_TIMEOUT_MS + minutes);

  return {
    runDir,
    get kubeconfig() {
      return need().kubeconfig;
    },
    get server() {
      return need().server;
    },
    get certificateAuthority() {
      return need().certificateAuthority;
    },
    get serving() {
      return need().serving;
    },
    get admin() {
      return need().admin;
    },
    pids: readPids,
    kubectl,
    kubectlResult,
    async getJson<T>(args: readonly string[]) {
      return JSON.parse(await kubectl(['get', ...args, '-o', 'json'])) as T;
    },
    async createUser(name, groups = []) {
      need();
      return clusterScript(['user', name, ...groups]);
    },
    scratchDir(name) {
      need();
      const dir = path.join(runDir, 'scratch', name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    async stopApiServer() {
      need();
      await clusterScript(['stop-apiserver']);
    },
    async startApiServer() {
      need();
      await clusterScript(['start-apiserver']);
    },
  };
}

/**
 * A small mesh for the cluster tests, as one file: the `reviews` canary (a VirtualService,
 * DestinationRule and Sidecars in namespace `shop`, mesh-wide PeerAuthentication and Sidecar in
 * istio-system), optionally the external `payments` service (a ServiceEntry, a kind nothing else
 * produces) and the `ratings` service in namespace `catalog` (its own AuthorizationPolicy, another
 * kind of its own). Switching the two between runs changes the set of kinds both ways.
 */
export function shopMesh(options: { canaryWeight: 10 | 50 | 100; payments?: boolean; ratings?: boolean; meshName?: string }): string {
  const documents = [
    `apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata:
  name: ${options.meshName ?? 'shop'}
spec:
  mtls: strict
`,
    `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata:
  name: reviews
  namespace: shop
spec:
  ports:
    - name: http
      port: 9080
      protocol: http
  versions:
    v1: {labels: {app: reviews, version: v1}}
    v2: {labels: {app: reviews, version: v2}}
  canary: {stable: v1, canary: v2, weight: ${options.canaryWeight}, steps: [10, 50, 100]}
`,
  ];
  if (options.payments)
    documents.push(`apiVersion: meshctl.dev/v1alpha1
kind: ExternalService
metadata:
  name: payments
  namespace: shop
spec:
  hosts: [api.payments.example.com]
  ports:
    - name: tls
      port: 443
      protocol: tls
  resolution: dns
`);
  if (options.ratings)
    documents.push(`apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata:
  name: ratings
  namespace: catalog
spec:
  ports:
    - name: http
      port: 9080
      protocol: http
  versions:
    v1: {labels: {app: ratings, version: v1}}
  access:
    allow:
      - from: {services: [shop/reviews]}
`);
  return documents.join('---\n');
}

/** Writes `mesh.yaml` into DIR (replacing what was there) and returns DIR. */
export function writeMesh(dir: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'mesh.yaml'), text);
  return dir;
}

/**
 * meshctl failed as a user should see it: exit 2, nothing on stdout (unless told otherwise), and on
 * stderr one line `meshctl: error: ...`, optionally followed by indented detail lines — never a
 * stack trace. Returns the error line.
 */
export function errorLineOf(result: ProcessResult, options: { stdout?: 'empty' | 'any' } = {}): string {
  const lines = result.stderr.trimEnd().split('\n');
  const context = describeRun(result);
  if (result.code !== 2) throw new Error(`expected exit 2: ${context}`);
  if ((options.stdout ?? 'empty') === 'empty' && result.stdout !== '') throw new Error(`expected nothing on stdout: ${context}`);
  if (lines.length === 0 || !lines[0]!.startsWith('meshctl: error: ')) throw new Error(`expected "meshctl: error: ..." first: ${context}`);
  for (const line of lines.slice(1)) {
    if (!line.startsWith('  ')) throw new Error(`expected one error line (details indented): ${context}`);
    if (/^\s+at .+:\d+:\d+\)?$/.test(line)) throw new Error(`stack trace printed: ${context}`);
  }
  return lines[0]!;
}
