// The service graph in Graphviz's DOT language (`meshctl graph -o dot | dot -Tsvg`).
// Namespaces are clusters; every id and label is a quoted DOT string, so any mesh name is valid.
import type { ChangeStatus, GraphEdge, GraphNode, ServiceGraph } from './types.js';
import { edgeText, nodeLines } from './labels.js';

/** A quoted DOT string: backslashes and quotes escaped, line breaks as DOT's centred `\n`. */
export function dotString(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\r\n|\r|\n/g, '\\n')}"`;
}

const NODE_ATTRIBUTES: Record<GraphNode['kind'], string[]> = {
  service: ['shape=box'],
  version: ['shape=box', 'style=rounded'],
  external: ['shape=parallelogram'],
  vm: ['shape=component'],
  gateway: ['shape=hexagon'],
  caller: ['shape=oval'],
};

function edgeAttributes(edge: GraphEdge): string[] {
  switch (edge.kind) {
    case 'may-call':
      return edge.implicit ? ['style=dashed'] : [];
    case 'denied':
      return ['arrowhead=tee'];
    case 'split':
    case 'exposes':
      return ['penwidth=2'];
    case 'mirror':
      return ['style=dotted'];
    case 'runs-on':
      return ['arrowhead=none'];
    default:
      return [];
  }
}

/**
 * Who may call whom, in colour: green where an allow rule admits the caller, red where a deny rule
 * refuses it. Only in a plain graph: a diff's colours (added, removed, changed) take their place.
 */
export const ACCESS_COLOURS = { allowed: '#1a7f37', denied: '#cf222e' } as const;

export function accessVerdict(edge: GraphEdge): keyof typeof ACCESS_COLOURS | undefined {
  if (edge.status !== undefined) return undefined;
  // A caller allowed some requests and refused others may still call: allowed wins, the label
  // says what is refused.
  if ((edge.kind === 'may-call' && !edge.implicit) || edge.access?.allowed !== undefined) return 'allowed';
  if (edge.kind === 'denied' || edge.access?.denied !== undefined) return 'denied';
  return undefined;
}

function accessAttributes(edge: GraphEdge): string[] {
  const verdict = accessVerdict(edge);
  if (verdict === undefined) return [];
  const colour = dotString(ACCESS_COLOURS[verdict]);
  return [`color=${colour}`, `fontcolor=${colour}`];
}

const STATUS_COLOURS: Record<Exclude<ChangeStatus, 'unchanged'>, string> = { added: '#1a7f37', removed: '#cf222e', changed: '#9a6700' };

function statusAttributes(status: ChangeStatus | undefined): string[] {
  if (status === undefined || status === 'unchanged') return [];
  const colour = dotString(STATUS_COLOURS[status]);
  const attributes = [`color=${colour}`, `fontcolor=${colour}`, 'penwidth=2'];
  if (status === 'removed') attributes.push('style=dashed');
  return attributes;
}

export function renderDot(graph: ServiceGraph): string {
  const lines = ['digraph mesh {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];', '  edge [fontname="Helvetica", fontsize=10];'];
  const node = (n: GraphNode, indent: string) => {
    const attributes = [`label=${dotString(nodeLines(n).join('\n'))}`, ...NODE_ATTRIBUTES[n.kind], ...statusAttributes(n.status)];
    // A removed version keeps its rounded corners: Graphviz takes the last `style`, so merge them.
    const merged = mergeStyles(attributes);
    lines.push(`${indent}${dotString(n.id)} [${merged.join(', ')}];`);
  };
  for (const n of graph.nodes) if (n.namespace === undefined) node(n, '  ');
  graph.namespaces.forEach((namespace) => {
    lines.push(`  subgraph ${dotString(`cluster_${namespace}`)} {`, `    label=${dotString(namespace)};`, '    style=rounded;');
    for (const n of graph.nodes) if (n.namespace === namespace) node(n, '    ');
    lines.push('  }');
  });
  for (const edge of graph.edges) {
    const text = edgeText(edge);
    const attributes = mergeStyles([...(text ? [`label=${dotString(text)}`] : []), ...edgeAttributes(edge), ...accessAttributes(edge), ...statusAttributes(edge.status)]);
    lines.push(`  ${dotString(edge.from)} -> ${dotString(edge.to)}${attributes.length > 0 ? ` [${attributes.join(', ')}]` : ''};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}

/** Several `style=` attributes as one `style="a,b"`; a later `penwidth` replaces an earlier one. */
function mergeStyles(attributes: string[]): string[] {
  const styles: string[] = [];
  const others = new Map<string, string>();
  for (const attribute of attributes) {
    const [key, ...rest] = attribute.split('=');
    const value = rest.join('=');
    if (key === 'style') {
      for (const style of value.replace(/"/g, '').split(',')) if (!styles.includes(style)) styles.push(style);
    } else {
      others.set(key!, value);
    }
  }
  const merged = [...others].map(([key, value]) => `${key}=${value}`);
  if (styles.length > 0) merged.push(`style=${styles.length === 1 ? styles[0] : dotString(styles.join(','))}`);
  return merged;
}
