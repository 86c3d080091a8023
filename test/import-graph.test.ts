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
  ['shared', 'schema', 'diagnostics', 'output'],
  ['loader'],
  ['model'],
  ['validators'],
  ['plan'],
  ['compiler'],
  ['cluster', 'report', 'review', 'graph', 'git'],
  ['commands', 'cli', 'hooks', 'index.ts'],
];

/** Folders that share a layer but must not import each other, in either direction. */
const SEPARATE: readonly (readonly [string, string])[] = [['compiler/envoy', 'compiler/istio']];

/**
 * Edges that break the rules today, each one exactly (importing file → imported file), so that no
 * new one can hide behind them. Every entry is a debt: the test fails when an entry no longer occurs,
 * so the list only shrinks.
 */
const ALLOWED: readonly (readonly [string, string])[] = [
  // The loader reports read and parse failures with the load rules' definitions (codes, messages,
  // docs); the definitions belong below the loader, or the loader should return neutral failures.
  ['src/loader/parse-documents.ts', 'src/validators/rules/load/MESH001-yaml-syntax.ts'],
  ['src/loader/parse-documents.ts', 'src/validators/rules/load/MESH002-duplicate-key.ts'],
  ['src/loader/parse-documents.ts', 'src/validators/rules/load/MESH003-tab-indentation.ts'],
  ['src/loader/parse-documents.ts', 'src/validators/rules/load/MESH005-yaml-tag.ts'],
  ['src/loader/parse-documents.ts', 'src/validators/rules/load/MESH006-alias-limit.ts'],
  ['src/loader/parse-documents.ts', 'src/validators/rules/load/MESH007-nesting-too-deep.ts'],
  ['src/loader/parse-documents.ts', 'src/validators/rules/load/MESH008-file-too-large.ts'],
  ['src/loader/parse-documents.ts', 'src/validators/rules/load/MESH009-empty-file.ts'],
  ['src/loader/read-paths.ts', 'src/validators/rules/load/MESH004-invalid-encoding.ts'],
  ['src/loader/read-paths.ts', 'src/validators/rules/load/MESH008-file-too-large.ts'],
  ['src/loader/read-paths.ts', 'src/validators/rules/load/MESH012-path-not-found.ts'],
  ['src/loader/read-paths.ts', 'src/validators/rules/load/MESH013-unreadable-path.ts'],
  ['src/loader/read-paths.ts', 'src/validators/rules/load/MESH014-no-mesh-files.ts'],
  ['src/loader/read-paths.ts', 'src/validators/rules/load/MESH015-symlink-loop.ts'],
  ['src/loader/read-paths.ts', 'src/validators/rules/load/MESH016-skipped-path.ts'],
  // A rule's check takes the mesh model, so the rule definition type names it.
  ['src/diagnostics/rule.ts', 'src/model/mesh-model.ts'],
  // The Envoy target's own rules (sidecar ports, outbound TCP listeners) live with the mesh-wide
  // rules and read the target's settings and the plan; they belong to the Envoy target.
  ['src/validators/rules/references/MESH233-proxy-port-conflict.ts', 'src/compiler/envoy/settings.ts'],
  ['src/validators/rules/references/MESH234-application-port-conflict.ts', 'src/compiler/envoy/settings.ts'],
  ['src/validators/rules/references/MESH235-outbound-tcp-port-conflict.ts', 'src/compiler/envoy/settings.ts'],
  ['src/validators/rules/references/MESH235-outbound-tcp-port-conflict.ts', 'src/plan/dependencies.ts'],
  ['src/validators/rules/references/envoy-proxy-ports.ts', 'src/compiler/envoy/settings.ts'],
  // The Istio target's own rules (the names of the objects it writes) read the target's names.
  ['src/validators/rules/references/MESH240-compiled-name-too-long.ts', 'src/compiler/istio/compiled-names.ts'],
  ['src/validators/rules/references/MESH241-compiled-name-collision.ts', 'src/compiler/istio/compiled-names.ts'],
];

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
    expect(edges).toContainEqual({ from: 'src/compiler/compile.ts', to: 'src/compiler/istio/index.ts' });
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
