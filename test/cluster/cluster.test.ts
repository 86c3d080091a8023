// The local test cluster (scripts/cluster.sh): a real kube-apiserver and etcd, compiled from Go
// modules, serving the Istio and Gateway API CRDs from ../shared/crds/. kubectl observes it, so these
// checks do not depend on meshctl's own Kubernetes client.
//
// The first run compiles kube-apiserver and etcd (about six minutes on two busy cores, module
// downloads included); later runs reuse the binaries in .cache/cluster/ and start in about ten seconds.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = path.join(import.meta.dirname, '..', '..');
const script = path.join(root, 'scripts', 'cluster.sh');
const kubectlBin = '/usr/bin/kubectl';
// A run directory of its own: the test must neither stop a cluster someone started by hand with
// `npm run cluster:up` nor collide with another test run in the same checkout.
const runDir = path.join(root, '.cache', 'cluster', `test-${process.pid}`);
const env = { ...process.env, MESHCTL_CLUSTER_RUN_DIR: runDir };

const minutes = 60_000;
// A cold build plus startup, with a wide margin for a slower or busier CI machine.
const upTimeoutMs = 45 * minutes;
const namespace = 'cluster-test';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Asynchronous, unlike the CLI tests' spawnSync: `up` may build for a long time, and the test
// runner's own timeout has to be able to fire meanwhile.
function run(
  command: string,
  args: readonly string[],
  options: { input?: string; timeoutMs?: number; echo?: boolean } = {},
): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd: root, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      stderr += chunk;
      // Progress of a long build belongs in the test log, not only in a failure message.
      if (options.echo) process.stderr.write(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGTERM'), options.timeoutMs ?? 60_000);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.input ?? '');
  });
}

let kubeconfig = '';

async function kubectl(args: readonly string[], input?: string): Promise<string> {
  const result = await run(kubectlBin, ['--kubeconfig', kubeconfig, ...args], input === undefined ? {} : { input });
  if (result.code !== 0) throw new Error(`kubectl ${args.join(' ')} exited ${result.code}: ${result.stderr}`);
  return result.stdout;
}

function readPids(): number[] {
  return ['etcd', 'kube-apiserver']
    .map((name) => path.join(runDir, `${name}.pid`))
    .filter((file) => existsSync(file))
    .map((file) => Number(readFileSync(file, 'utf8').trim()));
}

// A zombie has exited; whether anyone has reaped it yet depends on the init process, not on us.
function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

let pids: number[] = [];

beforeAll(async () => {
  const up = await run(script, ['up'], { timeoutMs: upTimeoutMs, echo: true });
  pids = readPids();
  expect(up.code, up.stderr).toBe(0);
  // stdout is the kubeconfig path and nothing else, so that `$(npm run -s cluster:up)` works.
  expect(up.stdout).toBe(`${path.join(runDir, 'kubeconfig')}\n`);
  kubeconfig = up.stdout.trim();
  await kubectl(['create', 'namespace', namespace]);
}, upTimeoutMs + minutes);

// Always, whatever happened above: a leaked API server holds half a gigabyte and two ports.
afterAll(async () => {
  pids = [...new Set([...pids, ...readPids()])];
  const down = await run(script, ['down']);
  expect(down.code, down.stderr).toBe(0);
  expect(existsSync(runDir)).toBe(false);
  expect(pids.filter(isRunning)).toEqual([]);
}, 2 * minutes);

describe('local test cluster', () => {
  it('starts etcd and kube-apiserver as two processes', () => {
    expect(pids).toHaveLength(2);
    expect(pids.filter(isRunning)).toHaveLength(2);
  });

  it('is ready', async () => {
    expect(await kubectl(['get', '--raw', '/readyz'])).toBe('ok');
  });

  it('listens on loopback only', async () => {
    // Listening TCP sockets of the two processes, from the kernel's point of view.
    const listening = await run('ss', ['-Hltnp']);
    expect(listening.code, listening.stderr).toBe(0);
    const ours = listening.stdout
      .split('\n')
      .filter((line) => pids.some((pid) => line.includes(`pid=${pid},`)))
      .map((line) => line.trim().split(/\s+/)[3]);
    // etcd: client and peer; kube-apiserver: its secure port.
    expect(ours.length).toBeGreaterThanOrEqual(3);
    for (const address of ours) expect(address).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('authorizes with RBAC', async () => {
    // The admin is in system:masters; anyone else starts with the bootstrap roles only.
    expect((await kubectl(['auth', 'can-i', 'create', 'virtualservices.networking.istio.io', '-A'])).trim()).toBe('yes');
    const stranger = await run(kubectlBin, [
      '--kubeconfig', kubeconfig, 'auth', 'can-i', 'list', 'secrets', '-n', 'default', '--as', 'stranger',
    ]);
    expect(stranger.stdout.trim()).toBe('no');
  });

  it('serves the Istio and Gateway API CRDs', async () => {
    const resources = (await kubectl(['api-resources', '-o', 'name'])).split('\n');
    expect(resources).toEqual(
      expect.arrayContaining([
        'virtualservices.networking.istio.io',
        'destinationrules.networking.istio.io',
        'gateways.networking.istio.io',
        'serviceentries.networking.istio.io',
        'workloadentries.networking.istio.io',
        'sidecars.networking.istio.io',
        'envoyfilters.networking.istio.io',
        'authorizationpolicies.security.istio.io',
        'peerauthentications.security.istio.io',
        'requestauthentications.security.istio.io',
        'telemetries.telemetry.istio.io',
        'httproutes.gateway.networking.k8s.io',
        'gateways.gateway.networking.k8s.io',
      ]),
    );
    // The version meshctl compiles to, not just some version of the group.
    const group = JSON.parse(await kubectl(['get', '--raw', '/apis/networking.istio.io/v1'])) as {
      resources: { name: string }[];
    };
    expect(group.resources.map((resource) => resource.name)).toContain('virtualservices');
  });

  it('stores a VirtualService and returns it', async () => {
    const virtualService = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'reviews', namespace },
      spec: {
        hosts: ['reviews'],
        http: [
          {
            route: [
              { destination: { host: 'reviews', subset: 'v1' }, weight: 80 },
              { destination: { host: 'reviews', subset: 'v2' }, weight: 20 },
            ],
          },
        ],
      },
    };
    await kubectl(['apply', '--server-side', '--field-manager', 'cluster-test', '-f', '-'], JSON.stringify(virtualService));

    const stored = JSON.parse(await kubectl(['get', 'virtualservice', 'reviews', '-n', namespace, '-o', 'json'])) as {
      metadata: { uid?: string; resourceVersion?: string };
      spec: unknown;
    };
    expect(stored.spec).toEqual(virtualService.spec);
    expect(stored.metadata.uid).toMatch(/^[0-9a-f-]{36}$/);
    expect(stored.metadata.resourceVersion).toMatch(/^\d+$/);
  });

  it('enforces the CRD schema', async () => {
    const invalid = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'invalid', namespace },
      spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews' }, weight: 'most' }] }] },
    };
    const result = await run(kubectlBin, ['--kubeconfig', kubeconfig, 'create', '-f', '-'], {
      input: JSON.stringify(invalid),
    });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.http[0].route[0].weight');
  });

  // The API server is the final judge of compiled output: structural schema, CEL rules and
  // admission as Istio's CRDs define them. kubectl applies, meshctl only compiles.
  it('accepts everything meshctl compiles from the example mesh, by server-side apply', async () => {
    const compiled = await run(process.execPath, [path.join(root, 'bin', 'run.js'), 'compile', 'examples/mesh', '--format', 'json']);
    expect(compiled.code, compiled.stderr).toBe(0);
    const items = (JSON.parse(compiled.stdout) as { items: { kind: string; metadata: { name: string; namespace?: string } }[] }).items;
    const applied = await kubectl(['apply', '--server-side', '--field-manager=meshctl-test', '-f', '-'], compiled.stdout);
    expect(applied.trim().split('\n')).toHaveLength(items.length);
    const reviews = JSON.parse(await kubectl(['get', 'virtualservice', 'reviews', '-n', 'storefront', '-o', 'json'])) as { spec: unknown };
    expect(reviews.spec).toEqual((items.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'reviews') as unknown as { spec: unknown }).spec);
  });
});
