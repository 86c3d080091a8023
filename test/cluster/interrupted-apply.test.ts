// An apply that stops halfway must leave the cluster so that the next apply converges: nothing
// pruned by the failed run, the ApplySet parent listing every kind the old and the new mesh use
// (so the rerun still knows where to look for objects to prune), and after the rerun exactly the
// compiled objects, nothing orphaned. The API server "stops" at a chosen request: a proxy between
// meshctl and the server lets exactly N writes through and then refuses everything, which is as
// deterministic as a fault can be. The same proxy shows that --dry-run=server sends no real write.
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import path from 'node:path';
import { isDryRun, startApiProxy, type ApiProxy, type ObservedRequest, type RequestMatcher } from '../support/api-proxy.js';
import {
  describeRun,
  errorLineOf,
  runMeshctl,
  shopMesh,
  useTestCluster,
  writeKubeconfig,
  writeMesh,
  type KubeList,
  type KubeObject,
} from '../support/test-cluster.js';

const cluster = useTestCluster('interrupted');

// Before: the reviews canary at 10 % and the external payments service (a ServiceEntry).
// After: the canary at 50 %, payments gone, the ratings service (an AuthorizationPolicy, a new
// namespace) added: kinds and namespaces change both ways.
const meshBefore = shopMesh({ canaryWeight: 10, payments: true });
const meshAfter = shopMesh({ canaryWeight: 50, ratings: true });
const parent = { namespace: 'istio-system', name: 'meshctl-shop' };
const parentPath = `/api/v1/namespaces/${parent.namespace}/secrets/${parent.name}`;
// Every resource the two meshes compile to.
const RESOURCES = [
  'namespaces',
  'virtualservices.networking.istio.io',
  'destinationrules.networking.istio.io',
  'serviceentries.networking.istio.io',
  'sidecars.networking.istio.io',
  'peerauthentications.security.istio.io',
  'authorizationpolicies.security.istio.io',
].join(',');

let meshDir = '';
let proxyKubeconfig = '';
let proxy: ApiProxy | undefined;

beforeAll(() => {
  meshDir = cluster.scratchDir('mesh');
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
});

async function startProxy(): Promise<ApiProxy> {
  proxy = await startApiProxy({
    upstream: cluster.server,
    certificateAuthority: cluster.certificateAuthority,
    serving: cluster.serving,
    upstreamClient: cluster.admin,
  });
  proxyKubeconfig = writeKubeconfig(path.join(cluster.scratchDir('proxy'), 'kubeconfig'), {
    server: proxy.url,
    certificateAuthority: cluster.certificateAuthority,
    credentials: cluster.admin,
  });
  return proxy;
}

/**
 * A request that writes an object: not a review of the caller's own rights (a POST that stores
 * nothing). The proxy decides on method and path, before it has read the body.
 */
const isWrite: RequestMatcher = (request) =>
  ['PATCH', 'DELETE', 'POST', 'PUT'].includes(request.method) && !request.path.startsWith('/apis/authorization.k8s.io/');
/** A write of a member of the set: not a dry run by its query, not the ApplySet parent. */
const memberWrite: RequestMatcher = (request) => isWrite(request) && !request.path.includes('dryRun=') && !request.path.startsWith(parentPath);

const answered = (requests: readonly ObservedRequest[]) => requests.map((request) => request.status !== undefined);

const apply = (kubeconfig: string, ...flags: string[]) => runMeshctl(['apply', meshDir, '--kubeconfig', kubeconfig, ...flags]);

interface Compiled {
  key: string;
  groupKind: string;
  object: KubeObject;
}

const groupOf = (apiVersion: string) => (apiVersion.includes('/') ? apiVersion.split('/')[0]! : '');
const keyOf = (object: KubeObject) => `${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`;
const groupKindOf = (object: KubeObject) => [object.kind, groupOf(object.apiVersion)].filter(Boolean).join('.');

async function compile(): Promise<Compiled[]> {
  const result = await runMeshctl(['compile', meshDir, '-o', 'json']);
  expect(result.code, describeRun(result)).toBe(0);
  return (JSON.parse(result.stdout) as KubeList).items.map((object) => ({ key: keyOf(object), groupKind: groupKindOf(object), object }));
}

/** Live objects meshctl made (by their managed-by label), deleted ones excluded, by key. */
async function liveObjects(): Promise<Map<string, KubeObject>> {
  const list = await cluster.getJson<KubeList>([RESOURCES, '--all-namespaces', '-l', 'app.kubernetes.io/managed-by=meshctl']);
  const live = new Map<string, KubeObject>();
  for (const object of list.items) {
    if ((object.metadata as { deletionTimestamp?: string }).deletionTimestamp) continue;
    live.set(keyOf(object), object);
  }
  return live;
}

async function parentObject(): Promise<KubeObject> {
  return cluster.getJson(['secret', parent.name, '-n', parent.namespace]);
}

const annotation = (object: KubeObject, name: string) => object.metadata.annotations?.[name];
const sortedUnique = (values: Iterable<string>) => [...new Set(values)].sort();

/** Every object with its resourceVersion, the parent included: what a write would change. */
async function versions(): Promise<Record<string, string | undefined>> {
  const snapshot: Record<string, string | undefined> = {};
  for (const [key, object] of await liveObjects()) snapshot[key] = object.metadata.resourceVersion;
  snapshot.parent = (await parentObject()).metadata.resourceVersion;
  return snapshot;
}

async function expectConverged(compiled: readonly Compiled[]): Promise<void> {
  const live = await liveObjects();
  expect([...live.keys()].sort()).toEqual(compiled.map((item) => item.key).sort());
  const parentNow = await parentObject();
  const id = parentNow.metadata.labels?.['applyset.kubernetes.io/id'];
  expect(id).toMatch(/^applyset-[A-Za-z0-9_-]+-v1$/);
  for (const { key, object } of compiled) {
    const stored = live.get(key)!;
    expect(stored.metadata.labels?.['applyset.kubernetes.io/part-of'], key).toBe(id);
    if ('spec' in object) expect(stored.spec, key).toEqual(object.spec);
  }
  expect(annotation(parentNow, 'applyset.kubernetes.io/contains-group-kinds')).toBe(sortedUnique(compiled.map((item) => item.groupKind)).join(','));
}

describe('an apply interrupted by the API server going away', () => {
  let compiledBefore: Compiled[] = [];
  let compiledAfter: Compiled[] = [];

  it('starts from a converged cluster', async () => {
    writeMesh(meshDir, meshBefore);
    compiledBefore = await compile();
    const result = await apply(cluster.kubeconfig);
    expect(result.code, describeRun(result)).toBe(0);
    await expectConverged(compiledBefore);
    expect(compiledBefore.map((item) => item.key)).toContain('ServiceEntry shop/payments');
  });

  it('stops after exactly two writes, pruning nothing and recording the union of both sets', async () => {
    const payments = (await liveObjects()).get('ServiceEntry shop/payments');
    const before = await versions();
    writeMesh(meshDir, meshAfter);
    compiledAfter = await compile();

    const proxy = await startProxy();
    proxy.goDownAfter(2, memberWrite);
    const result = await apply(proxyKubeconfig);
    // stdout may list the objects written before the cut.
    expect(errorLineOf(result, { stdout: 'any' }).startsWith(`meshctl: error: cannot reach the API server at ${proxy.url}: `)).toBe(true);

    // Two writes reached the server; the third (and any sent alongside it) was cut on the way.
    const writes = proxy.requests.filter(memberWrite);
    expect(answered(writes)).toEqual([true, true, false, ...writes.slice(3).map(() => false)]);
    // A new object is a create (POST) and the record of its fields as applied (PATCH); others a PATCH.
    expect(writes.every((request) => request.method === 'PATCH' || request.method === 'POST')).toBe(true);
    const objectPath = (request: ObservedRequest) => {
      const path = request.path.split('?')[0]!;
      return request.method === 'POST' ? `${path}/${(JSON.parse(request.body) as KubeObject).metadata.name}` : path;
    };
    const touched = new Set(writes.slice(0, 2).map(objectPath));

    // Exactly the objects those two writes were about changed or appeared; the one the new mesh drops is still there.
    const after = await versions();
    const written = Object.keys(after).filter((key) => key !== 'parent' && after[key] !== before[key]);
    expect(written).toHaveLength(touched.size);
    expect((await liveObjects()).get('ServiceEntry shop/payments')?.metadata.uid).toBe(payments?.metadata.uid);

    const parentNow = await parentObject();
    expect(annotation(parentNow, 'applyset.kubernetes.io/contains-group-kinds')).toBe(
      sortedUnique([...compiledBefore, ...compiledAfter].map((item) => item.groupKind)).join(','),
    );
    expect(annotation(parentNow, 'applyset.kubernetes.io/additional-namespaces')).toBe('catalog,shop');
  });

  it('converges on the rerun: every compiled object present, the dropped one pruned', async () => {
    const result = await apply(cluster.kubeconfig);
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toContain('pruned ServiceEntry shop/payments');
    await expectConverged(compiledAfter);
    expect(compiledAfter.map((item) => item.key)).not.toContain('ServiceEntry shop/payments');
    expect(annotation(await parentObject(), 'applyset.kubernetes.io/additional-namespaces')).toBe('catalog,shop');
  });

  it('then has nothing left to do', async () => {
    const before = await versions();
    const result = await apply(cluster.kubeconfig);
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout.trim()).toMatch(/^no changes\b/);
    expect(await versions()).toEqual(before);
  });

  it('survives the real API server stopping mid-apply: after its restart, the rerun converges', async () => {
    writeMesh(meshDir, shopMesh({ canaryWeight: 10, ratings: true }));
    const compiled = await compile();
    const uids = new Map([...(await liveObjects())].map(([key, object]) => [key, object.metadata.uid]));
    const proxy = await startProxy();
    // The first write waits at the proxy until kube-apiserver has exited, then goes on to nothing.
    let stopped: Promise<void> | undefined;
    proxy.beforeForwarding(0, memberWrite, () => (stopped = cluster.stopApiServer()));
    const result = await apply(proxyKubeconfig);
    try {
      await stopped;
      expect(errorLineOf(result, { stdout: 'any' }).startsWith(`meshctl: error: cannot reach the API server at ${proxy.url}: `)).toBe(true);
    } finally {
      await cluster.startApiServer();
    }
    // etcd kept everything: the same objects, not recreated.
    expect(new Map([...(await liveObjects())].map(([key, object]) => [key, object.metadata.uid]))).toEqual(uids);

    const rerun = await apply(cluster.kubeconfig);
    expect(rerun.code, describeRun(rerun)).toBe(0);
    expect(rerun.stdout).toContain('changed VirtualService shop/reviews');
    await expectConverged(compiled);
  });

  it('--dry-run=server reports the changes and writes nothing', async () => {
    writeMesh(meshDir, meshBefore);
    const before = await versions();
    const proxy = await startProxy();
    const result = await apply(proxyKubeconfig, '--dry-run=server');
    expect(result.code, describeRun(result)).toBe(0);
    expect(result.stdout).toContain('created ServiceEntry shop/payments');
    expect(result.stdout).toContain('pruned AuthorizationPolicy catalog/ratings-allow');
    expect(result.stdout.trim().split('\n').at(-1)).toMatch(/\(server dry run\)$/);
    // The server was asked, every write as a dry run, and nothing changed.
    const writes = proxy.requests.filter(isWrite);
    // One DELETE (as a dry run) per object the apply reports as pruned.
    const pruned = result.stdout.split('\n').filter((line) => line.startsWith('pruned '));
    expect(pruned.length).toBeGreaterThan(0);
    expect(writes.filter((request) => request.method === 'DELETE')).toHaveLength(pruned.length);
    expect(writes.filter((request) => !isDryRun(request))).toEqual([]);
    expect(await versions()).toEqual(before);
    expect((await liveObjects()).has('ServiceEntry shop/payments')).toBe(false);
  });

  it('stops after the first prune, and the rerun prunes the rest', async () => {
    // Back to the first mesh: the ratings objects (namespace catalog) go, payments returns.
    const ratingsObjects = compiledAfter.filter((item) => item.key.includes(' catalog/') || item.key === 'Namespace /catalog');
    const liveBefore = await liveObjects();
    expect(ratingsObjects.filter((item) => !liveBefore.has(item.key)), 'deleted before this apply (by the dry run?)').toEqual([]);
    writeMesh(meshDir, meshBefore);
    const proxy = await startProxy();
    proxy.goDownAfter(1, (request) => request.method === 'DELETE' && !request.path.includes('dryRun='));
    const result = await apply(proxyKubeconfig);
    // stdout may list the objects written before the cut.
    expect(errorLineOf(result, { stdout: 'any' }).startsWith(`meshctl: error: cannot reach the API server at ${proxy.url}: `)).toBe(true);
    const deletes = proxy.requests.filter((request) => request.method === 'DELETE');
    // Only the first DELETE may reach the server. Prunes run concurrently, so on a busy machine
    // meshctl can fail on the second and exit before the first was even forwarded: then none did.
    const reached = answered(deletes);
    expect(reached.slice(1).every((answer) => !answer), 'a DELETE after the cut reached the server').toBe(true);
    const pruned = reached[0] ? 1 : 0;

    // The new objects are in; pruning stopped (after at most one object), so the parent still lists both sets.
    const live = await liveObjects();
    expect(live.has('ServiceEntry shop/payments')).toBe(true);
    expect(ratingsObjects.filter((item) => live.has(item.key))).toHaveLength(ratingsObjects.length - pruned);
    expect(annotation(await parentObject(), 'applyset.kubernetes.io/contains-group-kinds')).toBe(
      sortedUnique([...compiledBefore, ...compiledAfter].map((item) => item.groupKind)).join(','),
    );

    const rerun = await apply(cluster.kubeconfig);
    expect(rerun.code, describeRun(rerun)).toBe(0);
    await expectConverged(compiledBefore);
    expect(annotation(await parentObject(), 'applyset.kubernetes.io/additional-namespaces')).toBe('shop');
  });
});
