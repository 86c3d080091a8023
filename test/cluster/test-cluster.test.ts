// The cluster tests' own tools, proven with kubectl as the client: users with limited rights,
// kubeconfigs that authenticate or verify wrongly, the API server stopped and restarted, and the
// proxy that cuts or stalls requests at a chosen point. If these did not work, a fault test of
// meshctl could pass for the wrong reason.
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { closedPort, requestsThat, startApiProxy, startSilentServer, type ApiProxy } from '../support/api-proxy.js';
import { createForeignAuthority, useTestCluster, writeKubeconfig, type KubeList } from '../support/test-cluster.js';

const cluster = useTestCluster('helper');
const namespace = 'helper-test';

let proxy: ApiProxy | undefined;
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function adminProxy(): Promise<{ proxy: ApiProxy; kubeconfig: string }> {
  proxy = await startApiProxy({
    upstream: cluster.server,
    certificateAuthority: cluster.certificateAuthority,
    serving: cluster.serving,
    upstreamClient: cluster.admin,
  });
  const kubeconfig = writeKubeconfig(path.join(cluster.scratchDir('proxy'), 'kubeconfig'), {
    server: proxy.url,
    certificateAuthority: cluster.certificateAuthority,
    credentials: cluster.admin,
  });
  return { proxy, kubeconfig };
}

const answeredPatches = (proxy: ApiProxy) => proxy.requests.filter(requestsThat.patch).map((request) => request.status !== undefined);

const configMaps = (names: readonly string[]) =>
  names.map((name) => JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, namespace }, data: { name } })).join('\n');

describe('test cluster helper', () => {
  it('gives each test file its own run directory, with the admin in system:masters', async () => {
    expect(path.basename(cluster.runDir)).toBe(`test-helper-${process.pid}`);
    expect(cluster.kubeconfig).toBe(path.join(cluster.runDir, 'kubeconfig'));
    expect(cluster.scratchDir('x').startsWith(`${cluster.runDir}/`)).toBe(true);
    expect((await cluster.kubectl(['auth', 'can-i', '*', '*', '--all-namespaces'])).trim()).toBe('yes');
    await cluster.kubectl(['create', 'namespace', namespace]);
  });

  it('creates a user who has only the rights a test grants', async () => {
    const kubeconfig = await cluster.createUser('limited-user', ['meshctl-testers']);
    const whoami = JSON.parse(await cluster.kubectl(['auth', 'whoami', '-o', 'json'], { kubeconfig })) as {
      status: { userInfo: { username: string; groups: string[] } };
    };
    expect(whoami.status.userInfo.username).toBe('limited-user');
    expect(whoami.status.userInfo.groups).toContain('meshctl-testers');

    const canI = async (verb: string) =>
      (await cluster.kubectlResult(['auth', 'can-i', verb, 'virtualservices.networking.istio.io', '-n', namespace], { kubeconfig })).stdout.trim();
    expect(await canI('list')).toBe('no');

    await cluster.kubectl(['create', 'role', 'read-routes', '-n', namespace, '--verb=get,list', '--resource=virtualservices.networking.istio.io']);
    await cluster.kubectl(['create', 'rolebinding', 'read-routes', '-n', namespace, '--role=read-routes', '--user=limited-user']);
    expect(await canI('list')).toBe('yes');
    expect(await canI('patch')).toBe('no');

    const refused = await cluster.kubectlResult(
      ['apply', '--server-side', '-f', '-'],
      { kubeconfig, input: JSON.stringify({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'x', namespace }, spec: { hosts: ['x'] } }) },
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('User "limited-user" cannot patch resource "virtualservices"');
  });

  it('writes kubeconfigs that trust the wrong CA or carry credentials the server rejects', async () => {
    const foreign = await createForeignAuthority(cluster.scratchDir('foreign'));
    const dir = cluster.scratchDir('kubeconfigs');
    const wrongCa = writeKubeconfig(path.join(dir, 'wrong-ca'), {
      server: cluster.server,
      certificateAuthority: foreign.certificateAuthority,
      credentials: cluster.admin,
    });
    const foreignClient = writeKubeconfig(path.join(dir, 'foreign-client'), {
      server: cluster.server,
      certificateAuthority: cluster.certificateAuthority,
      credentials: foreign.client,
    });
    const badToken = writeKubeconfig(path.join(dir, 'bad-token'), {
      server: cluster.server,
      certificateAuthority: cluster.certificateAuthority,
      credentials: { token: 'not-a-token-this-server-issued' },
    });

    const tls = await cluster.kubectlResult(['get', 'namespaces'], { kubeconfig: wrongCa });
    expect(tls.code).not.toBe(0);
    expect(tls.stderr).toContain('x509: certificate signed by unknown authority');
    for (const kubeconfig of [foreignClient, badToken]) {
      const rejected = await cluster.kubectlResult(['get', 'namespaces'], { kubeconfig });
      expect(rejected.code).not.toBe(0);
      expect(rejected.stderr).toContain('Unauthorized');
    }
  });

  it('proxies requests faithfully and counts them', async () => {
    const { proxy, kubeconfig } = await adminProxy();
    await cluster.kubectl(['apply', '--server-side', '--field-manager=helper', '-f', '-'], { kubeconfig, input: configMaps(['through-proxy']) });
    const patches = proxy.requests.filter(requestsThat.patch);
    expect(patches).toEqual([
      expect.objectContaining({ path: expect.stringMatching(`^/api/v1/namespaces/${namespace}/configmaps/through-proxy\\?`), status: 201 }),
    ]);
    const stored = await cluster.getJson(['configmap', 'through-proxy', '-n', namespace]);
    expect(stored.data).toEqual({ name: 'through-proxy' });
  });

  it('goes down after exactly N matching requests, as a stopped API server would', async () => {
    const { proxy, kubeconfig } = await adminProxy();
    proxy.goDownAfter(2, requestsThat.patchIn(namespace));
    const names = ['cut-1', 'cut-2', 'cut-3', 'cut-4'];
    const applied = await cluster.kubectlResult(['apply', '--server-side', '--field-manager=helper', '-f', '-'], { kubeconfig, input: configMaps(names) });
    expect(applied.code).not.toBe(0);
    expect(proxy.isDown).toBe(true);
    // The third PATCH arrived and was dropped; nothing after it reached the server.
    expect(proxy.requests.filter(requestsThat.patch).map((request) => request.status)).toEqual([201, 201, undefined]);
    const stored = await cluster.getJson<KubeList>(['configmaps', '-n', namespace, '-l', '!nonexistent']);
    expect(stored.items.map((item) => item.metadata.name).filter((name) => name.startsWith('cut-'))).toEqual(['cut-1', 'cut-2']);

    const refused = await cluster.kubectlResult(['get', 'namespaces'], { kubeconfig });
    expect(refused.stderr).toContain(`The connection to the server ${proxy.url.replace('https://', '')} was refused`);
  });

  it('holds a chosen request until an action (stopping the real API server) is done', async () => {
    const { proxy, kubeconfig } = await adminProxy();
    let stopped: Promise<void> | undefined;
    proxy.beforeForwarding(1, requestsThat.patchIn(namespace), () => (stopped = cluster.stopApiServer()));
    const applied = await cluster.kubectlResult(['apply', '--server-side', '--field-manager=helper', '-f', '-'], {
      kubeconfig,
      input: configMaps(['held-1', 'held-2']),
    });
    try {
      await stopped;
      expect(applied.code).not.toBe(0);
      expect(answeredPatches(proxy)).toEqual([true, false]);
    } finally {
      await cluster.startApiServer();
    }
    const stored = await cluster.getJson<KubeList>(['configmaps', '-n', namespace]);
    expect(stored.items.map((item) => item.metadata.name).filter((name) => name.startsWith('held-'))).toEqual(['held-1']);
  });

  it('hangs requests, so that a client timeout fires', async () => {
    const { proxy, kubeconfig } = await adminProxy();
    proxy.hang(requestsThat.all);
    const started = Date.now();
    const result = await cluster.kubectlResult(['get', 'namespaces', '--request-timeout=1s'], { kubeconfig });
    expect(result.code).not.toBe(0);
    expect(result.stderr).toMatch(/Client\.Timeout|context deadline exceeded|timeout/i);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(proxy.requests.length).toBeGreaterThan(0);
  });

  it('offers a port that never answers and a port nobody listens on', async () => {
    const silent = await startSilentServer();
    try {
      const kubeconfig = writeKubeconfig(path.join(cluster.scratchDir('silent'), 'kubeconfig'), {
        server: silent.url,
        certificateAuthority: cluster.certificateAuthority,
        credentials: cluster.admin,
      });
      const stalled = await cluster.kubectlResult(['get', 'namespaces', '--request-timeout=1s'], { kubeconfig });
      expect(stalled.code).not.toBe(0);
      expect(stalled.stderr).toMatch(/timeout|deadline/i);
    } finally {
      await silent.close();
    }
    const port = await closedPort();
    const kubeconfig = writeKubeconfig(path.join(cluster.scratchDir('closed'), 'kubeconfig'), {
      server: `https://127.0.0.1:${port}`,
      certificateAuthority: cluster.certificateAuthority,
      credentials: cluster.admin,
    });
    const refused = await cluster.kubectlResult(['get', 'namespaces'], { kubeconfig });
    expect(refused.stderr).toContain(`The connection to the server 127.0.0.1:${port} was refused`);
  });

  it('stops the API server and starts it again on the same port with the same data', async () => {
    const [etcdPid, apiServerPid] = cluster.pids();
    await cluster.stopApiServer();
    const refused = await cluster.kubectlResult(['get', 'configmap', 'cut-1', '-n', namespace]);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain(`The connection to the server ${cluster.server.replace('https://', '')} was refused`);

    await cluster.startApiServer();
    const [etcdAfter, apiServerAfter] = cluster.pids();
    expect(etcdAfter).toBe(etcdPid);
    expect(apiServerAfter).not.toBe(apiServerPid);
    const stored = await cluster.getJson(['configmap', 'cut-1', '-n', namespace]);
    expect(stored.data).toEqual({ name: 'cut-1' });
    // The CRDs are served again, not only stored.
    await cluster.kubectl(['get', 'virtualservices', '-n', namespace]);
  });
});
