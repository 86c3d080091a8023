// What a user sees when the way to the API server or the server itself fails: each fault is one
// `meshctl: error: ...` line (details indented below it), exit code 2, no stack trace, for diff and
// apply alike. The faults are real: a closed port, a CA that did not sign the server's certificate,
// certificates and tokens the server rejects, a server that never answers, the API server process
// stopped, and an admission policy that refuses an object.
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ClusterError, planMeshChanges } from '../../src/cluster/index.js';
import { closedPort, requestsThat, startApiProxy, startSilentServer } from '../support/api-proxy.js';
import {
  createForeignAuthority,
  describeRun,
  errorLineOf,
  runMeshctl,
  shopMesh,
  useTestCluster,
  writeKubeconfig,
  writeMesh,
  type KubeconfigSpec,
} from '../support/test-cluster.js';

const cluster = useTestCluster('faults');
let meshDir = '';
let foreign: Awaited<ReturnType<typeof createForeignAuthority>>;

beforeAll(async () => {
  meshDir = writeMesh(cluster.scratchDir('mesh'), shopMesh({ canaryWeight: 10, payments: true }));
  foreign = await createForeignAuthority(cluster.scratchDir('foreign-ca'));
});

let kubeconfigCount = 0;
function kubeconfigWith(changes: Partial<KubeconfigSpec>): string {
  kubeconfigCount += 1;
  return writeKubeconfig(path.join(cluster.scratchDir('kubeconfigs'), `k${kubeconfigCount}`), {
    server: cluster.server,
    certificateAuthority: cluster.certificateAuthority,
    credentials: cluster.admin,
    ...changes,
  });
}

const meshctl = (command: string, kubeconfig: string, ...flags: string[]) =>
  runMeshctl([command, meshDir, '--kubeconfig', kubeconfig, ...flags]);

describe.each(['diff', 'apply'])('meshctl %s when the API server cannot be used', (command) => {
  it('says so in one line when nothing listens on the port', async () => {
    const port = await closedPort();
    const result = await meshctl(command, kubeconfigWith({ server: `https://127.0.0.1:${port}` }));
    expect(errorLineOf(result)).toBe(`meshctl: error: cannot reach the API server at https://127.0.0.1:${port}: connection refused (ECONNREFUSED)`);
  });

  it('reports a TLS error when the kubeconfig trusts another CA', async () => {
    const result = await meshctl(command, kubeconfigWith({ certificateAuthority: foreign.certificateAuthority }));
    const line = errorLineOf(result);
    expect(line.startsWith(`meshctl: error: TLS error talking to ${cluster.server}: `)).toBe(true);
    expect(line).toMatch(/ \([A-Z_]+\)$/);
  });

  it.each([
    ['a client certificate from another CA', () => foreign.client],
    ['a token the server never issued', () => ({ token: 'not-a-token-this-server-issued' })],
  ])('rejects %s as 401, naming the context', async (_, credentials) => {
    const result = await meshctl(command, kubeconfigWith({ credentials: credentials() }));
    expect(errorLineOf(result)).toBe(
      `meshctl: error: the API server at ${cluster.server} rejected the credentials of context "meshctl-local" (401 Unauthorized)`,
    );
  });

  it('reports 403 for an anonymous client, with what was refused', async () => {
    const result = await meshctl(command, kubeconfigWith({ credentials: undefined }));
    expect(errorLineOf(result)).toMatch(/^meshctl: error: forbidden: User "system:anonymous" cannot (get|list) (path "\/[^"]*"|resource "[a-z]+")/);
  });

  it('gives up after --request-timeout when the server accepts requests and never answers', async () => {
    const proxy = await startApiProxy({
      upstream: cluster.server,
      certificateAuthority: cluster.certificateAuthority,
      serving: cluster.serving,
      upstreamClient: cluster.admin,
    });
    try {
      proxy.hang(requestsThat.all);
      const started = Date.now();
      const result = await meshctl(command, kubeconfigWith({ server: proxy.url }), '--request-timeout', '1s');
      expect(errorLineOf(result)).toBe(`meshctl: error: no answer from the API server at ${proxy.url} within 1s (--request-timeout)`);
      // One request timed out, and meshctl stopped there instead of timing out once per object.
      expect(Date.now() - started).toBeLessThan(15_000);
      expect(proxy.requests.length).toBeGreaterThan(0);
    } finally {
      await proxy.close();
    }
  });

  it('gives up after --request-timeout when the server never completes the TLS handshake', async () => {
    const silent = await startSilentServer();
    try {
      const result = await meshctl(command, kubeconfigWith({ server: silent.url }), '--request-timeout', '500ms');
      expect(errorLineOf(result)).toBe(`meshctl: error: no answer from the API server at ${silent.url} within 500ms (--request-timeout)`);
    } finally {
      await silent.close();
    }
  });

  it('never prints a user and password written into the server URL: each becomes xxxxx, as kubectl prints them', async () => {
    const withCredentials = (server: string) => server.replace('https://', 'https://admin:s3cret-pass@');
    const redacted = (server: string) => server.replace('https://', 'https://xxxxx:xxxxx@');
    const port = await closedPort();
    const silent = await startSilentServer();
    try {
      const faults = [
        [{ server: withCredentials(`https://127.0.0.1:${port}`) }, [], `cannot reach the API server at ${redacted(`https://127.0.0.1:${port}`)}: `],
        [{ server: withCredentials(cluster.server), certificateAuthority: foreign.certificateAuthority }, [], `TLS error talking to ${redacted(cluster.server)}: `],
        [{ server: withCredentials(cluster.server), credentials: foreign.client }, [], `the API server at ${redacted(cluster.server)} rejected the credentials`],
        [{ server: withCredentials(silent.url) }, ['--request-timeout', '500ms'], `no answer from the API server at ${redacted(silent.url)} within 500ms`],
      ] as const;
      for (const [spec, flags, expected] of faults) {
        const result = await meshctl(command, kubeconfigWith(spec), ...flags);
        expect(errorLineOf(result)).toContain(expected);
        expect(result.stderr + result.stdout).not.toContain('s3cret-pass');
        expect(result.stderr + result.stdout).not.toContain('admin:');
      }
    } finally {
      await silent.close();
    }
  });

  it('names a missing kubeconfig and an unknown context', async () => {
    const missing = path.join(cluster.runDir, 'no-such-kubeconfig');
    expect(errorLineOf(await meshctl(command, missing))).toBe(`meshctl: error: kubeconfig ${missing} does not exist`);
    const unknown = await meshctl(command, cluster.kubeconfig, '--context', 'production');
    expect(errorLineOf(unknown)).toBe(`meshctl: error: context "production" is not in kubeconfig ${cluster.kubeconfig} (known: meshctl-local)`);
  });
});

describe('the API server process stopped', () => {
  it('fails the apply in one line, and the same apply succeeds once the server is back', async () => {
    await cluster.stopApiServer();
    try {
      const result = await meshctl('apply', cluster.kubeconfig);
      expect(errorLineOf(result)).toBe(`meshctl: error: cannot reach the API server at ${cluster.server}: connection refused (ECONNREFUSED)`);
    } finally {
      await cluster.startApiServer();
    }
    const retried = await meshctl('apply', cluster.kubeconfig);
    expect(retried.code, describeRun(retried)).toBe(0);
    const reviews = await cluster.getJson(['virtualservice', 'reviews', '-n', 'shop']);
    expect(reviews.metadata.labels?.['applyset.kubernetes.io/part-of']).toMatch(/^applyset-[A-Za-z0-9_-]+-v1$/);
  });
});

// An admission policy evaluated by kube-apiserver itself (CEL, no webhook): the kind of rule a
// platform team adds on top of Istio's CRDs, and the way a valid mesh meets a 422.
const halfAtMostPolicy = `
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: canary-at-most-half
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
      - apiGroups: [networking.istio.io]
        apiVersions: ["*"]
        operations: [CREATE, UPDATE]
        resources: [virtualservices]
  validations:
    - expression: "object.spec.http.all(r, !has(r.route) || r.route.all(d, !has(d.weight) || d.weight <= 50))"
      message: a route may send at most half of the traffic to one destination
      reason: Invalid
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: canary-at-most-half
spec:
  policyName: canary-at-most-half
  validationActions: [Deny]
`;

describe('an object the API server refuses (422)', () => {
  beforeAll(async () => {
    // The mesh has a 90/10 split, which the policy refuses: once the policy is in force and the
    // VirtualService is gone, diff and apply must create it, and the server refuses.
    const applied = await meshctl('apply', cluster.kubeconfig);
    expect(applied.code, describeRun(applied)).toBe(0);
    await cluster.kubectl(['apply', '-f', '-'], { input: halfAtMostPolicy });
    await cluster.kubectl(['delete', 'virtualservice', 'reviews', '-n', 'shop']);
    // Policies reach the admission plugin through an informer: wait until one is enforced.
    const probe = JSON.stringify({
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'probe', namespace: 'default' },
      spec: { hosts: ['probe'], http: [{ route: [{ destination: { host: 'probe' }, weight: 100 }] }] },
    });
    for (let attempt = 0; ; attempt += 1) {
      const result = await cluster.kubectlResult(['create', '--dry-run=server', '-f', '-'], { input: probe });
      if (result.code !== 0 && result.stderr.includes('canary-at-most-half')) break;
      if (attempt === 100) throw new Error(`the admission policy was never enforced: ${describeRun(result)}`);
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }, 120_000);
  afterAll(async () => {
    await cluster.kubectl(['delete', '-f', '-', '--ignore-not-found'], { input: halfAtMostPolicy });
  });

  it.each(['diff', 'apply'])('meshctl %s shows the server\'s field error under one error line', async (command) => {
    const result = await meshctl(command, cluster.kubeconfig);
    // diff may still show the objects it could compare, but must not call the refused one unchanged.
    expect(errorLineOf(result, { stdout: command === 'diff' ? 'any' : 'empty' })).toBe(
      'meshctl: error: invalid: VirtualService shop/reviews: the API server refused it:',
    );
    expect(result.stdout).not.toContain('no changes');
    expect(result.stderr).toContain('a route may send at most half of the traffic to one destination');
    const live = await cluster.kubectlResult(['get', 'virtualservice', 'reviews', '-n', 'shop']);
    expect(live.stderr).toContain('NotFound');
  });

  it('gives library callers the field errors of a crafted object a CEL rule of the CRD refuses', async () => {
    const crafted = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'VirtualService',
      metadata: { name: 'crafted', namespace: 'shop' },
      // Istio's CRD has a CEL rule for durations; meshctl's own validator would never let this through.
      spec: { hosts: ['crafted'], http: [{ route: [{ destination: { host: 'crafted' } }], timeout: '0.5ms' }] },
    };
    let refusal: ClusterError | undefined;
    try {
      const plan = await planMeshChanges([crafted as never], { kubeconfig: cluster.kubeconfig, applyset: 'istio-system/meshctl-crafted' });
      plan.client.close();
      refusal = plan.errors.find((error) => error.kind === 'invalid');
    } catch (error) {
      if (!(error instanceof ClusterError)) throw error;
      refusal = error;
    }
    expect(refusal?.kind).toBe('invalid');
    expect(refusal?.message).toBe('invalid: VirtualService shop/crafted: the API server refused it:');
    expect(refusal?.lines()).toEqual([
      'invalid: VirtualService shop/crafted: the API server refused it:',
      '  spec.http[0].timeout: Invalid value: "0.5ms": must be a valid duration greater than 1ms',
    ]);
  });
});
