// `meshctl compile --target gateway-api` as users run it: the target's own rules run for it and
// only for it, portable mode (flag and Mesh setting) refuses the Istio kinds at their place, and a
// lowered MESH702 gives Gateway API and core objects only.
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { describe, expect, it } from 'vitest';

const repo = path.join(import.meta.dirname, '..', '..');

function meshctl(args: string[], input?: string) {
  return spawnSync(process.execPath, [path.join(repo, 'bin', 'run.js'), ...args], { cwd: repo, encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });
}

const kinds = (yaml: string) => parseAllDocuments(yaml).map((doc) => `${(doc.toJS() as { apiVersion: string }).apiVersion} ${(doc.toJS() as { kind: string }).kind}`);

const RESILIENT = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: catalog, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  versions:
    v1: {labels: {version: v1}}
    v2: {labels: {version: v2}}
  canary: {stable: v1, canary: v2, weight: 10}
  resilience:
    outlierDetection: {consecutive5xx: 5}
`;

describe('compile --target gateway-api', () => {
  it('writes the GAMMA route, the version Services and, beside them, the Istio DestinationRules of the versions\' hosts', () => {
    const run = meshctl(['compile', '-', '--target', 'gateway-api'], RESILIENT);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(kinds(run.stdout).sort()).toEqual([
      'gateway.networking.k8s.io/v1 HTTPRoute',
      'networking.istio.io/v1 DestinationRule',
      'networking.istio.io/v1 DestinationRule',
      'networking.istio.io/v1 DestinationRule',
      'v1 Namespace',
      'v1 Service',
      'v1 Service',
    ]);
    expect(run.stdout).toContain('host: catalog-v2.shop.svc.cluster.local');
  });

  it('--portable refuses what needs an Istio kind, at its place, and writes nothing', () => {
    const run = meshctl(['compile', '-', '--target', 'gateway-api', '--portable'], RESILIENT);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/10:3\s+error\s+resilience needs Istio's DestinationRule.*MESH702/);
  });

  it('--portable with MESH702 lowered writes Gateway API and core objects only', () => {
    const run = meshctl(['compile', '-', '--target', 'gateway-api', '--portable', '--rule', 'MESH702=warning'], RESILIENT);
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(/warning\s+resilience needs Istio's DestinationRule/);
    expect(kinds(run.stdout).sort()).toEqual(['gateway.networking.k8s.io/v1 HTTPRoute', 'v1 Namespace', 'v1 Service', 'v1 Service']);
  });

  it('the Mesh\'s gatewayApi.portable is portable mode too', () => {
    const mesh = `apiVersion: meshctl.dev/v1alpha1\nkind: Mesh\nmetadata: {name: mesh}\nspec:\n  gatewayApi: {portable: true}\n---\n${RESILIENT}`;
    const run = meshctl(['compile', '-', '--target', 'gateway-api'], mesh);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('MESH702');
  });

  it('a mutual TLS listener is refused (MESH703) rather than written to accept every client', () => {
    const gateway = `apiVersion: meshctl.dev/v1alpha1
kind: Gateway
metadata: {name: partners, namespace: edge}
spec:
  listeners:
    - {port: 443, protocol: https, hosts: [partners.example.com], tls: {mode: mutual, credentialName: partners-tls}}
`;
    const run = meshctl(['compile', '-', '--target', 'gateway-api'], gateway);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/6:\d+\s+error\s+listener https-443 asks for mutual TLS.*MESH703/);
    expect(meshctl(['compile', '-', '--target', 'istio'], gateway).status).toBe(0);
  });

  it('its rules run for it only: validate and the other targets do not report them', () => {
    const validate = meshctl(['validate', 'examples/mesh']);
    expect(validate.stdout + validate.stderr).not.toMatch(/MESH70\d/);
    const istio = meshctl(['compile', 'examples/mesh', '--target', 'istio']);
    expect(istio.stderr).not.toMatch(/MESH70\d/);
    const gateway = meshctl(['compile', 'examples/mesh', '--target', 'gateway-api']);
    expect(gateway.status).toBe(0);
    expect(gateway.stderr).toMatch(/MESH700/);
  });

  it('--portable belongs to the Gateway API target', () => {
    const run = meshctl(['compile', 'examples/mesh', '--target', 'istio', '--portable']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('--portable applies to --target gateway-api only');
  });
});
