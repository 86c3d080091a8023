// The text the renderers draw for a node or an edge: the same words in Mermaid and DOT, so the two
// pictures read alike. A diff's status is written out, not only coloured, for readers who cannot
// tell the colours apart and for renderers that drop styles.
import type { GraphEdge, GraphNode } from './types.js';

const STATUS_TEXT = { added: 'added', removed: 'removed', changed: 'changed' } as const;

function statusSuffix(status: GraphNode['status']): string {
  return status && status !== 'unchanged' ? ` (${STATUS_TEXT[status]})` : '';
}

/** The node's text as lines: its label (with the diff status), then its detail. */
export function nodeLines(node: GraphNode): string[] {
  const lines = [`${node.label}${statusSuffix(node.status)}`];
  const before = node.status === 'changed' ? node.before : undefined;
  if (before && before.detail !== node.detail) {
    lines.push(`${before.detail ?? '—'} → ${node.detail ?? '—'}`);
  } else if (node.detail) {
    lines.push(node.detail);
  }
  return lines;
}

/** What the access rules merged into a calls or exposes edge say: "allowed: GET /cart", "denied: /admin". */
function describeAccess(access: GraphEdge['access']): string[] {
  if (!access) return [];
  const part = (word: string, text: string | undefined) => (text === undefined ? [] : [text === 'any request' ? word : `${word}: ${text}`]);
  return [...part('allowed', access.allowed), ...part('denied', access.denied)];
}

function describeEdge(kind: GraphEdge['kind'], label: string | undefined, implicit: boolean | undefined, access?: GraphEdge['access']): string {
  const withAccess = (text: string) => [text, ...describeAccess(access)].filter((part) => part !== '').join(' · ');
  switch (kind) {
    case 'may-call':
      if (implicit) return label ?? 'allow-by-default';
      return label && label !== 'any request' ? `may call: ${label}` : 'may call';
    case 'denied':
      return label && label !== 'any request' ? `denied: ${label}` : 'denied';
    case 'routes-to':
      return label ? `routes: ${label}` : 'routes';
    case 'mirror':
      return label ? `mirror ${label}` : 'mirror';
    case 'calls':
      return withAccess(label ?? 'calls');
    case 'exposes':
      return withAccess(label ?? '');
    case 'split':
    case 'runs-on':
      return label ?? '';
  }
}

/** The edge's text; a changed edge shows old → new. Empty when the edge carries no words. */
export function edgeText(edge: GraphEdge): string {
  const now = describeEdge(edge.kind, edge.label, edge.implicit, edge.access);
  if (edge.status === 'changed' && edge.before) {
    const was = describeEdge(edge.kind, edge.before.label, edge.implicit, edge.before.access);
    return was === now ? `${now} (changed)` : `${was || '—'} → ${now || '—'}`;
  }
  return `${now}${statusSuffix(edge.status)}`.trim();
}
