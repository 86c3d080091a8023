// meshctl diff and apply against a real API server (scripts/cluster.sh), with kubectl as the
// independent observer: what meshctl says it did is checked against what the server stores.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applySetId } from '../../src/cluster/applyset.js';
import { normalizeObject, planMeshChanges } from '../../src/cluster/index.js';
import { serverSideApply } from '../../src/cluster/plan.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { describeRun, runMeshctl, runProcess, KUBECTL, useTestCluster, type KubeList, type KubeObject } from '../support/test-cluster.js';

const cluster = useTestCluster('diff-apply');
// Each test runs meshctl and kubectl a dozen times; a busy two-core CI machine needs the margin.
const TEST_TIMEOUT_MS = 4 * 60_000;

const RESOURCES = [
  'namespaces',
  'configmaps',
  'virtualservices.networking.istio.io',
  'destinationrules.networking.istio.io',
  'serviceentries.networking.istio.io',
  'sidecars.networking.istio.io',
  'peerauthentications.security.istio.io',
  'authorizationpolicies.security.istio.io',
].join(',');

/**
 * A small mesh: reviews (a canary at WEIGHT) and, optionally, the details service in its own
 * namespace. Each test uses its own PREFIX for namespaces: a namespace belongs to one ApplySet.
 */
function mesh(options: { weight: number; details?: boolean; prefix?: string }): string {
  const books = `${options.prefix ?? ''}books`;
  const details = `${options.prefix ?? ''}details`;
  // Mesh-wide objects live in istio-system and belong to one ApplySet: only the unprefixed mesh has them.
  const documents = [
    options.prefix
      ? ''
      : `apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: bookshop}
spec:
  mtls: strict
  namespaces:
    ${books}: {injection: true}
`,
    `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: ${books}}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
  versions:
    v1: {labels: {version: v1}}
    v2: {labels: {version: v2}}
  canary: {stable: v1, canary: v2, weight: ${options.weight}, steps: [10, 25, 50, 100]}
`,
  ];
  if (options.details) {
    documents.push(`apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: details, namespace: ${details}}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
  versions:
    v1: {labels: {version: v1}}
  access:
    allow:
      - from: {services: [${books}/reviews]}
`);
  }
  return documents.filter((document) => document !== '').join('---\n');
}

let counter = 0;
/** A fresh directory with the mesh; meshctl runs inside it, so source annotations stay the same. */
function meshDir(text: string): string {
  const dir = cluster.scratchDir(`mesh-${++counter}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'mesh.yaml'), text);
  return dir;
}

function rewrite(dir: string, text: string): void {
  writeFileSync(path.join(dir, 'mesh.yaml'), text);
}

async function meshctl(dir: string, args: readonly string[]) {
  return runMeshctl([...args, '--kubeconfig', cluster.kubeconfig, '.'], { cwd: dir });
}

/** Every object of the kinds the meshes use, as kubectl sees them: key → resourceVersion. */
async function snapshot(): Promise<Map<string, KubeObject>> {
  const list = await cluster.getJson<KubeList>([RESOURCES, '-A']);
  return new Map(list.items.map((item) => [`${item.kind} ${item.metadata.namespace ?? ''}/${item.metadata.name}`, item]));
}

function versions(objects: Map<string, KubeObject>): Record<string, string | undefined> {
  return Object.fromEntries([...objects].map(([key, object]) => [key, object.metadata.resourceVersion]));
}

async function compiledKeys(dir: string): Promise<string[]> {
  const result = await runMeshctl(['compile', '.', '-o', 'json'], { cwd: dir });
  expect(result.code, describeRun(result)).toBe(0);
  const items = (JSON.parse(result.stdout) as KubeList).items;
  return items.map((item) => `${item.kind} ${item.metadata.namespace ?? ''}/${item.metadata.name}`).sort();
}

describe('meshctl diff and apply', () => {
  it('creates everything, then a weight change diffs as exactly that change, and a no-op apply writes nothing', async () => {
    const dir = meshDir(mesh({ weight: 10 }));
    const first = await meshctl(dir, ['diff']);
    expect(first.code, describeRun(first)).toBe(1);
    expect(first.stdout).toContain('--- VirtualService books/reviews (created)');
    expect(first.stdout).toMatch(/\d+ created, 0 changed, 0 deleted, 0 unchanged\n$/);

    const applied = await meshctl(dir, ['apply']);
    expect(applied.code, describeRun(applied)).toBe(0);
    expect(applied.stdout).toContain('created VirtualService books/reviews');
    const live = await snapshot();
    const expected = await compiledKeys(dir);
    for (const key of expected) expect(live.has(key), key).toBe(true);
    const reviews = live.get('VirtualService books/reviews')!;
    const id = applySetId({ name: 'meshctl-bookshop', namespace: 'istio-system', kind: 'Secret' });
    expect(reviews.metadata.labels?.['applyset.kubernetes.io/part-of']).toBe(id);

    // The same mesh again: nothing to change, nothing written.
    const again = await meshctl(dir, ['apply']);
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stdout).toMatch(/^no changes \(\d+ objects up to date\)\n$/);
    const parentBefore = await cluster.getJson(['secret', 'meshctl-bookshop', '-n', 'istio-system']);
    expect(versions(await snapshot())).toEqual(versions(live));
    const noDiff = await meshctl(dir, ['diff']);
    expect(noDiff.code, describeRun(noDiff)).toBe(0);

    // One weight: the diff shows exactly the two weights of each split that uses it.
    rewrite(dir, mesh({ weight: 25 }));
    const changed = await meshctl(dir, ['diff']);
    expect(changed.code, describeRun(changed)).toBe(1);
    const changedLines = changed.stdout.split('\n').filter((line) => /^[-+] /.test(line) || /^[-+]\s/.test(line));
    expect(changed.stdout.match(/^--- .*$/gm)).toEqual(['--- VirtualService books/reviews (changed)']);
    expect(changedLines.filter((l) => l.startsWith('-')).every((l) => /weight: (90|10)$/.test(l))).toBe(true);
    expect(changedLines.filter((l) => l.startsWith('+')).every((l) => /weight: (75|25)$/.test(l))).toBe(true);
    expect(changedLines.length).toBeGreaterThanOrEqual(4);
    const json = await meshctl(dir, ['diff', '-o', 'json']);
    const body = JSON.parse(json.stdout) as { summary: Record<string, number>; changes: { action: string; kind: string; name: string }[] };
    expect(body.summary).toMatchObject({ created: 0, changed: 1, deleted: 0, conflicts: 0 });
    expect(body.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual(['change VirtualService reviews']);

    // --dry-run=server writes nothing.
    const dry = await meshctl(dir, ['apply', '--dry-run=server']);
    expect(dry.code, describeRun(dry)).toBe(0);
    expect(dry.stdout).toContain('(server dry run)');
    expect(versions(await snapshot())).toEqual(versions(live));

    const weight = await meshctl(dir, ['apply']);
    expect(weight.code, describeRun(weight)).toBe(0);
    expect(weight.stdout).toMatch(/^changed VirtualService books\/reviews\napplied: 0 created, 1 changed, 0 pruned/);
    const after = await snapshot();
    for (const [key, object] of after) {
      if (key === 'VirtualService books/reviews') expect(object.metadata.resourceVersion).not.toBe(live.get(key)!.metadata.resourceVersion);
      else expect(object.metadata.resourceVersion, key).toBe(live.get(key)?.metadata.resourceVersion);
    }
    const parentAfter = await cluster.getJson(['secret', 'meshctl-bookshop', '-n', 'istio-system']);
    expect(parentAfter.metadata.annotations?.['applyset.kubernetes.io/tooling']).toMatch(/^meshctl\/v\d+\.\d+\.\d+$/);
    expect(parentAfter.metadata.annotations?.['meshctl.dev/version']).toMatch(/^\d+\.\d+\.\d+$/);
    expect(parentAfter.metadata.annotations?.['meshctl.dev/source-commit']).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
    expect(parentBefore.metadata.labels?.['applyset.kubernetes.io/id']).toBe(id);
  }, TEST_TIMEOUT_MS);

  it('prunes exactly the objects of a removed service, and never objects of another ApplySet or unlabelled ones', async () => {
    const dir = meshDir(mesh({ weight: 10, details: true, prefix: 'p-' }));
    const applied = await meshctl(dir, ['apply', '--applyset', 'istio-system/prune-test']);
    expect(applied.code, describeRun(applied)).toBe(0);
    const withDetails = await compiledKeys(dir);

    // Neighbours in the same namespace: unlabelled, and a member of another ApplySet.
    const foreignId = applySetId({ name: 'someone-else', namespace: 'istio-system', kind: 'Secret' });
    for (const [name, labels] of [['unlabelled', {}], ['foreign', { 'applyset.kubernetes.io/part-of': foreignId }]] as const) {
      await cluster.kubectl(['apply', '--server-side', '--field-manager=neighbour', '-f', '-'], {
        input: JSON.stringify({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name, namespace: 'p-details', labels }, spec: { hosts: [name] } }),
      });
    }

    rewrite(dir, mesh({ weight: 10, prefix: 'p-' }));
    const withoutDetails = await compiledKeys(dir);
    // The namespace holds the neighbours: it stays, and diff says why.
    const removed = withDetails.filter((key) => !withoutDetails.includes(key) && key !== 'Namespace /p-details');
    expect(removed.length).toBeGreaterThan(0);
    const diff = await meshctl(dir, ['diff', '--applyset', 'istio-system/prune-test', '-o', 'json']);
    const body = JSON.parse(diff.stdout) as { changes: { action: string; kind: string; namespace?: string; name: string }[]; kept: { kind: string; name: string; reason: string }[] };
    expect(body.changes.filter((c) => c.action === 'delete').map((c) => `${c.kind} ${c.namespace ?? ''}/${c.name}`).sort()).toEqual(removed);
    expect(body.kept).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Namespace',
        name: 'p-details',
        reason: 'it holds objects meshctl does not manage for this ApplySet (VirtualService p-details/foreign, VirtualService p-details/unlabelled)',
      },
    ]);

    // More than half of the set would go: refused unless asked for.
    const guarded = await meshctl(dir, ['apply', '--applyset', 'istio-system/prune-test']);
    const prunesMostOfTheSet = removed.length * 2 > withDetails.length;
    if (prunesMostOfTheSet) {
      expect(guarded.code).toBe(2);
      expect(guarded.stderr).toMatch(/refusing to prune \d+ of the \d+ objects/);
    } else {
      expect(guarded.code, describeRun(guarded)).toBe(0);
    }
    const pruned = await meshctl(dir, ['apply', '--applyset', 'istio-system/prune-test', '--allow-mass-prune']);
    expect(pruned.code, describeRun(pruned)).toBe(0);
    const live = await snapshot();
    for (const key of removed) {
      const object = live.get(key);
      // Namespaces without a controller manager stay Terminating: deleted, but still listed.
      if (object) expect((object.metadata as { deletionTimestamp?: string }).deletionTimestamp, key).toBeDefined();
    }
    for (const key of withoutDetails) expect(live.has(key), key).toBe(true);
    expect((live.get('Namespace /p-details')?.metadata as { deletionTimestamp?: string } | undefined)?.deletionTimestamp).toBeUndefined();
    const neighbours = await cluster.getJson<KubeList>(['virtualservices.networking.istio.io', '-n', 'p-details']);
    expect(neighbours.items.map((item) => item.metadata.name).sort()).toEqual(['foreign', 'unlabelled']);
    const parent = await cluster.getJson(['secret', 'prune-test', '-n', 'istio-system']);
    expect(parent.metadata.annotations?.['applyset.kubernetes.io/additional-namespaces']).toBe('p-books');
  }, TEST_TIMEOUT_MS);

  it('refuses more than half of the set without --allow-mass-prune, and writes nothing then', async () => {
    const dir = meshDir(mesh({ weight: 10, details: true, prefix: 'm-' }));
    expect((await meshctl(dir, ['apply', '--applyset', 'istio-system/mass-test'])).code).toBe(0);
    // A mesh of one unrelated service: everything the set had would go.
    rewrite(dir, `apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: lonely, namespace: m-lonely}\nspec:\n  ports: [{name: http, port: 80, protocol: http}]\n`);
    const before = versions(await snapshot());
    const refused = await meshctl(dir, ['apply', '--applyset', 'istio-system/mass-test']);
    expect(refused.code, describeRun(refused)).toBe(2);
    expect(refused.stderr).toMatch(/^meshctl: error: refusing to prune \d+ of the \d+ objects of ApplySet istio-system\/mass-test \(more than half\); pass --allow-mass-prune/m);
    expect(versions(await snapshot())).toEqual(before);
  }, TEST_TIMEOUT_MS);

  it('reports a field owned by another manager as a conflict, and takes it with --force-conflicts', async () => {
    const dir = meshDir(mesh({ weight: 50, prefix: 'c-' }));
    expect((await meshctl(dir, ['apply', '--applyset', 'istio-system/conflict-test'])).code).toBe(0);
    const reviews = await cluster.getJson(['virtualservice', 'reviews', '-n', 'c-books']);
    const hosts = (reviews.spec as { hosts: string[] }).hosts;
    await cluster.kubectl(['apply', '--server-side', '--field-manager=other', '--force-conflicts', '-f', '-'], {
      input: JSON.stringify({ apiVersion: 'networking.istio.io/v1', kind: 'VirtualService', metadata: { name: 'reviews', namespace: 'c-books' }, spec: { hosts: [...hosts, 'extra.example.com'] } }),
    });
    const diff = await meshctl(dir, ['diff', '--applyset', 'istio-system/conflict-test']);
    expect(diff.code, describeRun(diff)).toBe(1);
    expect(diff.stdout).toContain('    takes over .spec.hosts from "other"');
    expect(diff.stdout).toContain('-    - extra.example.com');

    const before = versions(await snapshot());
    const refused = await meshctl(dir, ['apply', '--applyset', 'istio-system/conflict-test']);
    expect(refused.code, describeRun(refused)).toBe(2);
    expect(refused.stderr).toBe('meshctl: error: conflict: VirtualService c-books/reviews: .spec.hosts is owned by "other" (--force-conflicts takes it over)\n');
    expect(versions(await snapshot())).toEqual(before);

    const forced = await meshctl(dir, ['apply', '--applyset', 'istio-system/conflict-test', '--force-conflicts', '-o', 'json']);
    expect(forced.code, describeRun(forced)).toBe(0);
    const result = JSON.parse(forced.stdout) as { changed: number; conflicts: { field: string; manager: string; name: string }[] };
    expect(result.changed).toBe(1);
    expect(result.conflicts).toEqual([{ field: '.spec.hosts', manager: 'other', kind: 'VirtualService', namespace: 'c-books', name: 'reviews' }]);
    const taken = await cluster.getJson(['virtualservice', 'reviews', '-n', 'c-books']);
    expect((taken.spec as { hosts: string[] }).hosts).toEqual(hosts);
  }, TEST_TIMEOUT_MS);

  it('knows without a dry run what moved source annotations do, exactly as the server answers', async () => {
    const text = mesh({ weight: 10, details: true, prefix: 's-' });
    const dir = meshDir(text);
    const applyset = 'istio-system/source-test';
    expect((await meshctl(dir, ['apply', '--applyset', applyset])).code).toBe(0);
    // A line above every document: each object's meshctl.dev/source changes, and nothing else.
    rewrite(dir, `# shifted by one line\n${text}`);
    const compiled = await runMeshctl(['compile', '.', '-o', 'json'], { cwd: dir });
    expect(compiled.code, describeRun(compiled)).toBe(0);
    const objects = (JSON.parse(compiled.stdout) as { items: KubernetesObject[] }).items;
    const plan = await planMeshChanges(objects, { kubeconfig: cluster.kubeconfig, applyset });
    try {
      expect(plan.client.requestCounts.PATCH ?? 0).toBe(0);
      expect(plan.summary).toMatchObject({ created: 0, changed: objects.length, deleted: 0, unchanged: 0 });
      for (const planned of plan.objects) {
        const answer = await serverSideApply(plan.client, planned.info, planned.desired, { dryRun: true, force: false });
        expect(normalizeObject(planned.after!), planned.desired.metadata.name).toEqual(normalizeObject(answer));
      }
    } finally {
      plan.client.close();
    }
    const diff = await meshctl(dir, ['diff', '--applyset', applyset]);
    expect(diff.code, describeRun(diff)).toBe(1);
    const changedLines = diff.stdout.split('\n').filter((line) => /^[-+]\s/.test(line));
    expect(changedLines.length).toBe(2 * objects.length);
    // Relative to the repository root (the scratch directory is inside it), the same on both sides but for the line.
    expect(changedLines.every((line) => /^[-+] {4}meshctl\.dev\/source: (\S+\/)?mesh\.yaml:\d+$/.test(line)), changedLines.join('\n')).toBe(true);
  }, TEST_TIMEOUT_MS);

  it('computes the ApplySet id exactly as kubectl apply --prune --applyset does', async () => {
    const member = JSON.stringify({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kubectl-member', namespace: 'default' }, data: { a: 'b' } });
    for (const [reference, kind] of [['kubectl-set', 'Secret'], ['configmaps/kubectl-set-cm', 'ConfigMap']] as const) {
      const result = await runProcess(KUBECTL, ['--kubeconfig', cluster.kubeconfig, 'apply', '--server-side', '--prune', `--applyset=${reference}`, '-n', 'default', '-f', '-'], {
        input: member,
        env: { KUBECTL_APPLYSET: 'true' },
      });
      expect(result.code, describeRun(result)).toBe(0);
      const name = reference.split('/').pop()!;
      const parent = await cluster.getJson([kind === 'Secret' ? 'secret' : 'configmap', name, '-n', 'default', '-o', 'json']);
      expect(parent.metadata.labels?.['applyset.kubernetes.io/id']).toBe(applySetId({ name, namespace: 'default', kind }));
    }
  }, TEST_TIMEOUT_MS);

  it('names a missing kubeconfig or context in one line', async () => {
    const dir = meshDir(mesh({ weight: 10 }));
    const missing = await runMeshctl(['diff', '.', '--kubeconfig', path.join(dir, 'nope')], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe(`meshctl: error: kubeconfig ${path.join(dir, 'nope')} does not exist\n`);
    const context = await runMeshctl(['diff', '.', '--kubeconfig', cluster.kubeconfig, '--context', 'nope'], { cwd: dir });
    expect(context.code).toBe(2);
    expect(context.stderr).toMatch(/^meshctl: error: context "nope" is not in kubeconfig .* \(known: meshctl-local\)\n$/);
    // KUBECONFIG with several paths, missing ones skipped, as kubectl reads it.
    const viaEnv = await runMeshctl(['diff', '.'], { cwd: dir, env: { KUBECONFIG: `${path.join(dir, 'absent')}:${cluster.kubeconfig}` } });
    expect([0, 1]).toContain(viaEnv.code);
  }, TEST_TIMEOUT_MS);

  // Last: it removes a CRD from this file's cluster.
  it('says which kind the cluster does not serve: is Istio installed?', async () => {
    const dir = meshDir(mesh({ weight: 10 }));
    await cluster.kubectl(['delete', 'crd', 'destinationrules.networking.istio.io', '--wait=true']);
    const result = await meshctl(dir, ['diff']);
    expect(result.code, describeRun(result)).toBe(2);
    expect(result.stderr).toBe('meshctl: error: the cluster serves no networking.istio.io/v1 DestinationRule: is Istio installed?\n');
  });
});
