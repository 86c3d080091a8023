// meshctl import --from-cluster against a real API server: it reads what the cluster holds as a
// file import reads the same objects, and the imported mesh can take those objects over:
// `meshctl apply --adopt` makes the existing objects meshctl names the same way members of its
// ApplySet (server-side apply conflicts with kubectl's field manager shown, forced only with
// --force-conflicts), and prunes nothing it did not create or adopt.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { describeRun, runMeshctl, useTestCluster, type KubeObject } from '../support/test-cluster.js';

const cluster = useTestCluster('import');
const TEST_TIMEOUT_MS = 4 * 60_000;
const PART_OF = 'applyset.kubernetes.io/part-of';

const X = `apiVersion: v1
kind: Namespace
metadata: {name: imp-shop, labels: {istio-injection: enabled}}
---
apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: imp-shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: reviews-v1, namespace: imp-shop}
spec:
  selector: {matchLabels: {app: reviews, version: v1}}
  template:
    metadata: {labels: {app: reviews, version: v1}}
    spec:
      serviceAccountName: bookinfo-reviews
      containers: [{name: reviews, image: docker.io/istio/examples-bookinfo-reviews-v1:1.20}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: imp-shop}
spec:
  host: reviews.imp-shop.svc.cluster.local
  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: imp-shop}
spec:
  hosts: [reviews.imp-shop.svc.cluster.local]
  http:
    - match:
        - headers: {end-user: {exact: jason}}
      route:
        - destination: {host: reviews.imp-shop.svc.cluster.local, subset: v2}
    - route:
        - destination: {host: reviews.imp-shop.svc.cluster.local, subset: v1}
          weight: 80
        - destination: {host: reviews.imp-shop.svc.cluster.local, subset: v2}
          weight: 20
---
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews-viewer, namespace: imp-shop}
spec:
  selector: {matchLabels: {app: reviews}}
  rules:
    - to: [{operation: {methods: [GET]}}]
`;

describe('meshctl import --from-cluster', () => {
  it('reads the cluster as a file import reads the same objects, and apply --adopt takes them over', async () => {
    const dir = cluster.scratchDir('import');
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'x.yaml'), X);
    await cluster.kubectl(['apply', '-f', path.join(dir, 'x.yaml')]);
    // A fresh API server answers 429 for a CRD's kind while its storage initializes: wait for every kind import lists.
    const kinds = 'virtualservices,destinationrules,serviceentries,workloadentries,gateways.networking.istio.io,sidecars,envoyfilters,authorizationpolicies,peerauthentications,requestauthentications,telemetries';
    for (let attempt = 0; (await cluster.kubectlResult(['get', kinds, '-n', 'imp-shop'])).code !== 0; attempt++) {
      if (attempt > 60) throw new Error('the Istio kinds never became listable');
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    const fromFile = await runMeshctl(['import', 'x.yaml'], { cwd: dir });
    expect(fromFile.code, describeRun(fromFile)).toBe(0);
    const fromCluster = await runMeshctl(['import', '--from-cluster', '--namespace', 'imp-shop', '--kubeconfig', cluster.kubeconfig], { cwd: dir });
    expect(fromCluster.code, describeRun(fromCluster)).toBe(0);
    expect(fromCluster.stdout).toBe(fromFile.stdout);
    expect(fromCluster.stdout).toContain('canary:\n    stable: v1\n    canary: v2\n    weight: 20');
    expect(fromCluster.stderr).toContain('imported 6 of 6 objects whole (100%)');

    const written = await runMeshctl(['import', '--from-cluster', '-n', 'imp-shop', '--kubeconfig', cluster.kubeconfig, '--out-dir', 'mesh'], { cwd: dir });
    expect(written.code, describeRun(written)).toBe(0);
    const applyset = ['--applyset', 'istio-system/import-test', '--kubeconfig', cluster.kubeconfig];

    // The VirtualService and DestinationRule have the names meshctl gives them: adopted, not refused.
    const refused = await runMeshctl(['diff', 'mesh', ...applyset], { cwd: dir });
    expect(refused.code, describeRun(refused)).toBe(2);
    expect(refused.stderr).toContain('VirtualService imp-shop/reviews exists and was not created by meshctl');
    const diff = await runMeshctl(['diff', 'mesh', '--adopt', ...applyset], { cwd: dir });
    expect(diff.code, describeRun(diff)).toBe(1);
    expect(diff.stdout).toContain('--- VirtualService imp-shop/reviews (adopted)\n');
    expect(diff.stdout).toContain('--- DestinationRule imp-shop/reviews (adopted)\n');

    let applied = await runMeshctl(['apply', 'mesh', '--adopt', ...applyset], { cwd: dir });
    if (applied.code !== 0) {
      // kubectl's field manager owns the fields meshctl now writes differently: shown, then forced.
      expect(applied.stderr, describeRun(applied)).toMatch(/conflict/i);
      applied = await runMeshctl(['apply', 'mesh', '--adopt', '--force-conflicts', ...applyset], { cwd: dir });
    }
    expect(applied.code, describeRun(applied)).toBe(0);
    expect(applied.stdout).toContain('adopted VirtualService imp-shop/reviews\n');
    const vs = await cluster.getJson<KubeObject>(['virtualservice', 'reviews', '-n', 'imp-shop', '-o', 'json']);
    expect(vs.metadata.labels?.[PART_OF]).toBeDefined();
    // The hand-written policy under another name is not meshctl's: never pruned.
    const viewer = await cluster.getJson<KubeObject>(['authorizationpolicy', 'reviews-viewer', '-n', 'imp-shop', '-o', 'json']);
    expect(viewer.metadata.name).toBe('reviews-viewer');

    const again = await runMeshctl(['diff', 'mesh', ...applyset], { cwd: dir });
    expect(again.code, describeRun(again)).toBe(0);
  }, TEST_TIMEOUT_MS);

  it('says in one line when the kubeconfig names no cluster', async () => {
    const result = await runMeshctl(['import', '--from-cluster', '--kubeconfig', path.join(cluster.runDir, 'nope')]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(`meshctl: error: kubeconfig ${path.join(cluster.runDir, 'nope')} does not exist\n`);
  });
});
