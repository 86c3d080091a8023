// Every object the security emitters produce, for the example mesh and for every valid fixture,
// is admitted by Istio's own CRDs (structural schema and every CEL rule evaluated), carries the
// names the naming rules predict (compiledObjects), and renders byte for byte the same each time.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMesh, validate } from '../../src/index.js';
import { compiledObjects } from '../../src/compiler/istio/compiled-names.js';
import { SOURCE_ANNOTATION } from '../../src/compiler/istio/common.js';
import { MANAGED_BY, MANAGED_BY_LABEL } from '../../src/common/managed-by.js';
import { toYamlStream } from '../../src/output/manifest.js';
import { validateAgainstCrd } from '../support/crd-validator.js';
import { istioCatalog } from '../support/istio-crds.js';
import { compileSecurity, exampleMesh, SECURITY_KINDS, validFixtures } from './istio-security-support.js';


const meshes: [string, string][] = [
  ['examples/mesh', exampleMesh],
  ...readdirSync(validFixtures)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name): [string, string] => [`fixtures/valid/${name}`, path.join(validFixtures, name)]),
];

/** The kinds of compiledObjects these emitters own (DestinationRule of external services is traffic's). */
const OWNED: ReadonlySet<string> = new Set(SECURITY_KINDS.filter((kind) => kind !== 'Namespace'));

async function modelOf(meshPath: string) {
  const result = validate(await loadMesh([meshPath]));
  expect(result.errorCount).toBe(0);
  return result.model;
}

describe.each(meshes)('%s', (_, meshPath) => {
  it('compiles to objects that Istio\'s CRDs accept, with every CEL rule evaluated', async () => {
    const objects = compileSecurity(await modelOf(meshPath));
    // Namespaces carry no CRD: a mesh whose services declare no dependencies and no policies may compile to nothing else.
    const checked = objects.filter((object) => object.kind !== 'Namespace' && object.kind !== 'Service').length;
    const problems: string[] = [];
    let evaluated = 0;
    for (const object of objects) {
      if (object.kind === 'Namespace' || object.kind === 'Service') continue;
      const violations = validateAgainstCrd(istioCatalog(), object);
      evaluated += violations.evaluatedRules;
      const where = `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`;
      for (const v of violations) problems.push(`${where}: ${v.path}: ${v.message}`);
      for (const u of violations.unevaluated) problems.push(`${where}: CEL rule not evaluated at ${u.path}: ${u.reason}`);
    }
    expect(problems).toEqual([]);
    if (checked > 0) expect(evaluated).toBeGreaterThan(0);
  });

  it('emits a Namespace as the core API defines it: only metadata, with a DNS-label name', async () => {
    for (const object of compileSecurity(await modelOf(meshPath)).filter((o) => o.kind === 'Namespace')) {
      expect(Object.keys(object)).toEqual(['apiVersion', 'kind', 'metadata']);
      expect(object.apiVersion).toBe('v1');
      expect(object.metadata.namespace).toBeUndefined();
      expect(object.metadata.name).toMatch(/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/);
      expect(['enabled', 'disabled']).toContain(object.metadata.labels?.['istio-injection']);
    }
  });

  it('emits exactly the objects of its kinds that the naming rules predict', async () => {
    const model = await modelOf(meshPath);
    const emitted = compileSecurity(model)
      .filter((object) => OWNED.has(object.kind))
      .map((object) => `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`)
      .sort();
    const predicted = compiledObjects(model)
      .filter((object) => OWNED.has(object.kind))
      .map((object) => `${object.kind} ${object.namespace}/${object.name}`)
      .sort();
    expect(emitted).toEqual(predicted);
  });

  it('labels every object as meshctl\'s and names the file and line it came from', async () => {
    for (const object of compileSecurity(await modelOf(meshPath))) {
      expect(object.metadata.labels?.[MANAGED_BY_LABEL]).toBe(MANAGED_BY);
      expect(object.metadata.annotations?.[SOURCE_ANNOTATION]).toMatch(/\.yaml:\d+$/);
    }
  });

  it('renders byte-identical output from two separate loads', async () => {
    const first = toYamlStream(compileSecurity(await modelOf(meshPath)));
    const second = toYamlStream(compileSecurity(await modelOf(meshPath)));
    expect(second).toBe(first);
  });
});
