// The service graph: build it from a validated mesh, compare two revisions, draw it.
export { buildServiceGraph, type BuildGraphOptions } from './build-graph.js';
export { diffServiceGraphs, focusGraph, type GraphElement } from './diff-graph.js';
export { renderMermaid, mermaidIds, escapeMermaidText, type MermaidOptions } from './mermaid.js';
export { renderDot, dotString } from './dot.js';
export { renderGraphJson, GRAPH_API_VERSION } from './json.js';
export {
  ANY_CALLER_ID,
  EMPTY_GRAPH,
  type ChangeStatus,
  type GraphEdge,
  type GraphEdgeKind,
  type GraphNode,
  type GraphNodeKind,
  type ServiceGraph,
} from './types.js';
