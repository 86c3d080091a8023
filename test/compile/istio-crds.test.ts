// Every object compiled from the example mesh and from every valid fixture is accepted by Istio's
// own CRDs, as an API server would check it: structural schema and CEL rules. Rules the checker
// cannot evaluate are listed, never passed silently. And the emitted objects are exactly those the
// naming rules predict (compiledObjects), so MESH240/MESH241 judge the names that really ship.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileIstio, loadMesh, validate } from '../../src/index.js';
import { compiledObjects } from '../../src/compiler/istio/compiled-names.js';
import { crdProblems } from '../support/istio-crds.js';

const repo = path.join(import.meta.dirname, '..', '..');
const validFixtures = path.join(repo, 'test', 'fixtures', 'valid');
const meshes: [string, string][] = [
  ['examples/mesh', path.join(repo, 'examples', 'mesh')],
  ...readdirSync(validFixtures)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name): [string, string] => [`fixtures/valid/${name}`, path.join(validFixtures, name)]),
];

// Kinds meshctl emits that are not Istio resources: plain Kubernetes objects with no CRD.
const CORE_KINDS = new Set(['Namespace', 'ConfigMap', 'Service']);

describe.each(meshes)('%s', (_, meshPath) => {
  it('compiles to objects that Istio\'s CRDs accept, with every CEL rule evaluated', async () => {
    const result = validate(await loadMesh([meshPath]));
    expect(result.errorCount).toBe(0);
    expect(crdProblems(compileIstio(result.model))).toEqual([]);
  });

  it('emits exactly the Istio objects the naming rules predict', async () => {
    const result = validate(await loadMesh([meshPath]));
    const emitted = compileIstio(result.model)
      .filter((object) => !CORE_KINDS.has(object.kind))
      .map((object) => `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`)
      .sort();
    const predicted = compiledObjects(result.model)
      .filter((object) => !CORE_KINDS.has(object.kind))
      .map((object) => `${object.kind} ${object.namespace}/${object.name}`)
      .sort();
    expect(emitted).toEqual(predicted);
  });
});

it('the example mesh compiles to every kind the Istio target has', async () => {
  const objects = compileIstio(validate(await loadMesh([path.join(repo, 'examples', 'mesh')])).model);
  const kinds = new Set(objects.map((o) => o.kind));
  for (const kind of [
    'VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication', 'EnvoyFilter',
    'ServiceEntry', 'WorkloadEntry', 'Gateway', 'Telemetry', 'Sidecar', 'Namespace', 'ConfigMap', 'Service',
  ]) expect(kinds, kind).toContain(kind);
});
