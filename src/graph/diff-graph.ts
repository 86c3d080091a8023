// Two graphs of one mesh compared element by element (ids are stable across revisions), and the
// part of a graph worth showing in a review: what changed, with just enough around it to read.
import { compareStrings } from '../diagnostics/types.js';
import type { ChangeStatus, GraphEdge, GraphNode, ServiceGraph } from './types.js';

/** Every node and edge of both graphs, each with its status (before → after). */
export function diffServiceGraphs(before: ServiceGraph, after: ServiceGraph): ServiceGraph {
  const nodes = diffElements(before.nodes, after.nodes, (old, now) =>
    old.label === now.label && old.detail === now.detail ? undefined : { label: old.label, ...(old.detail !== undefined ? { detail: old.detail } : {}) },
  );
  const edges = diffElements(before.edges, after.edges, (old, now) =>
    old.label === now.label && old.weight === now.weight && old.implicit === now.implicit && old.access?.allowed === now.access?.allowed && old.access?.denied === now.access?.denied
      ? undefined
      : { ...(old.label !== undefined ? { label: old.label } : {}), ...(old.weight !== undefined ? { weight: old.weight } : {}), ...(old.access !== undefined ? { access: old.access } : {}) },
  );
  return { namespaces: namespacesOf(nodes), nodes, edges };
}

function diffElements<T extends GraphNode | GraphEdge>(
  before: readonly T[],
  after: readonly T[],
  changes: (old: T, now: T) => T['before'] | undefined,
): T[] {
  const old = new Map(before.map((element) => [element.id, element]));
  const now = new Map(after.map((element) => [element.id, element]));
  const ids = [...new Set([...old.keys(), ...now.keys()])].sort(compareStrings);
  return ids.map((id) => {
    const was = old.get(id);
    const is = now.get(id);
    if (!was) return withStatus(is!, 'added');
    if (!is) return withStatus(was, 'removed');
    const previous = changes(was, is);
    return previous === undefined ? withStatus(is, 'unchanged') : { ...withStatus(is, 'changed'), before: previous };
  });
}

function withStatus<T extends GraphNode | GraphEdge>(element: T, status: ChangeStatus): T {
  const { before: _before, ...rest } = element;
  return { ...rest, status } as T;
}

export type GraphElement = GraphNode | GraphEdge;

const isChanged = (element: GraphElement) => element.status !== undefined && element.status !== 'unchanged';

/**
 * The part of a graph to show: the elements `keep` selects (default: every element a diff marked
 * added, removed or changed), the nodes at both ends of each kept edge, and the service each kept
 * version or VM belongs to, as context. Empty (no nodes) when nothing is kept.
 */
export function focusGraph(graph: ServiceGraph, keep: (element: GraphElement) => boolean = isChanged): ServiceGraph {
  const edges = graph.edges.filter(keep);
  const keptIds = new Set(graph.nodes.filter(keep).map((node) => node.id));
  for (const edge of edges) keptIds.add(edge.from).add(edge.to);
  for (const node of graph.nodes) if (keptIds.has(node.id) && node.service !== undefined) keptIds.add(node.service);
  const nodes = graph.nodes.filter((node) => keptIds.has(node.id));
  return { namespaces: namespacesOf(nodes), nodes, edges };
}

function namespacesOf(nodes: readonly GraphNode[]): string[] {
  return [...new Set(nodes.flatMap((node) => (node.namespace !== undefined ? [node.namespace] : [])))].sort(compareStrings);
}
