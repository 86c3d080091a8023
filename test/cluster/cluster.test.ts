// The local test cluster (scripts/cluster.sh): a real kube-apiserver and etcd, compiled from Go
// modules, serving the Istio and Gateway API CRDs pinned in scripts/externals.json. kubectl
// observes it, so these checks do not depend on meshctl's own Kubernetes client.
//
// The first run compiles kube-apiserver and etcd (about six minutes on two busy cores, module
// downloads included); later runs reuse the binaries in .cache/cluster/ and start in about ten seconds.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRun, isRunning, repoRoot, runMeshctl, runProcess, useTestCluster } from '../support/test-cluster.js';

// Started in beforeAll and stopped in afterAll by the helper, which also checks that `down` leaves
// no process and no run directory behind.
const cluster = useTestCluster('cluster');
const namespace = 'cluster-test';
const kubectl = (args: readonly string[], input?: string) => cluster.kubectl(args, input === undefined ? {} : { input });

describe('local test cluster', () => {
  it('starts etcd and kube-apiserver as two processes', async () => {
    // The helper insists that `up` prints the kubeconfig path and nothing else on stdout, so that
    // `$(npm run -s cluster:up)` works.
    expect(cluster.kubeconfig).toBe(path.join(cluster.runDir, 'kubeconfig'));
    const pids = cluster.pids();
    expect(pids).toHaveLength(2);
    expect(pids.filter(isRunning)).toHaveLength(2);
    await kubectl(['create', 'namespace', namespace]);
  });

  it('is ready', async () => {
    expect(await kubectl(['get', '--raw', '/readyz'])).toBe('ok');
  });

  it('listens on loopback only', async () => {
    // Listening TCP sockets of the two processes, from the kernel's point of view.
    const listening = await runProcess('ss', ['-Hltnp']);
    expect(listening.code, listening.stderr).toBe(0);
    const pids = cluster.pids();
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
    const stranger = await cluster.kubectlResult(['auth', 'can-i', 'list', 'secrets', '-n', 'default', '--as', 'stranger']);
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
    const result = await cluster.kubectlResult(['create', '-f', '-'], { input: JSON.stringify(invalid) });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain('spec.http[0].route[0].weight');
  });

  // The API server is the final judge of compiled output: structural schema, CEL rules and
  // admission as Istio's CRDs define them. kubectl applies, meshctl only compiles.
  it('accepts everything meshctl compiles from the example mesh, by server-side apply', async () => {
    const compiled = await runMeshctl(['compile', 'examples/mesh', '--format', 'json'], { cwd: repoRoot });
    expect(compiled.code, describeRun(compiled)).toBe(0);
    const items = (JSON.parse(compiled.stdout) as { items: { kind: string; metadata: { name: string; namespace?: string } }[] }).items;
    const applied = await kubectl(['apply', '--server-side', '--field-manager=meshctl-test', '-f', '-'], compiled.stdout);
    expect(applied.trim().split('\n')).toHaveLength(items.length);
    const reviews = JSON.parse(await kubectl(['get', 'virtualservice', 'reviews', '-n', 'storefront', '-o', 'json'])) as { spec: unknown };
    expect(reviews.spec).toEqual((items.find((o) => o.kind === 'VirtualService' && o.metadata.name === 'reviews') as unknown as { spec: unknown }).spec);
  });
});
