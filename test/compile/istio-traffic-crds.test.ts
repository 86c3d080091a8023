// What the traffic emitters produce for the bundled example and every valid fixture: accepted by
// Istio's own CRDs (structural schema and CEL rules, every rule evaluated), named exactly as
// compiledObjects predicts, carrying the managed-by label and source annotation, and the same on
// every run whatever order the mesh files are read in.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRAFFIC_EMITTERS } from '../../src/compiler/istio/traffic/index.js';
import { loadMesh, validate } from '../../src/index.js';
import { compiledObjects } from '../../src/compiler/istio/compiled-names.js';
import type { MeshModel } from '../../src/model/mesh-model.js';
import { canonicalObject, sortObjects, toYamlStream, type KubernetesObject } from '../../src/output/manifest.js';
import { validateAgainstCrd } from '../support/crd-validator.js';
import { crdProblems, istioCatalog } from '../support/istio-crds.js';

const repo = path.join(import.meta.dirname, '..', '..');
const validFixtures = path.join(repo, 'test', 'fixtures', 'valid');
const meshes: [string, string][] = [
  ['examples/mesh', path.join(repo, 'examples', 'mesh')],
  ...readdirSync(validFixtures)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name): [string, string] => [`fixtures/valid/${name}`, path.join(validFixtures, name)]),
];

/** The kinds these emitters own; a VirtualService, DestinationRule or Gateway comes from nowhere else. */
const TRAFFIC_KINDS = new Set(['VirtualService', 'DestinationRule', 'Gateway']);

async function modelOf(meshPath: string): Promise<MeshModel> {
  const result = validate(await loadMesh([meshPath]));
  expect(result.errorCount).toBe(0);
  return result.model;
}

const emit = (model: MeshModel) => TRAFFIC_EMITTERS.flatMap((emitter) => emitter(model));
const key = (kind: string, namespace: string | undefined, name: string) => `${kind} ${namespace}/${name}`;

describe.each(meshes)('%s', (_, meshPath) => {
  it('every traffic object passes Istio\'s CRDs with zero violations and every CEL rule evaluated', async () => {
    expect(crdProblems(emit(await modelOf(meshPath)))).toEqual([]);
  });

  it('emits exactly the VirtualServices, DestinationRules and Gateways compiledObjects names', async () => {
    const model = await modelOf(meshPath);
    const emitted = emit(model).map((o) => key(o.kind, o.metadata.namespace, o.metadata.name)).sort();
    const predicted = compiledObjects(model)
      .filter((o) => TRAFFIC_KINDS.has(o.kind))
      .map((o) => key(o.kind, o.namespace, o.name))
      .sort();
    expect(emitted).toEqual(predicted);
    expect(new Set(emitted).size).toBe(emitted.length);
  });

  it('every object has only apiVersion, kind, metadata and spec, the managed-by label and the source annotation', async () => {
    for (const object of emit(await modelOf(meshPath))) {
      expect(Object.keys(object).sort()).toEqual(['apiVersion', 'kind', 'metadata', 'spec']);
      expect(object.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'meshctl' });
      expect(object.metadata.annotations?.['meshctl.dev/source']).toMatch(/\.yaml:\d+$/);
      expect(object.apiVersion).toBe('networking.istio.io/v1');
    }
  });

  it('writes no empty object or list anywhere', async () => {
    const empties: string[] = [];
    // `{}` as a header or query parameter value is Istio's presence match, the one empty object it reads.
    const PRESENCE_MAPS = new Set(['headers', 'withoutHeaders', 'queryParams']);
    const walk = (value: unknown, at: string, parentField: string) => {
      if (Array.isArray(value)) {
        if (value.length === 0) empties.push(at);
        value.forEach((item, index) => walk(item, `${at}[${index}]`, ''));
      } else if (value !== null && typeof value === 'object') {
        const entries = Object.entries(value);
        if (entries.length === 0) empties.push(at);
        for (const [field, child] of entries) {
          const isPresenceMatch = PRESENCE_MAPS.has(parentField) && child !== null && typeof child === 'object' && Object.keys(child).length === 0;
          if (!isPresenceMatch) walk(child, `${at}.${field}`, field);
        }
      }
    };
    for (const object of emit(await modelOf(meshPath))) walk(object.spec, key(object.kind, object.metadata.namespace, object.metadata.name), 'spec');
    expect(empties).toEqual([]);
  });
});

describe('determinism', () => {
  it('the same mesh gives byte-identical output, whatever order its files are loaded in', async () => {
    const directory = path.join(repo, 'examples', 'mesh');
    const files = readdirSync(directory).filter((name) => name.endsWith('.yaml')).map((name) => path.join(directory, name));
    const render = async (paths: string[]) => toYamlStream(sortObjects(emit(validate(await loadMesh(paths)).model)));
    const forward = await render([...files].sort());
    expect(await render([...files].sort().reverse())).toBe(forward);
    expect(await render([directory])).toBe(forward);
  });

  it('map keys the mesh file writes in any order come out sorted', async () => {
    const objects = emit(await modelOf(path.join(repo, 'examples', 'mesh')));
    const ratings = objects.find((o) => o.kind === 'DestinationRule' && o.metadata.name === 'ratings')!;
    const v2 = (ratings.spec as { subsets: { name: string; labels: Record<string, string> }[] }).subsets.find((s) => s.name === 'v2')!;
    expect(Object.keys(v2.labels)).toEqual(['app', 'store', 'version']);
    expect(canonicalObject(ratings)).toEqual(ratings);
  });
});

it('the example mesh compiles to every traffic kind, and its CEL rules (durations) are evaluated, not skipped', async () => {
  const objects = emit(await modelOf(path.join(repo, 'examples', 'mesh')));
  expect([...new Set(objects.map((o) => o.kind as string))].sort()).toEqual(['DestinationRule', 'Gateway', 'VirtualService']);
  const evaluated = objects.reduce((total, object) => total + validateAgainstCrd(istioCatalog(), object).evaluatedRules, 0);
  expect(evaluated).toBeGreaterThan(20);
});
