// MESH237 judged by istiod's own configuration generator (pilot, in process): for the rule's
// fixture, no proxy of the mesh gets a cluster or a listener chain for the external service it
// reports, while the external service the workload depends on is there; once the service lists
// it in dependsOn (the rule's advice), its proxy gets it and the rule is quiet.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMesh, loadSources, SourceText, validate } from '../../src/index.js';
import { dependencyResolver } from '../../src/plan/dependencies.js';
import { ISTIO_BUILD_TIMEOUT_MS, installIstioJudge, meshUnderJudgement, runPilot } from '../support/istio-judge.js';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const FIXTURE = 'test/fixtures/invalid/MESH237-unreachable-external-service.yaml';
const REPORTED = 'api.payments.example.com';
const DEPENDED_ON = 'api.tax.example.com';
const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-mesh237-'));

beforeAll(async () => {
  await installIstioJudge();
}, ISTIO_BUILD_TIMEOUT_MS);
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** What pilot pushes to every proxy of the mesh at `file`, as text per proxy. */
async function pushed(file: string): Promise<{ proxy: string; clusters: string[]; listeners: string }[]> {
  const { compiled, deployment } = await meshUnderJudgement([file]);
  const configs = await runPilot([...compiled, ...deployment.objects], deployment.proxies.map((p) => p.proxy));
  return configs.map((config, index) => ({
    proxy: deployment.proxies[index]!.name,
    clusters: config.clusters.map((cluster) => String(cluster.name)),
    listeners: JSON.stringify(config.listeners),
  }));
}

describe('MESH237 as istiod sees it', () => {
  it('no proxy can reach the external service the rule reports; the one it depends on is there', async () => {
    const reported = validate(await loadMesh([path.join(repoRoot, FIXTURE)])).diagnostics.map((d) => `${d.code} ${d.data.external}`);
    expect(reported).toEqual(['MESH237 shop/payments']);
    const proxies = await pushed(path.join(repoRoot, FIXTURE));
    expect(proxies.map((p) => p.proxy)).toEqual(['checkout']);
    for (const proxy of proxies) {
      expect(proxy.clusters.filter((name) => name.includes(REPORTED)), proxy.proxy).toEqual([]);
      expect(proxy.listeners).not.toContain(REPORTED);
      expect(proxy.clusters.some((name) => name.includes(DEPENDED_ON)), `${proxy.proxy} reaches ${DEPENDED_ON}`).toBe(true);
      // Registry-only: what has no configuration goes nowhere.
      expect(proxy.listeners).toContain('BlackHoleCluster');
    }
  }, 120_000);

  it('following the advice (dependsOn) gives the proxy the external service and quiets the rule', async () => {
    const fixed = path.join(scratch, 'fixed.yaml');
    writeFileSync(fixed, readFileSync(path.join(repoRoot, FIXTURE), 'utf8').replace('dependsOn: [tax]', 'dependsOn: [tax, payments]'));
    expect(validate(await loadMesh([fixed])).diagnostics).toEqual([]);
    const [checkout] = await pushed(fixed);
    expect(checkout!.clusters.filter((name) => name.includes(REPORTED))).not.toEqual([]);
  }, 120_000);
});

describe('MESH237 agrees with the dependencies the targets scope proxies to', () => {
  const fixture = readFileSync(path.join(repoRoot, FIXTURE), 'utf8');
  const http = fixture.replace('ports: [{port: 443, protocol: tls}]\n  resolution: dns\n---\n# Declared', 'ports: [{port: 80, protocol: http}]\n  resolution: dns\n---\n# Declared');
  const variants: [string, string][] = [
    ['named by no one', fixture],
    ['a dependency', fixture.replace('dependsOn: [tax]', 'dependsOn: [tax, payments]')],
    ['a route destination', http.replace('  dependsOn: [tax]', '  dependsOn: [tax]\n  routes:\n    - match: {path: /pay}\n      to: [{service: payments}]')],
    ['a mirror', http.replace('  dependsOn: [tax]', '  dependsOn: [tax]\n  routes:\n    - name: all\n      mirror: {service: payments, percent: 5}')],
  ];
  it.each(variants)('%s', (_name, text) => {
    const result = validate(loadSources([new SourceText('mesh.yaml', text)]));
    expect(result.errorCount, result.diagnostics.map((d) => d.message).join('; ')).toBe(0);
    const reported = result.diagnostics.some((d) => d.code === 'MESH237');
    const dependencies = dependencyResolver(result.model);
    const reached = result.model.services.some((service) => dependencies(service).some((destination) => destination.key === 'shop/payments'));
    expect(reported).toBe(!reached);
  });
});
