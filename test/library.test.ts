// meshctl as a library: load a directory, validate it, format the result. The same mesh must give
// the same diagnostics and byte-identical reports on every run and whatever order the file system
// lists its files in, or CI annotations and SARIF uploads would churn.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatGithub, formatJson, formatSarif, formatStylish, loadMesh, validate, type ValidationResult } from '../src/index.js';

const FILES: Record<string, string> = {
  'shop/reviews.yaml': `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{port: 9080, protocol: htp}]
  routes:
    - match: {path: /reviews}
      retrys: {attempts: 3}
`,
  'shop/ratings.yaml': `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ratings, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
---
apiVersion: meshctl.dev/v1alpha1
kind: Servise
metadata: {name: stars, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
`,
  'edge/broken.yml': 'apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata:\n\tname: broken\n',
  'edge/empty.yaml': '# nothing yet\n',
  'notes.txt': 'not a mesh file\n',
};

/** The whole public result, without the model (which holds closures). */
function snapshot(result: ValidationResult) {
  const { model: _model, ...rest } = result;
  return rest;
}

function formatAll(result: ValidationResult): Record<string, string> {
  return {
    stylish: formatStylish(result, { color: false }),
    stylishColor: formatStylish(result, { color: true }),
    json: formatJson(result),
    sarif: formatSarif(result, { toolVersion: '0.0.0-test' }),
    github: formatGithub(result),
  };
}

let forward: string;
let backward: string;
beforeAll(() => {
  // The same files, created in opposite orders: directory listings may follow creation order.
  forward = mkdtempSync(path.join(tmpdir(), 'meshctl-lib-a-'));
  backward = mkdtempSync(path.join(tmpdir(), 'meshctl-lib-b-'));
  for (const [root, names] of [[forward, Object.keys(FILES)], [backward, Object.keys(FILES).reverse()]] as const) {
    for (const name of names) {
      mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
      writeFileSync(path.join(root, name), FILES[name]!);
    }
  }
});
afterAll(() => {
  rmSync(forward, { recursive: true, force: true });
  rmSync(backward, { recursive: true, force: true });
});

describe('loadMesh and validate on a directory', () => {
  it('find every mesh file under it and report each finding at its place', async () => {
    const loaded = await loadMesh(['.'], { cwd: forward });
    expect([...loaded.sources.keys()].sort()).toEqual(['edge/broken.yml', 'edge/empty.yaml', 'shop/ratings.yaml', 'shop/reviews.yaml']);
    const result = validate(loaded);
    expect(result.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.level} ${d.code}`)).toEqual([
      'edge/broken.yml:4:1 error MESH003',
      'edge/empty.yaml:1:1 error MESH009',
      'shop/ratings.yaml:8:7 error MESH104',
      'shop/reviews.yaml:5:34 error MESH103',
      'shop/reviews.yaml:8:7 error MESH100',
    ]);
    expect({ errors: result.errorCount, warnings: result.warningCount, infos: result.infoCount, fatal: result.fatal }).toEqual({ errors: 5, warnings: 0, infos: 0, fatal: false });
    expect({ files: result.fileCount, documents: result.documentCount }).toEqual({ files: 4, documents: 4 });
    // The valid document of ratings.yaml reaches the model; the invalid ones do not.
    expect(result.model.services.map((s) => s.key)).toEqual(['shop/ratings']);
  });

  it('honour rule levels given as options', async () => {
    const result = validate(await loadMesh(['.'], { cwd: forward }), { rules: { MESH104: 'off', 'unknown-field': 'warning' } });
    expect(result.diagnostics.map((d) => `${d.code} ${d.level}`)).toEqual(['MESH003 error', 'MESH009 error', 'MESH103 error', 'MESH100 warning']);
  });
});

describe('determinism', () => {
  it('two runs give deep-equal results and byte-identical reports in every format', async () => {
    const first = validate(await loadMesh(['.'], { cwd: forward }));
    const second = validate(await loadMesh(['.'], { cwd: forward }));
    expect(snapshot(second)).toEqual(snapshot(first));
    expect(formatAll(second)).toEqual(formatAll(first));
  });

  it('the order files were created in does not change anything', async () => {
    const a = validate(await loadMesh(['.'], { cwd: forward }));
    const b = validate(await loadMesh(['.'], { cwd: backward }));
    expect(snapshot(b)).toEqual(snapshot(a));
    expect(formatAll(b)).toEqual(formatAll(a));
  });

  it('holds for a large mesh with findings of every kind (the invalid fixtures, checked as one mesh)', async () => {
    const root = path.join(import.meta.dirname, 'fixtures');
    const first = validate(await loadMesh(['invalid'], { cwd: root }));
    const second = validate(await loadMesh(['invalid'], { cwd: root }));
    expect(first.diagnostics.length).toBeGreaterThan(50);
    expect(new Set(first.diagnostics.map((d) => d.code)).size).toBeGreaterThan(15);
    expect(snapshot(second)).toEqual(snapshot(first));
    const reports = formatAll(first);
    expect(formatAll(second)).toEqual(reports);
    // Reports list diagnostics in file, line, column order.
    const keys = first.diagnostics.map((d) => [d.span.file, d.span.line, d.span.column] as const);
    const sorted = [...keys].sort((x, y) => (x[0] < y[0] ? -1 : x[0] > y[0] ? 1 : x[1] - y[1] || x[2] - y[2]));
    expect(keys).toEqual(sorted);
  });
});
