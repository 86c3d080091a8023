// The service graph as JSON for scripts: `{apiVersion, namespaces, nodes, edges}` with the fields
// of types.ts (docs/graph.md describes them). Sorted, so the same mesh gives the same bytes.
import type { ServiceGraph } from './types.js';

export const GRAPH_API_VERSION = 'meshctl.dev/graph/v1';

export function renderGraphJson(graph: ServiceGraph): string {
  return `${JSON.stringify({ apiVersion: GRAPH_API_VERSION, namespaces: graph.namespaces, nodes: graph.nodes, edges: graph.edges }, null, 2)}\n`;
}
