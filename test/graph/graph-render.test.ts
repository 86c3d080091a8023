// The renderers: Mermaid checked line by line against the flowchart syntax meshctl writes (ids
// declared once and distinct, every label quoted and free of characters Mermaid would read), DOT
// read back with a DOT parser, JSON against its documented shape; and the diff of two revisions.
import { describe, expect, it } from 'vitest';
import {
  buildServiceGraph,
  diffServiceGraphs,
  EMPTY_GRAPH,
  escapeMermaidText,
  focusGraph,
  renderDot,
  renderGraphJson,
  renderMermaid,
  type ServiceGraph,
} from '../../src/graph/index.js';
import { loadMesh } from '../../src/loader/load-mesh.js';
import { validate } from '../../src/pipeline/index.js';
import { compileModel } from '../compile/istio-traffic-support.js';
import { repoRoot } from '../helpers/run-cli.js';
import { parseDot } from './dot-parser.js';
import path from 'node:path';

const exampleGraph = async () => buildServiceGraph(validate(await loadMesh([path.join(repoRoot, 'examples', 'mesh')]), { targets: [] }).model);

/** A graph no mesh file could produce, with every character that means something to Mermaid or DOT. */
const HOSTILE: ServiceGraph = {
  namespaces: ['end', 'a-b', 'a.b'],
  nodes: [
    { id: 'caller:principal:"quoted" <b>|#1;&amp;`x`', kind: 'caller', label: 'say "hi" <script>|#35;&`\\' },
    { id: 'service:a-b/end', kind: 'service', label: 'end', namespace: 'a-b', detail: 'line\nbreak "q"' },
    { id: 'service:a.b/end', kind: 'service', label: 'end', namespace: 'a.b' },
    { id: 'service:end/x', kind: 'service', label: 'x\\"', namespace: 'end' },
  ],
  edges: [
    { id: 'may-call:1', kind: 'may-call', from: 'caller:principal:"quoted" <b>|#1;&amp;`x`', to: 'service:a-b/end', label: 'GET |"/a"| -->' },
    { id: 'calls:2', kind: 'calls', from: 'service:a-b/end', to: 'service:a.b/end' },
    { id: 'denied:3', kind: 'denied', from: 'service:a.b/end', to: 'service:end/x', label: '\\"; ] } ->' },
  ],
};

const NODE_LINE = /^\s+(n_[A-Za-z0-9_]+)(\["|\("|\[\/"|\[\["|\{\{"|\(\[")([^"]*)("\]|"\)|"\/\]|"\]\]|"\}\}|"\]\))$/;
const SHAPE_PAIRS: Record<string, string> = { '["': '"]', '("': '")', '[/"': '"/]', '[["': '"]]', '{{"': '"}}', '(["': '"])' };
const EDGE_LINE = /^\s+(n_[A-Za-z0-9_]+) (-->|-\.->|==>|--x|---)(?:\|"([^"|]*)"\|)? (n_[A-Za-z0-9_]+)$/;

/** Checks the Mermaid text and returns its node ids, edges and classes. */
function lintMermaid(text: string) {
  const lines = text.split('\n');
  expect(lines.at(-1)).toBe('');
  const nodes: string[] = [];
  const edges: [string, string, string | undefined][] = [];
  const classes = new Map<string, string[]>();
  const linkStyles = new Map<string, number[]>();
  let depth = 0;
  let i = 0;
  if (lines[0] === '---') {
    i = lines.indexOf('---', 1) + 1;
    expect(i).toBeGreaterThan(1);
  }
  expect(lines[i]).toBe('flowchart LR');
  for (const line of lines.slice(i + 1, -1)) {
    let m: RegExpExecArray | null;
    if ((m = NODE_LINE.exec(line))) {
      expect(SHAPE_PAIRS[m[2]!], line).toBe(m[4]);
      // Only Mermaid's line break may appear as markup; everything else is entity-coded.
      expect(m[3]!.replace(/<br\/>/g, ''), line).not.toMatch(/[<>"|`]/);
      nodes.push(m[1]!);
    } else if ((m = /^\s+subgraph (ns_[A-Za-z0-9_]+)\["([^"<>|]*)"\]$/.exec(line))) {
      expect(depth).toBe(0);
      nodes.push(m[1]!);
      depth++;
    } else if (/^\s+end$/.test(line)) {
      depth--;
      expect(depth).toBe(0);
    } else if ((m = EDGE_LINE.exec(line))) {
      expect(m[3] ?? '', line).not.toMatch(/[<>"|`]/);
      edges.push([m[1]!, m[4]!, m[3]]);
    } else if ((m = /^\s+classDef (added|removed|changed) [a-z-]+:[^ ,]+(?:,[a-z-]+:[^,]+)*$/.exec(line))) {
      // declared
    } else if ((m = /^\s+class ((?:n_[A-Za-z0-9_]+,)*n_[A-Za-z0-9_]+) (added|removed|changed)$/.exec(line))) {
      classes.set(m[2]!, m[1]!.split(','));
    } else if ((m = /^\s+linkStyle ((?:\d+,)*\d+) (stroke:[^ ]+.*)$/.exec(line))) {
      linkStyles.set(m[2]!, m[1]!.split(',').map(Number));
    } else {
      throw new Error(`not a Mermaid line meshctl writes: ${JSON.stringify(line)}`);
    }
  }
  expect(depth).toBe(0);
  expect(new Set(nodes).size, 'ids are distinct').toBe(nodes.length);
  const declared = new Set(nodes);
  for (const [from, to] of edges) {
    expect(declared.has(from), from).toBe(true);
    expect(declared.has(to), to).toBe(true);
  }
  for (const ids of classes.values()) for (const id of ids) expect(declared.has(id), id).toBe(true);
  for (const indexes of linkStyles.values()) for (const index of indexes) expect(index).toBeLessThan(edges.length);
  return { nodes, edges, classes, linkStyles };
}

/** DOT label text as Graphviz shows it: \n a line break, \\ a backslash. */
const dotText = (label: string | undefined) => label?.replace(/\\n/g, '\n').replace(/\\\\/g, '\\');

describe('Mermaid', () => {
  it('draws the example mesh as a valid flowchart with one subgraph per namespace', async () => {
    const graph = await exampleGraph();
    const text = renderMermaid(graph);
    const { nodes, edges } = lintMermaid(text);
    expect(nodes.filter((id) => id.startsWith('ns_'))).toEqual(['ns_istio_ingress', 'ns_orders', 'ns_platform', 'ns_storefront']);
    expect(nodes.length).toBe(graph.nodes.length + graph.namespaces.length);
    expect(edges.length).toBe(graph.edges.length);
    expect(text).toContain('n_service_storefront_reviews ==>|"75%"| n_version_storefront_reviews_v2');
    expect(renderMermaid(await exampleGraph())).toBe(text);
  });

  it('keeps hostile names inside their labels and gives names that read alike distinct ids', () => {
    const text = renderMermaid(HOSTILE, { title: 'a "title"\nwith a break' });
    const { nodes } = lintMermaid(text);
    expect(nodes).toContain('n_service_a_b_end');
    expect(nodes).toContain('n_service_a_b_end_2');
    expect(nodes).toContain('ns_end');
    expect(text).toContain('say #quot;hi#quot; #lt;script#gt;#124;#35;35;#amp;#96;\\');
    expect(text).toContain('title: "a  title  with a break"');
  });

  it('escapes every character Mermaid reads inside a quoted label', () => {
    expect(escapeMermaidText('a"b#c<d>e&f|g`h\ni')).toBe('a#quot;b#35;c#lt;d#gt;e#amp;f#124;g#96;h i');
  });

  it('refuses Mermaid that breaks out of a label or names an undeclared node (the check can fail)', () => {
    expect(() => lintMermaid('flowchart LR\n  n_a["say "hi""]\n')).toThrow();
    expect(() => lintMermaid('flowchart LR\n  n_a["a"]\n  n_a -->|"x"| n_b\n')).toThrow();
    expect(() => lintMermaid('flowchart LR\n  n_a["a"]\n  n_a["b"]\n')).toThrow();
  });

  it('writes an empty graph as a flowchart with nothing in it', () => {
    expect(renderMermaid(EMPTY_GRAPH)).toBe('flowchart LR\n');
  });
});

describe('DOT', () => {
  it('reads back the example mesh with every node, label and edge', async () => {
    const graph = await exampleGraph();
    const dot = parseDot(renderDot(graph));
    expect([...dot.nodes.keys()].sort()).toEqual(graph.nodes.map((n) => n.id).sort());
    expect(dot.subgraphs).toEqual(graph.namespaces.map((ns) => `cluster_${ns}`));
    expect(dot.edges.map((e) => `${e.from}->${e.to}`)).toEqual(graph.edges.map((e) => `${e.from}->${e.to}`));
    const reviews = dot.nodes.get('service:storefront/reviews')!;
    expect(dotText(reviews.label)).toBe('reviews\nhttp:9080 · mTLS strict');
    expect(reviews.shape).toBe('box');
  });

  it('quotes hostile ids and labels so that they read back unchanged', () => {
    const dot = parseDot(renderDot(HOSTILE));
    expect([...dot.nodes.keys()].sort()).toEqual(HOSTILE.nodes.map((n) => n.id).sort());
    expect(dotText(dot.nodes.get(HOSTILE.nodes[0]!.id)!.label)).toBe(HOSTILE.nodes[0]!.label);
    expect(dotText(dot.nodes.get('service:a-b/end')!.label)).toBe('end\nline\nbreak "q"');
    expect(dotText(dot.edges[2]!.attributes.label)).toBe('denied: \\"; ] } ->');
  });

  it('refuses broken DOT (the parser can fail)', () => {
    expect(() => parseDot('digraph { "a" -> ; }')).toThrow();
    expect(() => parseDot('digraph { "a [label="x"]; }')).toThrow();
    expect(() => parseDot('digraph { a -- b }')).toThrow();
  });
});

describe('JSON', () => {
  it('has the documented shape', async () => {
    const graph = await exampleGraph();
    const parsed = JSON.parse(renderGraphJson(graph));
    expect(Object.keys(parsed)).toEqual(['apiVersion', 'namespaces', 'nodes', 'edges']);
    expect(parsed.apiVersion).toBe('meshctl.dev/graph/v1');
    for (const node of parsed.nodes) {
      expect(Object.keys(node).every((key) => ['id', 'kind', 'label', 'namespace', 'service', 'detail'].includes(key)), JSON.stringify(node)).toBe(true);
      expect(['service', 'version', 'external', 'vm', 'gateway', 'caller']).toContain(node.kind);
    }
    for (const edge of parsed.edges) {
      expect(Object.keys(edge).every((key) => ['id', 'kind', 'from', 'to', 'label', 'weight', 'implicit', 'access'].includes(key)), JSON.stringify(edge)).toBe(true);
    }
  });
});

describe('diff of two revisions', () => {
  const reviews = (weight: number, extra = '') => `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
  versions: {v1: {labels: {version: v1}}, v3: {labels: {version: v3}}}
  canary: {stable: v1, canary: v3, weight: ${weight}, steps: [10, 50, 100]}
${extra}---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ratings, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: productpage, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
`;

  it('marks a canary shift as changed split edges, and shows only that part', () => {
    const diff = diffServiceGraphs(buildServiceGraph(compileModel(reviews(10))), buildServiceGraph(compileModel(reviews(50))));
    const changed = diff.edges.filter((e) => e.status !== 'unchanged');
    expect(changed.map((e) => [e.id, e.status, e.before?.label, e.label])).toEqual([
      ['split:service:shop/reviews->version:shop/reviews/v1', 'changed', '90%', '50%'],
      ['split:service:shop/reviews->version:shop/reviews/v3', 'changed', '10%', '50%'],
    ]);
    const focus = focusGraph(diff);
    expect(focus.nodes.map((n) => n.id)).toEqual(['service:shop/reviews', 'version:shop/reviews/v1', 'version:shop/reviews/v3']);
    const text = renderMermaid(focus);
    const { linkStyles } = lintMermaid(text);
    expect(text).toContain('==>|"90% → 50%"|');
    expect([...linkStyles.values()]).toEqual([[0, 1]]);
  });

  it('marks an access widening as an added edge and a new caller as an added node', () => {
    const restricted = 'apiVersion: meshctl.dev/v1alpha1\nkind: Mesh\nmetadata: {name: m}\nspec: {access: deny-by-default}\n---\n';
    const allow = (callers: string) => `  access:\n    allow:\n      - from: {services: [${callers}]}\n`;
    const before = buildServiceGraph(compileModel(restricted + reviews(10, allow('productpage'))));
    const after = buildServiceGraph(compileModel(restricted + reviews(10, allow('productpage, ratings'))));
    const focus = focusGraph(diffServiceGraphs(before, after));
    expect(focus.edges.map((e) => [e.id, e.status])).toEqual([['may-call:service:shop/ratings->service:shop/reviews', 'added']]);
    const { classes } = lintMermaid(renderMermaid(focus));
    expect(classes.size).toBe(0);
    expect(renderMermaid(focus)).toContain('-->|"may call (added)"|');
    expect(parseDot(renderDot(focus)).edges[0]!.attributes.color).toBe('#1a7f37');
  });

  it('marks a removed service and everything about it as removed, and nothing when nothing changed', () => {
    const withExtra = buildServiceGraph(compileModel(reviews(10) + '---\napiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: gone, namespace: old}\nspec:\n  ports: [{port: 80, protocol: http}]\n  dependsOn: [shop/ratings]\n'));
    const without = buildServiceGraph(compileModel(reviews(10)));
    const focus = focusGraph(diffServiceGraphs(withExtra, without));
    expect(focus.nodes.filter((n) => n.status === 'removed').map((n) => n.id)).toEqual(['service:old/gone']);
    expect(focus.edges.map((e) => [e.id, e.status])).toEqual([
      ['calls:service:old/gone->service:shop/ratings', 'removed'],
      ['may-call:caller:any->service:old/gone', 'removed'],
    ]);
    const { classes } = lintMermaid(renderMermaid(focus));
    expect(classes.get('removed')).toEqual(['n_service_old_gone']);
    expect(focusGraph(diffServiceGraphs(without, without))).toEqual(EMPTY_GRAPH);
  });

  it('diffs against the empty graph when one side has no valid mesh', () => {
    const after = buildServiceGraph(compileModel(reviews(10)));
    const diff = diffServiceGraphs(EMPTY_GRAPH, after);
    expect(diff.nodes.every((n) => n.status === 'added')).toBe(true);
    expect(diff.nodes.length).toBe(after.nodes.length);
  });
});
