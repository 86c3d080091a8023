// apply never deletes or takes over what meshctl did not create, against a real API server with
// kubectl as the independent observer: a namespace that existed before gets the mesh's labels and
// never becomes a member (so it is never pruned); a member namespace that holds anything else is
// kept; an existing object of another kind is taken over only with --adopt, which diff shows; and
// two ApplySets racing to create the same namespace end with exactly one owner and one clear error.
import { spawn } from 'node:child_process';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySetId } from '../../src/cluster/applyset.js';
import { startApiProxy } from '../support/api-proxy.js';
import {
  describeRun,
  errorLineOf,
  runMeshctl,
  useTestCluster,
  writeKubeconfig,
  writeMesh,
  type KubeList,
  type KubeObject,
  type ProcessResult,
} from '../support/test-cluster.js';

const cluster = useTestCluster('apply-safety');
const TEST_TIMEOUT_MS = 6 * 60_000;

const PART_OF = 'applyset.kubernetes.io/part-of';
const MANAGED_BY = 'app.kubernetes.io/managed-by';
const MESH_KINDS = ['virtualservices.networking.istio.io', 'destinationrules.networking.istio.io', 'sidecars.networking.istio.io', 'authorizationpolicies.security.istio.io'];

/**
 * A Service NAME in NAMESPACE, allowed from CALLER when given (an AuthorizationPolicy of its own).
 * It declares that it calls nothing, so it gets a Sidecar of its own: one more object per service
 * for the ownership checks below to follow.
 */
function service(name: string, namespace: string, caller?: string): string {
  return `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
  dependsOn: []
  versions:
    v1: {labels: {version: v1}}
${caller ? `  access:\n    allow:\n      - from: {services: [${caller}]}\n` : ''}`;
}

const meshOf = (...documents: string[]) => documents.join('---\n');

let counter = 0;
function meshDir(text: string): string {
  return writeMesh(cluster.scratchDir(`mesh-${++counter}`), text);
}

const meshctl = (dir: string, args: readonly string[]) => runMeshctl([...args, dir, '--kubeconfig', cluster.kubeconfig]);

async function getOrUndefined(args: readonly string[]): Promise<KubeObject | undefined> {
  const result = await cluster.kubectlResult(['get', ...args, '-o', 'json']);
  if (result.code !== 0) {
    expect(result.stderr, describeRun(result)).toMatch(/NotFound/);
    return undefined;
  }
  return JSON.parse(result.stdout) as KubeObject;
}

const isTerminating = (object: KubeObject | undefined) => (object?.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp !== undefined;

/** Every object of the mesh kinds in NAMESPACE, as kubectl lists them. */
async function meshObjectsIn(namespace: string): Promise<KubeObject[]> {
  return (await cluster.getJson<KubeList>([MESH_KINDS.join(','), '-n', namespace])).items;
}

/** The live object of a compiled one, by kind, group, namespace and name. */
function liveOf(item: KubeObject): Promise<KubeObject | undefined> {
  const resource = `${item.kind.toLowerCase()}${item.apiVersion.includes('/') ? `.${item.apiVersion.split('/')[0]}` : ''}`;
  return getOrUndefined([resource, item.metadata.name, ...(item.metadata.namespace ? ['-n', item.metadata.namespace] : []), '--show-managed-fields']);
}

async function compiledItems(dir: string): Promise<KubeObject[]> {
  const result = await runMeshctl(['compile', dir, '-o', 'json']);
  expect(result.code, describeRun(result)).toBe(0);
  return (JSON.parse(result.stdout) as KubeList).items;
}

describe('a namespace that existed before meshctl', () => {
  it('gets the mesh labels without becoming a member, and is never pruned with what is in it', async () => {
    await cluster.kubectl(['create', 'namespace', 'edge']);
    await cluster.kubectl(['create', 'configmap', 'settings', '-n', 'edge', '--from-literal=mode=production']);
    const applyset = 'istio-system/edge-test';
    const id = applySetId({ name: 'edge-test', namespace: 'istio-system', kind: 'Secret' });
    const dir = meshDir(meshOf(service('front', 'edge-main'), service('gateway', 'edge')));

    const diff = await meshctl(dir, ['diff', '--applyset', applyset]);
    expect(diff.code, describeRun(diff)).toBe(1);
    const namespaceSection = diff.stdout.slice(diff.stdout.indexOf('--- Namespace edge (changed)'));
    expect(namespaceSection, diff.stdout).toMatch(
      /^--- Namespace edge \(changed\)\n {4}labels only: the namespace is not a member of the ApplySet \(meshctl did not create it\) and is never pruned\n/,
    );
    const namespaceDiff = namespaceSection.slice(0, namespaceSection.indexOf('\n---'));
    expect(namespaceDiff.split('\n').filter((line) => line.startsWith('+'))).toEqual(['+    istio-injection: enabled']);

    const applied = await meshctl(dir, ['apply', '--applyset', applyset]);
    expect(applied.code, describeRun(applied)).toBe(0);
    expect(applied.stdout).toContain('changed Namespace edge\n');
    expect(applied.stdout).toContain('created Namespace edge-main\n');
    const edge = (await getOrUndefined(['namespace', 'edge']))!;
    expect(edge.metadata.labels?.['istio-injection']).toBe('enabled');
    expect(edge.metadata.labels?.[PART_OF]).toBeUndefined();
    expect(edge.metadata.labels?.[MANAGED_BY]).toBeUndefined();
    // The objects meshctl created inside it are members; the namespace it created is one too.
    for (const object of await meshObjectsIn('edge')) expect(object.metadata.labels?.[PART_OF], object.metadata.name).toBe(id);
    expect((await getOrUndefined(['namespace', 'edge-main']))!.metadata.labels?.[PART_OF]).toBe(id);
    const again = await meshctl(dir, ['apply', '--applyset', applyset]);
    expect(again.stdout, describeRun(again)).toMatch(/^no changes/);

    // The mesh stops using the namespace: its members in it go, the namespace and the ConfigMap stay.
    writeMesh(dir, meshOf(service('front', 'edge-main')));
    const dropped = await meshctl(dir, ['diff', '--applyset', applyset]);
    expect(dropped.code, describeRun(dropped)).toBe(1);
    expect(dropped.stdout).not.toContain('Namespace edge (deleted)');
    expect(dropped.stdout).toContain('--- Sidecar edge/gateway (deleted)');
    const pruned = await meshctl(dir, ['apply', '--applyset', applyset, '--allow-mass-prune']);
    expect(pruned.code, describeRun(pruned)).toBe(0);
    expect(pruned.stdout).toContain('pruned Sidecar edge/gateway');
    expect(pruned.stdout).not.toContain('Namespace edge\n');
    const after = await getOrUndefined(['namespace', 'edge']);
    expect(after?.metadata.uid).toBe(edge.metadata.uid);
    expect(isTerminating(after)).toBe(false);
    expect((await getOrUndefined(['configmap', 'settings', '-n', 'edge']))?.metadata.name).toBe('settings');
    expect(await meshObjectsIn('edge')).toEqual([]);
  }, TEST_TIMEOUT_MS);

  it('adopts an existing namespace only with --adopt, and shows it in diff', async () => {
    await cluster.kubectl(['create', 'namespace', 'adopted-ns']);
    const applyset = 'istio-system/adopt-ns-test';
    const id = applySetId({ name: 'adopt-ns-test', namespace: 'istio-system', kind: 'Secret' });
    const dir = meshDir(meshOf(service('api', 'adopted-ns')));
    const diff = await meshctl(dir, ['diff', '--applyset', applyset, '--adopt']);
    expect(diff.code, describeRun(diff)).toBe(1);
    expect(diff.stdout).toContain('--- Namespace adopted-ns (adopted)\n');
    expect(diff.stdout).toContain(`+    ${PART_OF}: ${id}`);
    const applied = await meshctl(dir, ['apply', '--applyset', applyset, '--adopt']);
    expect(applied.code, describeRun(applied)).toBe(0);
    expect(applied.stdout).toContain('adopted Namespace adopted-ns\n');
    expect(applied.stdout).toMatch(/, 1 adopted, /);
    expect((await getOrUndefined(['namespace', 'adopted-ns']))!.metadata.labels?.[PART_OF]).toBe(id);
  }, TEST_TIMEOUT_MS);
});

describe('a namespace meshctl created', () => {
  it('is kept while it holds objects meshctl does not manage, and pruned once it holds none', async () => {
    const applyset = 'istio-system/occupied-test';
    const dir = meshDir(meshOf(service('web', 'occupied-main'), service('worker', 'occupied', 'occupied-main/web')));
    const applied = await meshctl(dir, ['apply', '--applyset', applyset]);
    expect(applied.code, describeRun(applied)).toBe(0);
    const namespace = (await getOrUndefined(['namespace', 'occupied']))!;
    // Someone deploys into it by hand.
    await cluster.kubectl(['create', 'configmap', 'app-config', '-n', 'occupied', '--from-literal=a=b']);

    writeMesh(dir, meshOf(service('web', 'occupied-main')));
    const diff = await meshctl(dir, ['diff', '--applyset', applyset]);
    expect(diff.code, describeRun(diff)).toBe(1);
    expect(diff.stdout).not.toContain('--- Namespace occupied (deleted)');
    expect(diff.stdout).toContain(
      'kept Namespace occupied: the mesh no longer uses it, but it holds objects meshctl does not manage for this ApplySet (ConfigMap occupied/app-config); it is not pruned\n',
    );
    const json = JSON.parse((await meshctl(dir, ['diff', '--applyset', applyset, '-o', 'json'])).stdout) as { kept: { kind: string; name: string }[] };
    expect(json.kept.map((entry) => `${entry.kind} ${entry.name}`)).toEqual(['Namespace occupied']);

    const pruned = await meshctl(dir, ['apply', '--applyset', applyset, '--allow-mass-prune']);
    expect(pruned.code, describeRun(pruned)).toBe(0);
    expect(pruned.stdout).toContain('kept Namespace occupied: ');
    expect(pruned.stdout).toContain('pruned AuthorizationPolicy occupied/worker-allow');
    const still = await getOrUndefined(['namespace', 'occupied']);
    expect(still?.metadata.uid).toBe(namespace.metadata.uid);
    expect(isTerminating(still)).toBe(false);
    expect(await getOrUndefined(['configmap', 'app-config', '-n', 'occupied'])).toBeDefined();
    expect(await meshObjectsIn('occupied')).toEqual([]);

    // Emptied by its owner: now it goes.
    await cluster.kubectl(['delete', 'configmap', 'app-config', '-n', 'occupied']);
    const emptied = await meshctl(dir, ['apply', '--applyset', applyset, '--allow-mass-prune']);
    expect(emptied.code, describeRun(emptied)).toBe(0);
    expect(emptied.stdout).toContain('pruned Namespace occupied\n');
    const gone = await getOrUndefined(['namespace', 'occupied']);
    // Without a controller manager a deleted namespace stays Terminating.
    expect(gone === undefined || isTerminating(gone)).toBe(true);
  }, TEST_TIMEOUT_MS);
});

describe('an object of another kind that existed before meshctl', () => {
  it('is refused without --adopt (nothing written), shown as adopted with it, and then a member', async () => {
    const applyset = 'istio-system/adopt-test';
    const id = applySetId({ name: 'adopt-test', namespace: 'istio-system', kind: 'Secret' });
    const dir = meshDir(meshOf(service('billing', 'adopt-shop')));
    const sidecar = (await compiledItems(dir)).find((item) => item.kind === 'Sidecar')!;
    // The same Sidecar, created by hand before meshctl ever ran.
    await cluster.kubectl(['create', 'namespace', 'adopt-shop']);
    await cluster.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({ ...sidecar, metadata: { name: sidecar.metadata.name, namespace: sidecar.metadata.namespace } }),
    });
    const before = (await getOrUndefined(['sidecar', sidecar.metadata.name, '-n', 'adopt-shop']))!;

    const expected = `meshctl: error: Sidecar adopt-shop/billing exists and was not created by meshctl for ApplySet istio-system/adopt-test; meshctl does not take it over (--adopt makes it a member of the set, to be changed and pruned with it)`;
    const diff = await meshctl(dir, ['diff', '--applyset', applyset]);
    expect(diff.stderr, describeRun(diff)).toContain(`${expected}\n`);
    expect(diff.code).toBe(2);
    const refused = await meshctl(dir, ['apply', '--applyset', applyset]);
    expect(errorLineOf(refused)).toBe(expected);
    expect((await getOrUndefined(['sidecar', sidecar.metadata.name, '-n', 'adopt-shop']))!.metadata.resourceVersion).toBe(before.metadata.resourceVersion);
    expect(await getOrUndefined(['secret', 'adopt-test', '-n', 'istio-system'])).toBeUndefined();

    const adoptDiff = await meshctl(dir, ['diff', '--applyset', applyset, '--adopt']);
    expect(adoptDiff.code, describeRun(adoptDiff)).toBe(1);
    expect(adoptDiff.stdout).toContain('--- Sidecar adopt-shop/billing (adopted)\n');
    expect(adoptDiff.stdout).toContain(`+    ${PART_OF}: ${id}`);
    expect(adoptDiff.stdout).toMatch(/, 2 adopted, /);
    const adopted = await meshctl(dir, ['apply', '--applyset', applyset, '--adopt']);
    expect(adopted.code, describeRun(adopted)).toBe(0);
    expect(adopted.stdout).toContain('adopted Sidecar adopt-shop/billing\n');
    expect((await getOrUndefined(['sidecar', sidecar.metadata.name, '-n', 'adopt-shop']))!.metadata.labels?.[PART_OF]).toBe(id);
    // A member now: the next apply, without --adopt, has nothing to do.
    const again = await meshctl(dir, ['apply', '--applyset', applyset]);
    expect(again.stdout, describeRun(again)).toMatch(/^no changes/);
  }, TEST_TIMEOUT_MS);
});

/** Runs meshctl and resolves with its result; `pid` is known at once, for a SIGKILL. */
function startMeshctl(args: readonly string[]): { pid: number; done: Promise<ProcessResult> } {
  const bin = path.join(import.meta.dirname, '..', '..', 'bin', 'run.js');
  const child = spawn(process.execPath, [bin, ...args], { env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: undefined, KUBECONFIG: undefined } as NodeJS.ProcessEnv });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<ProcessResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { pid: child.pid!, done };
}

describe('applies at the same time', () => {
  const RACE_ERROR = /^meshctl: error: Namespace (race-\d+) was created by another ApplySet \((applyset-[A-Za-z0-9_-]+-v1)\) while this apply ran; meshctl does not take it over and wrote nothing in it: run the apply again$/;

  it('two ApplySets racing to create one namespace: exactly one owns it, the other gets one clear error, and a rerun converges', async () => {
    const sets = ['racer-a', 'racer-b'] as const;
    const ids = Object.fromEntries(sets.map((name) => [name, applySetId({ name, namespace: 'istio-system', kind: 'Secret' })]));
    const dirs = Object.fromEntries(sets.map((name) => [name, cluster.scratchDir(`race-${name}`)]));
    const rounds = 12;
    const outcomes = { oneLost: 0, bothPlannedAfterTheCreate: 0 };
    for (let round = 0; round < rounds; round++) {
      const namespace = `race-${round}`;
      // Each mesh adds its own service to the same new namespace (and keeps its earlier ones).
      for (const name of sets) {
        const services = Array.from({ length: round + 1 }, (_, index) => service(`${name}-svc`, `race-${index}`));
        writeMesh(dirs[name]!, meshOf(...services));
      }
      const results = await Promise.all(sets.map((name) => runMeshctl(['apply', dirs[name]!, '--kubeconfig', cluster.kubeconfig, '--applyset', `istio-system/${name}`])));
      const created = results.filter((result) => result.stdout.includes(`created Namespace ${namespace}\n`));
      expect(created.length, results.map(describeRun).join('\n')).toBeLessThanOrEqual(1);
      const owner = (await getOrUndefined(['namespace', namespace]))!.metadata.labels?.[PART_OF];
      expect([ids['racer-a'], ids['racer-b']], results.map(describeRun).join('\n')).toContain(owner);
      const failed = results.flatMap((result, index) => (result.code === 0 ? [] : [{ result, name: sets[index]! }]));
      if (failed.length === 0) {
        outcomes.bothPlannedAfterTheCreate++;
      } else {
        expect(failed, results.map(describeRun).join('\n')).toHaveLength(1);
        const { result, name } = failed[0]!;
        const match = RACE_ERROR.exec(errorLineOf(result, { stdout: 'any' }));
        expect(match, describeRun(result)).not.toBeNull();
        expect(match![1]).toBe(namespace);
        expect(match![2]).toBe(owner);
        expect(ids[name]).not.toBe(owner);
        outcomes.oneLost++;
        const rerun = await runMeshctl(['apply', dirs[name]!, '--kubeconfig', cluster.kubeconfig, '--applyset', `istio-system/${name}`]);
        expect(rerun.code, describeRun(rerun)).toBe(0);
      }
      // Converged: the namespace has one owner, each set's Sidecar is there and is that set's.
      const namespaceNow = (await getOrUndefined(['namespace', namespace]))!;
      expect(namespaceNow.metadata.labels?.[PART_OF]).toBe(owner);
      for (const name of sets) {
        const sidecar = await getOrUndefined(['sidecar', `${name}-svc`, '-n', namespace]);
        expect(sidecar?.metadata.labels?.[PART_OF], `${name} in ${namespace}`).toBe(ids[name]);
      }
    }
    // The owner drops the namespace: the other set's objects keep it.
    const namespace = 'race-0';
    const ownerName = (await ownerOfNamespace(namespace, ids)) as (typeof sets)[number];
    const remaining = Array.from({ length: rounds }, (_, index) => index)
      .filter((index) => index !== 0)
      .map((index) => service(`${ownerName}-svc`, `race-${index}`));
    writeMesh(dirs[ownerName]!, meshOf(...remaining));
    const dropped = await runMeshctl(['apply', dirs[ownerName]!, '--kubeconfig', cluster.kubeconfig, '--applyset', `istio-system/${ownerName}`, '--allow-mass-prune']);
    expect(dropped.code, describeRun(dropped)).toBe(0);
    expect(dropped.stdout).toContain(`kept Namespace ${namespace}: `);
    const other = sets.find((name) => name !== ownerName)!;
    expect(isTerminating(await getOrUndefined(['namespace', namespace]))).toBe(false);
    expect((await getOrUndefined(['sidecar', `${other}-svc`, '-n', namespace]))?.metadata.labels?.[PART_OF]).toBe(ids[other]);
    console.log(`race for a new namespace: ${rounds} rounds, ${outcomes.oneLost} with one apply refused, ${outcomes.bothPlannedAfterTheCreate} where both succeeded (one planned after the other's create)`);
  }, 15 * 60_000);

  // The race above is timing-dependent; these hold the namespace's dry run at the proxy and create
  // the namespace meanwhile, so each point a rival can strike is taken every time.
  const heldNamespaceCases = [
    { when: 'another ApplySet created it, its fields not yet recorded as applied', rival: 'other', byApply: false, refused: true },
    { when: 'another ApplySet\'s apply ran to the end', rival: 'other', byApply: true, refused: true },
    { when: 'another apply of the same ApplySet created it', rival: 'same', byApply: false, refused: false },
  ] as const;
  for (const [index, { when, rival, byApply, refused }] of heldNamespaceCases.entries()) {
    it(`a namespace created between the list and the dry run: ${when} -> ${refused ? 'one clear error, nothing written in it' : 'the apply goes on'}`, async () => {
      const namespace = `held-${index}`;
      const applyset = `istio-system/held-${index}`;
      const id = applySetId({ name: `held-${index}`, namespace: 'istio-system', kind: 'Secret' });
      const rivalId = rival === 'same' ? id : applySetId({ name: `held-rival-${index}`, namespace: 'istio-system', kind: 'Secret' });
      const dir = meshDir(meshOf(service('held', namespace)));
      const proxy = await startApiProxy({ upstream: cluster.server, certificateAuthority: cluster.certificateAuthority, serving: cluster.serving, upstreamClient: cluster.admin });
      let result: ProcessResult;
      try {
        const kubeconfig = writeKubeconfig(path.join(cluster.scratchDir(`held-proxy-${index}`), 'kubeconfig'), { server: proxy.url, certificateAuthority: cluster.certificateAuthority, credentials: cluster.admin });
        const isNamespaceDryRun = (request: { method: string; path: string }) =>
          request.method === 'PATCH' && request.path.startsWith(`/api/v1/namespaces/${namespace}?`) && request.path.includes('dryRun=All');
        proxy.beforeForwarding(0, isNamespaceDryRun, async () => {
          if (byApply) {
            const rivalRun = await meshctl(meshDir(meshOf(service('rival', namespace))), ['apply', '--applyset', `istio-system/held-rival-${index}`]);
            expect(rivalRun.code, describeRun(rivalRun)).toBe(0);
            return;
          }
          // The rival's create as meshctl makes it, a POST under the field manager meshctl, caught
          // before it records its fields as applied.
          const created = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [PART_OF]: rivalId, [MANAGED_BY]: 'meshctl' } } };
          await cluster.kubectl(['create', '-f', '-', '--field-manager', 'meshctl'], { input: JSON.stringify(created) });
        });
        result = await runMeshctl(['apply', dir, '--kubeconfig', kubeconfig, '--applyset', applyset]);
        expect(proxy.requests.some((request) => isNamespaceDryRun(request)), 'the namespace dry run was held').toBe(true);
      } finally {
        await proxy.close();
      }
      const live = await getOrUndefined(['namespace', namespace]);
      expect(live?.metadata.labels?.[PART_OF]).toBe(rivalId);
      if (refused) {
        expect(result.code, describeRun(result)).toBe(2);
        expect(errorLineOf(result, { stdout: 'any' })).toBe(
          `meshctl: error: Namespace ${namespace} was created by another ApplySet (${rivalId}) while this apply ran; meshctl does not take it over and wrote nothing in it: run the apply again`,
        );
        expect((await meshObjectsIn(namespace)).filter((object) => object.metadata.labels?.[PART_OF] !== rivalId)).toEqual([]);
      } else {
        expect(result.code, describeRun(result)).toBe(0);
        expect((await getOrUndefined(['sidecar', 'held', '-n', namespace]))?.metadata.labels?.[PART_OF]).toBe(id);
        const again = await meshctl(dir, ['apply', '--applyset', applyset]);
        expect(again.stdout, describeRun(again)).toMatch(/^no changes/);
      }
    }, TEST_TIMEOUT_MS);
  }

  it('the same mesh applied twice at once: both succeed and the cluster holds exactly the compiled objects', async () => {
    const dir = meshDir(meshOf(service('twice', 'twice-a'), service('again', 'twice-b', 'twice-a/twice')));
    const applyset = 'istio-system/twice-test';
    const id = applySetId({ name: 'twice-test', namespace: 'istio-system', kind: 'Secret' });
    const results = await Promise.all([0, 1].map(() => meshctl(dir, ['apply', '--applyset', applyset])));
    for (const result of results) expect(result.code, describeRun(result)).toBe(0);
    const compiled = await compiledItems(dir);
    for (const item of compiled) {
      const live = await liveOf(item);
      expect(live?.metadata.labels?.[PART_OF], `${item.kind} ${item.metadata.name}`).toBe(id);
      assertAppliedByMeshctl(live!);
    }
    const again = await meshctl(dir, ['apply', '--applyset', applyset]);
    expect(again.stdout, describeRun(again)).toMatch(/^no changes/);
  }, TEST_TIMEOUT_MS);

  it('an apply killed with SIGKILL right after a create converges on the rerun, its fields recorded as applied', async () => {
    const dir = meshDir(meshOf(service('killed', 'kill-a'), service('other', 'kill-b', 'kill-a/killed')));
    const applyset = 'istio-system/kill-test';
    const proxy = await startApiProxy({ upstream: cluster.server, certificateAuthority: cluster.certificateAuthority, serving: cluster.serving, upstreamClient: cluster.admin });
    try {
      const kubeconfig = writeKubeconfig(path.join(cluster.scratchDir('kill-proxy'), 'kubeconfig'), { server: proxy.url, certificateAuthority: cluster.certificateAuthority, credentials: cluster.admin });
      const run = startMeshctl(['apply', dir, '--kubeconfig', kubeconfig, '--applyset', applyset]);
      // The fourth create is held until meshctl is dead, then reaches the server: created, never recorded.
      const isCreate = (request: { method: string; path: string }) => request.method === 'POST' && !request.path.startsWith('/apis/authorization.k8s.io/') && !request.path.startsWith('/apis/authentication.k8s.io/');
      proxy.beforeForwarding(3, isCreate, async () => {
        process.kill(run.pid, 'SIGKILL');
        await run.done;
      });
      const killed = await run.done;
      expect(killed.signal, describeRun(killed)).toBe('SIGKILL');
    } finally {
      await proxy.close();
    }
    const rerun = await meshctl(dir, ['apply', '--applyset', applyset]);
    expect(rerun.code, describeRun(rerun)).toBe(0);
    for (const item of await compiledItems(dir)) {
      const live = await liveOf(item);
      expect(live, `${item.kind} ${item.metadata.name}`).toBeDefined();
      assertAppliedByMeshctl(live!);
    }
    const again = await meshctl(dir, ['apply', '--applyset', applyset]);
    expect(again.stdout, describeRun(again)).toMatch(/^no changes/);
  }, TEST_TIMEOUT_MS);
});

/** meshctl's fields are recorded as one server-side apply, as if it had applied the object: nothing of the create left over. */
function assertAppliedByMeshctl(live: KubeObject): void {
  const entries = ((live.metadata as { managedFields?: { manager: string; operation: string; subresource?: string }[] }).managedFields ?? []).filter(
    (entry) => entry.manager === 'meshctl' && !entry.subresource,
  );
  expect(entries.map((entry) => entry.operation), `${live.kind} ${live.metadata.name}`).toEqual(['Apply']);
}

async function ownerOfNamespace(namespace: string, ids: Record<string, string>): Promise<string> {
  const owner = (await getOrUndefined(['namespace', namespace]))!.metadata.labels?.[PART_OF];
  const name = Object.keys(ids).find((key) => ids[key] === owner);
  if (!name) throw new Error(`namespace ${namespace} is owned by ${owner}, none of ${Object.values(ids).join(', ')}`);
  return name;
}
