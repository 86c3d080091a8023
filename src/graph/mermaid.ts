// The service graph as a Mermaid flowchart, which GitHub and GitLab render in Markdown (wrap it in
// a ```mermaid fence). Namespaces are subgraphs; callers that are not mesh workloads stand
// outside them. Ids are encoded so that any mesh name is a valid, distinct Mermaid id, and labels
// are quoted with Mermaid's entity codes, so no name can break out of its label.
import { compareStrings } from '../diagnostics/types.js';
import type { ChangeStatus, GraphEdge, GraphNode, ServiceGraph } from './types.js';
import { edgeText, nodeLines } from './labels.js';
import { ACCESS_COLOURS, accessVerdict } from './dot.js';

export interface MermaidOptions {
  /** Front-matter title of the diagram. */
  readonly title?: string;
}

/**
 * Mermaid ids for one diagram: the graph id with every character outside [A-Za-z0-9] as `_`
 * (readable in the source), prefixed so that no id is a Mermaid keyword such as `end`. Two ids
 * that read alike ("a-b", "a.b") get `_2`, `_3`… in id order, so every id stays distinct and the
 * same graph always gets the same ids.
 */
export function mermaidIds(prefix: string, ids: readonly string[]): Map<string, string> {
  const assigned = new Map<string, string>();
  const taken = new Set<string>();
  for (const id of [...new Set(ids)].sort(compareStrings)) {
    const base = `${prefix}_${id.replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '')}`;
    let candidate = base;
    for (let suffix = 2; taken.has(candidate); suffix++) candidate = `${base}_${suffix}`;
    taken.add(candidate);
    assigned.set(id, candidate);
  }
  return assigned;
}

const ENTITIES: Record<string, string> = { '"': '#quot;', '#': '#35;', '<': '#lt;', '>': '#gt;', '&': '#amp;', '|': '#124;', '`': '#96;' };

/** Text for inside a quoted Mermaid label: entity codes for the characters Mermaid would read. */
export function escapeMermaidText(text: string): string {
  return text.replace(/[\r\n\t]+/g, ' ').replace(/["#<>&|`]/g, (char) => ENTITIES[char]!);
}

const SHAPES: Record<GraphNode['kind'], [string, string]> = {
  service: ['["', '"]'],
  version: ['("', '")'],
  external: ['[/"', '"/]'],
  vm: ['[["', '"]]'],
  gateway: ['{{"', '"}}'],
  caller: ['(["', '"])'],
};

function arrow(edge: GraphEdge): string {
  switch (edge.kind) {
    case 'may-call':
      return edge.implicit ? '-.->' : '-->';
    case 'denied':
      return '--x';
    case 'split':
    case 'exposes':
      return '==>';
    case 'mirror':
      return '-.->';
    case 'runs-on':
      return '---';
    default:
      return '-->';
  }
}

const NODE_CLASSES: Record<Exclude<ChangeStatus, 'unchanged'>, string> = {
  added: 'fill:#dafbe1,stroke:#1a7f37,color:#0f5323,stroke-width:2px',
  removed: 'fill:#ffebe9,stroke:#cf222e,color:#82071e,stroke-width:2px,stroke-dasharray:5 5',
  changed: 'fill:#fff8c5,stroke:#9a6700,color:#4d2d00,stroke-width:2px',
};

const LINK_STYLES: Record<Exclude<ChangeStatus, 'unchanged'>, string> = {
  added: 'stroke:#1a7f37,stroke-width:2px',
  removed: 'stroke:#cf222e,stroke-width:2px,stroke-dasharray:5 5',
  changed: 'stroke:#9a6700,stroke-width:2px',
};

export function renderMermaid(graph: ServiceGraph, options: MermaidOptions = {}): string {
  const lines: string[] = [];
  if (options.title !== undefined) lines.push('---', `title: "${options.title.replace(/["\\\r\n]/g, ' ')}"`, '---');
  lines.push('flowchart LR');
  // Namespaces take their own prefix ("ns_" never starts a node id, "n_"), so the two never clash.
  const nodeId = mermaidIds('n', [...graph.nodes.map((n) => n.id), ...graph.edges.flatMap((e) => [e.from, e.to])]);
  const namespaceId = mermaidIds('ns', graph.namespaces);
  const id = (graphId: string) => nodeId.get(graphId)!;
  const node = (n: GraphNode, indent: string) => {
    const [open, close] = SHAPES[n.kind];
    lines.push(`${indent}${id(n.id)}${open}${nodeLines(n).map(escapeMermaidText).join('<br/>')}${close}`);
  };
  for (const n of graph.nodes) if (n.namespace === undefined) node(n, '  ');
  for (const namespace of graph.namespaces) {
    lines.push(`  subgraph ${namespaceId.get(namespace)!}["${escapeMermaidText(namespace)}"]`);
    for (const n of graph.nodes) if (n.namespace === namespace) node(n, '    ');
    lines.push('  end');
  }
  graph.edges.forEach((edge) => {
    const text = edgeText(edge);
    const label = text ? `|"${escapeMermaidText(text)}"|` : '';
    lines.push(`  ${id(edge.from)} ${arrow(edge)}${label} ${id(edge.to)}`);
  });

  // Allowed and denied callers in the DOT picture's colours (a plain graph only: see accessVerdict).
  for (const verdict of ['allowed', 'denied'] as const) {
    const indexes = graph.edges.flatMap((edge, index) => (accessVerdict(edge) === verdict ? [index] : []));
    if (indexes.length > 0) lines.push(`  linkStyle ${indexes.join(',')} stroke:${ACCESS_COLOURS[verdict]},color:${ACCESS_COLOURS[verdict]}`);
  }
  const statuses = ['added', 'removed', 'changed'] as const;
  for (const status of statuses) {
    const ids = graph.nodes.filter((n) => n.status === status).map((n) => id(n.id));
    if (ids.length === 0) continue;
    lines.push(`  classDef ${status} ${NODE_CLASSES[status]}`, `  class ${ids.join(',')} ${status}`);
  }
  for (const status of statuses) {
    // linkStyle counts edges in the order they are written above.
    const indexes = graph.edges.flatMap((edge, index) => (edge.status === status ? [index] : []));
    if (indexes.length > 0) lines.push(`  linkStyle ${indexes.join(',')} ${LINK_STYLES[status]}`);
  }
  return lines.join('\n') + '\n';
}
