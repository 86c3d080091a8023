// `compile --target gateway-api` for the bundled example and every valid fixture: every Gateway API
// object passes the Gateway API's own CRDs (standard channel, the version scripts/externals.json
// pins: structural schema and every CEL rule evaluated), every Istio object Istio's CRDs, every core
// Service the API server's checks; portable output holds no Istio kind; the same mesh gives the same
// bytes whatever order its files are read in.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/pipeline/index.js';
import { loadMesh } from '../../src/index.js';
import { toYamlStream, type KubernetesObject } from '../../src/output/manifest.js';
import { loadCrds, validateAgainstCrd, validateCoreObject, type CrdCatalog } from '../support/crd-validator.js';
import { externalFile } from '../support/externals.js';
import { crdProblems } from '../support/istio-crds.js';

const repo = path.join(import.meta.dirname, '..', '..');
const validFixtures = path.join(repo, 'test', 'fixtures', 'valid');
const meshes: [string, string[]][] = [
  ['examples/mesh', [path.join(repo, 'examples', 'mesh')]],
  ...readdirSync(validFixtures)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name): [string, string[]] => [`fixtures/valid/${name}`, [path.join(validFixtures, name)]]),
];

let catalog: CrdCatalog | undefined;
const gatewayApiCatalog = () => (catalog ??= loadCrds(externalFile('gateway-api-crds')));

const GATEWAY_API_GROUP = 'gateway.networking.k8s.io';
const CORE_KINDS = new Set(['Namespace', 'Service', 'ConfigMap']);
const isGatewayApi = (object: KubernetesObject) => object.apiVersion.startsWith(`${GATEWAY_API_GROUP}/`);
const isIstio = (object: KubernetesObject) => /\.istio\.io\//.test(object.apiVersion);

async function compileGatewayApi(paths: readonly string[], portable = false): Promise<KubernetesObject[]> {
  const result = compile(await loadMesh(paths, { cwd: repo }), { target: 'gateway-api', ...(portable ? { portable, rules: { MESH702: 'warning' } } : {}) });
  if (!result.ok) throw new Error(`${paths.join(' ')}: ${result.validation.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.code} ${d.message}`).join('; ')}`);
  return result.objects;
}

function gatewayApiProblems(objects: readonly KubernetesObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects.filter(isGatewayApi)) {
    const violations = validateAgainstCrd(gatewayApiCatalog(), object);
    const where = `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`;
    for (const v of violations) problems.push(`${where}: ${v.path}: ${v.message}`);
    for (const u of violations.unevaluated) problems.push(`${where}: CEL rule not evaluated at ${u.path}: ${u.reason}`);
  }
  return problems;
}

describe.each(meshes)('%s', (_, paths) => {
  it('every Gateway API object passes the Gateway API CRDs, every Istio object Istio\'s, every core object the API server\'s checks', async () => {
    const objects = await compileGatewayApi(paths);
    // Policy-only fixtures have no routes or gateways; the example has both.
    if (paths[0]!.endsWith('mesh')) expect(objects.filter(isGatewayApi).length).toBeGreaterThan(10);
    expect(gatewayApiProblems(objects)).toEqual([]);
    expect(crdProblems(objects.filter(isIstio))).toEqual([]);
    const core = objects.filter((object) => CORE_KINDS.has(object.kind));
    expect(core.flatMap((object) => validateCoreObject(object).map((v) => `${object.kind} ${object.metadata.name}: ${v.path}: ${v.message}`))).toEqual([]);
    expect(objects.every((object) => isGatewayApi(object) || isIstio(object) || CORE_KINDS.has(object.kind))).toBe(true);
  });

  it('every object carries the managed-by label and the source annotation, and names are unique per kind and namespace', async () => {
    const objects = await compileGatewayApi(paths);
    for (const object of objects) {
      expect(object.metadata.labels?.['app.kubernetes.io/managed-by']).toBe('meshctl');
      expect(object.metadata.annotations?.['meshctl.dev/source']).toMatch(/\.yaml:\d+$/);
    }
    const keys = objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('portable output holds Gateway API and core objects only, and they pass the CRDs too', async () => {
    const objects = await compileGatewayApi(paths, true);
    expect(objects.filter(isIstio).map((o) => o.kind)).toEqual([]);
    expect(gatewayApiProblems(objects)).toEqual([]);
  });

  it('the same mesh gives the same bytes, whatever order its files are read in', async () => {
    const files = paths.length === 1 && paths[0]!.endsWith('mesh') ? readdirSync(paths[0]!).map((name) => path.join(paths[0]!, name)).sort() : [...paths];
    const forward = toYamlStream(await compileGatewayApi(files));
    const backward = toYamlStream(await compileGatewayApi([...files].reverse()));
    expect(backward).toBe(forward);
    expect(forward).not.toContain(repo);
  });
});
