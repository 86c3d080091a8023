// Malformed objects never crash the import: every node of real inputs (meshctl's own output for
// the example mesh, with its deployment) replaced in turn by a value of another type, and the
// import still returns documents and findings, never an exception (a stack trace for the user).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/pipeline/index.js';
import { importMesh } from '../../src/import/import-mesh.js';
import { inputObject, type InputObject } from '../../src/import/read-objects.js';
import { renderImportedFile } from '../../src/import/render.js';
import { loadMesh, loadSources } from '../../src/loader/load-mesh.js';
import { SourceText } from '../../src/loader/source-file.js';
import { validate } from '../../src/pipeline/index.js';
import { deploymentFor } from '../support/istio-judge.js';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const REPLACEMENTS: unknown[] = [null, 42, 'text', [null], { '': 1 }];

type Json = Record<string, unknown>;

/** Every path to a node under `spec` (and metadata labels), breadth first, at most `limit`. */
function paths(value: unknown, prefix: (string | number)[] = [], out: (string | number)[][] = [], limit = 400): (string | number)[][] {
  if (out.length >= limit || value === null || typeof value !== 'object') return out;
  for (const [key, child] of Object.entries(value as Json)) {
    const at = [...prefix, Array.isArray(value) ? Number(key) : key];
    out.push(at);
    paths(child, at, out, limit);
  }
  return out;
}

function replaced(object: Json, at: (string | number)[], replacement: unknown): Json {
  const copy = JSON.parse(JSON.stringify(object)) as Json;
  let node: Json = copy;
  for (const key of at.slice(0, -1)) node = node[key as string] as Json;
  node[at[at.length - 1] as string] = replacement;
  return copy;
}

describe('hostile values in Istio and Kubernetes objects', () => {
  it('never make the import throw, and what it writes is read back without a crash', async () => {
    const first = compile(await loadMesh(['examples/mesh'], { cwd: repoRoot }), { target: 'istio' });
    if (!first.ok) throw new Error('the example does not compile');
    const objects = [...first.objects, ...deploymentFor(first.validation.model, first.objects).objects] as unknown as Json[];
    const toInput = (value: Json, index: number): InputObject => inputObject(value, (nodePath = []) => ({ object: `object ${index}`, path: nodePath }));
    // What the Istio objects are about (Services, Deployments, Gateways, Namespaces); each Istio object is mutated alone beside them.
    const context = objects.filter((o) => ['Service', 'Deployment', 'Namespace', 'Gateway'].includes(String(o.kind))).map(toInput);
    const istio = objects.filter((o) => String(o.apiVersion).includes('istio.io') && o.kind !== 'Gateway');
    let runs = 0;
    for (const [index, object] of istio.entries()) {
      for (const at of paths(object.spec, ['spec'])) {
        for (const replacement of REPLACEMENTS) {
          const input = [...context, toInput(replaced(object, at, replacement), index)];
          let result;
          try {
            result = importMesh(input);
          } catch (error) {
            throw new Error(`import threw for ${String(object.kind)} ${String((object.metadata as Json).name)} ${at.join('.')} = ${JSON.stringify(replacement)}: ${(error as Error).stack}`);
          }
          runs += 1;
          if (runs % 500 === 0) {
            const sources = result.files.map((file) => new SourceText(file.path, renderImportedFile(file)));
            expect(() => validate(loadSources(sources), { targets: [] })).not.toThrow();
          }
        }
      }
    }
    expect(runs).toBeGreaterThan(3000);
  }, 600_000);
});
