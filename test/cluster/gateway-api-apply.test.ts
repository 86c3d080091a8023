// diff and apply with --target gateway-api against a real API server holding the Gateway API CRDs
// (scripts/cluster.sh installs them at the pinned version): the GAMMA routes and the Kubernetes
// Services the target writes per routed version are members of the ApplySet, changed in place
// when the split moves, and pruned when a version is no longer routed to. kubectl observes.
import { describe, expect, it } from 'vitest';
import { applySetId } from '../../src/cluster/applyset.js';
import { describeRun, runMeshctl, useTestCluster, writeMesh, type KubeObject } from '../support/test-cluster.js';

const cluster = useTestCluster('gateway-api-apply');
const TEST_TIMEOUT_MS = 4 * 60_000;
const PART_OF = 'applyset.kubernetes.io/part-of';
const NAMESPACE = 'gw-books';

/** reviews, a canary from v1 to v2 at WEIGHT percent; or, once promoted, v2 alone. */
function mesh(canary: { weight: number } | 'promoted'): string {
  const versions = canary === 'promoted' ? '    v2: {labels: {version: v2}}\n' : '    v1: {labels: {version: v1}}\n    v2: {labels: {version: v2}}\n';
  return `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: ${NAMESPACE}}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
  versions:
${versions}${canary === 'promoted' ? '' : `  canary: {stable: v1, canary: v2, weight: ${canary.weight}, steps: [20, 50, 100]}\n`}`;
}

interface BackendRef {
  name: string;
  port: number;
  weight?: number;
}

async function liveOrUndefined(resource: string, name: string): Promise<KubeObject | undefined> {
  const result = await cluster.kubectlResult(['get', resource, name, '-n', NAMESPACE, '-o', 'json']);
  if (result.code !== 0) {
    expect(result.stderr, describeRun(result)).toMatch(/NotFound/);
    return undefined;
  }
  return JSON.parse(result.stdout) as KubeObject;
}

/** The backends of the HTTPRoute's single rule, as the API server stores them. */
async function backends(): Promise<BackendRef[]> {
  const route = await liveOrUndefined('httproutes.gateway.networking.k8s.io', 'reviews');
  const rules = (route?.spec as { rules?: { backendRefs?: BackendRef[] }[] } | undefined)?.rules ?? [];
  expect(rules).toHaveLength(1);
  return (rules[0]!.backendRefs ?? []).map(({ name, port, weight }) => ({ name, port, ...(weight !== undefined ? { weight } : {}) }));
}

describe('apply --target gateway-api', () => {
  it('applies the routes and version Services as members, moves the split in place and prunes route and Services once nothing is split', async () => {
    const dir = writeMesh(cluster.scratchDir('gateway-api-mesh'), mesh({ weight: 20 }));
    const applyset = 'istio-system/gateway-api-test';
    const id = applySetId({ name: 'gateway-api-test', namespace: 'istio-system', kind: 'Secret' });
    const run = (args: readonly string[]) => runMeshctl([...args, dir, '--target', 'gateway-api', '--kubeconfig', cluster.kubeconfig, '--applyset', applyset]);

    const applied = await run(['apply']);
    expect(applied.code, describeRun(applied)).toBe(0);
    expect(applied.stdout).toContain('created HTTPRoute gw-books/reviews');
    expect(applied.stdout).toContain('created Service gw-books/reviews-v1');
    expect(await backends()).toEqual([
      { name: 'reviews-v1', port: 9080, weight: 80 },
      { name: 'reviews-v2', port: 9080, weight: 20 },
    ]);
    for (const [resource, name] of [
      ['httproutes.gateway.networking.k8s.io', 'reviews'],
      ['services', 'reviews-v1'],
      ['services', 'reviews-v2'],
    ] as const) {
      expect((await liveOrUndefined(resource, name))?.metadata.labels?.[PART_OF], `${resource} ${name}`).toBe(id);
    }
    const versionService = (await liveOrUndefined('services', 'reviews-v2'))!;
    expect((versionService.spec as { selector?: Record<string, string> }).selector).toMatchObject({ version: 'v2' });

    const again = await run(['diff']);
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stdout, describeRun(again)).toMatch(/^no changes/);

    // The split moves: the route changes in place, the version Services stay.
    writeMesh(dir, mesh({ weight: 50 }));
    const moved = await run(['apply']);
    expect(moved.code, describeRun(moved)).toBe(0);
    expect(moved.stdout).toContain('changed HTTPRoute gw-books/reviews');
    expect(moved.stdout).toContain('1 changed, 0 pruned');
    expect(await backends()).toEqual([
      { name: 'reviews-v1', port: 9080, weight: 50 },
      { name: 'reviews-v2', port: 9080, weight: 50 },
    ]);

    // v2 promoted and v1 removed from the mesh file: nothing is split any more, so the route and
    // the version Services are pruned (three of the set's four objects: the guard wants the flag).
    writeMesh(dir, mesh('promoted'));
    const guarded = await run(['apply']);
    expect(guarded.code, describeRun(guarded)).toBe(2);
    expect(await backends()).toHaveLength(2);
    const completed = await run(['apply', '--allow-mass-prune']);
    expect(completed.code, describeRun(completed)).toBe(0);
    for (const pruned of ['HTTPRoute gw-books/reviews', 'Service gw-books/reviews-v1', 'Service gw-books/reviews-v2']) expect(completed.stdout).toContain(`pruned ${pruned}\n`);
    expect(await liveOrUndefined('httproutes.gateway.networking.k8s.io', 'reviews')).toBeUndefined();
    expect(await liveOrUndefined('services', 'reviews-v1')).toBeUndefined();
    expect(await liveOrUndefined('services', 'reviews-v2')).toBeUndefined();

    const settled = await run(['diff']);
    expect(settled.stdout, describeRun(settled)).toMatch(/^no changes/);
  }, TEST_TIMEOUT_MS);
});
