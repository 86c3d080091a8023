// The changed part of the service graph, drawn as Mermaid for the review comment: the graph of
// each side (src/graph/), compared, narrowed to what changed and its neighbours. A side that does
// not compile has no graph of its own; it is drawn as empty, so everything on the other side
// shows as added or removed.
import { buildServiceGraph, diffServiceGraphs, focusGraph, renderMermaid } from '../graph/index.js';
import type { MeshModel } from '../model/mesh-model.js';

/** Mermaid text without a fence, or undefined when nothing in the graph changed. */
export function changedGraph(before: MeshModel | undefined, after: MeshModel | undefined): string | undefined {
  if (!before || !after) return undefined;
  // Idle versions are kept on both sides: a version a new split sends to existed before.
  const changed = focusGraph(diffServiceGraphs(buildServiceGraph(before, { idleVersions: true }), buildServiceGraph(after, { idleVersions: true })));
  if (changed.nodes.length === 0) return undefined;
  return renderMermaid(changed);
}
