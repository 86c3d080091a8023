// The direction of the source tree's imports. Each folder of src/ sits in a layer; a file may import
// its own layer and the layers below it, never one above: the loader never knows about rules, the
// model never about a target, a target never about the cluster code. The two compiler targets are
// siblings in one layer that never import each other: what both need is decided once, in src/plan/.
// See docs/architecture.md.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

/** Bottom first. A folder of src/ (or a file at its root) and the layer it belongs to. */
const LAYERS: readonly (readonly string[])[] = [
  ['common', 'schema', 'diagnostics', 'output'],
  ['loader'],
  ['model'],
  ['validators'],
  ['plan'],
  ['compiler'],
  // The target registry (each target's emitter, artifact kind and rules), then the pipeline that
  // checks a mesh for a target and emits it.
  ['targets'],
  ['pipeline'],
  // import reads Istio and Kubernetes objects (from files or, through src/cluster, a live cluster)
  // back into mesh files; it checks them as validate does, so it sits beside the cluster code.
  ['cluster', 'report', 'review', 'graph', 'git', 'import'],
  ['commands', 'cli', 'hooks', 'index.ts'],
];

/** Folders that share a layer but must not import each other, in either direction. */
// The Gateway API target may use the Istio target's emitters for the Istio kinds it writes beside
// its routes; the Envoy target and the Istio target share only the plan.
const SEPARATE: readonly (readonly [string, string])[] = [
  ['compiler/envoy', 'compiler/istio'],
  ['compiler/envoy', 'compiler/gateway-api'],
];

/**
 * Edges that break the rules, each one exactly (importing file → imported file), so that no new one
 * can hide behind them. Every entry is a debt: the test fails when an entry no longer occurs, so the
 * list only shrinks. It is empty: a target's own rules live with the target
 * (src/compiler/<target>/rules/), and the registry of all rules sits at the targets layer.
 */
const ALLOWED: readonly (readonly [string, string])[] = [];

interface ImportEdge {
  readonly from: string;
  readonly to: string;
}

/** Every relative import of every .ts file under src/, as repository-relative paths. */
function sourceImports(root: string): ImportEdge[] {
  const edges: ImportEdge[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const full = path.join(directory, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (entry.name.endsWith('.ts')) {
        const from = path.relative(root, full).split(path.sep).join('/');
        const imported = ts.preProcessFile(readFileSync(full, 'utf8'), true, true).importedFiles;
        for (const { fileName } of imported) {
          if (!fileName.startsWith('.')) continue;
          const to = path.posix.normalize(path.posix.join(path.posix.dirname(from), fileName)).replace(/\.js$/, '.ts');
          edges.push({ from, to });
        }
      }
    }
  };
  walk(path.join(root, 'src'));
  return edges;
}

function layerOf(file: string): number {
  const inSrc = file.replace(/^src\//, '');
  const top = inSrc.split('/')[0]!;
  const layer = LAYERS.findIndex((members) => members.includes(top));
  if (layer < 0) throw new Error(`${file}: src/${top} is in no layer of the import-graph test; add it to LAYERS`);
  return layer;
}

function within(file: string, folder: string): boolean {
  return file.startsWith(`src/${folder}/`);
}

/** The edges that import a higher layer or cross between separate siblings, as "from → to". */
function violations(edges: readonly ImportEdge[]): string[] {
  const found = new Set<string>();
  for (const { from, to } of edges) {
    const upward = layerOf(to) > layerOf(from);
    const across = SEPARATE.some(([a, b]) => (within(from, a) && within(to, b)) || (within(from, b) && within(to, a)));
    if (upward || across) found.add(`${from} → ${to}`);
  }
  return [...found].sort();
}

describe('the import graph of src/', () => {
  const edges = sourceImports(repoRoot);
  const allowed = new Set(ALLOWED.map(([from, to]) => `${from} → ${to}`));

  it('reads the imports of the tree', () => {
    expect(edges.length).toBeGreaterThan(500);
    expect(edges).toContainEqual({ from: 'src/targets/istio.ts', to: 'src/compiler/istio/index.ts' });
  });

  it('no file imports a higher layer, and neither compiler target imports the other', () => {
    expect(violations(edges).filter((edge) => !allowed.has(edge))).toEqual([]);
  });

  it('every allowed edge still occurs: a repaired one is taken off the list', () => {
    const present = new Set(violations(edges));
    expect([...allowed].filter((edge) => !present.has(edge))).toEqual([]);
  });

  it('finds an upward import and an import between the two targets', () => {
    expect(
      violations([
        { from: 'src/model/mesh-model.ts', to: 'src/validators/validate.ts' },
        { from: 'src/compiler/envoy/routes.ts', to: 'src/compiler/istio/traffic/match.ts' },
        { from: 'src/compiler/istio/index.ts', to: 'src/compiler/envoy/types.ts' },
        { from: 'src/compiler/envoy/routes.ts', to: 'src/plan/routes.ts' },
        { from: 'src/review/index.ts', to: 'src/graph/index.ts' },
      ]),
    ).toEqual([
      'src/compiler/envoy/routes.ts → src/compiler/istio/traffic/match.ts',
      'src/compiler/istio/index.ts → src/compiler/envoy/types.ts',
      'src/model/mesh-model.ts → src/validators/validate.ts',
    ]);
  });

  it('a folder in no layer is an error, not a free pass', () => {
    expect(() => violations([{ from: 'src/newfolder/a.ts', to: 'src/model/mesh-model.ts' }])).toThrow(/in no layer/);
  });
});
