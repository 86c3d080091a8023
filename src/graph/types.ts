// The service graph: what a mesh looks like as a picture — its services and their versions,
// external services, VM workloads and gateways, and who may call, calls, or receives traffic from
// whom. Built from the validated model (build-graph.ts), compared across revisions
// (diff-graph.ts), and drawn by the renderers (Mermaid, DOT, JSON). Ids are stable across
// revisions, so two graphs of the same mesh can be compared element by element.

export type GraphNodeKind = 'service' | 'version' | 'external' | 'vm' | 'gateway' | 'caller';

export type GraphEdgeKind =
  /** Access: the caller may call the service (an allow rule, or the allow-by-default "any caller"). */
  | 'may-call'
  /** A deny rule refuses this caller (some or all of its requests). */
  | 'denied'
  /** The service's traffic to one of its own versions, from the route plan the Istio target compiles. */
  | 'split'
  /** A route of the service sends requests to another service or external service. */
  | 'routes-to'
  /** A route copies requests to another service or version. */
  | 'mirror'
  /** `dependsOn`, and the rate-limit service a service with global rate limits asks. */
  | 'calls'
  /** A gateway serves the service on some hosts and path prefixes. */
  | 'exposes'
  /** One of the service's workloads runs on this VM. */
  | 'runs-on';

export type ChangeStatus = 'unchanged' | 'added' | 'removed' | 'changed';

export interface GraphNode {
  /** Stable across revisions: `<kind>:<namespace>/<name>[/<version or address>]`, or `caller:…`. */
  readonly id: string;
  readonly kind: GraphNodeKind;
  /** Plain text; renderers escape it. */
  readonly label: string;
  /** Absent for callers that are not workloads of the mesh (drawn outside every namespace). */
  readonly namespace?: string;
  /** For versions and VMs: the id of the service they belong to. */
  readonly service?: string;
  /** A second line: ports and mTLS mode, hosts, listeners, version labels. */
  readonly detail?: string;
  /** Set by diffServiceGraphs only. */
  readonly status?: ChangeStatus;
  /** For status `changed`: what the node looked like before. */
  readonly before?: { readonly label: string; readonly detail?: string };
}

export interface GraphEdge {
  /** `<kind>:<from>-><to>`: one edge per kind and pair of nodes. */
  readonly id: string;
  readonly kind: GraphEdgeKind;
  readonly from: string;
  readonly to: string;
  /** "90%", "GET /reviews/*", "api.shop.example.com /cart"… */
  readonly label?: string;
  /** For split and routes-to edges: the share, in percent, of the requests no other route takes. */
  readonly weight?: number;
  /** True for the allow-by-default edge from "any caller": drawn dashed. */
  readonly implicit?: boolean;
  /**
   * For a `calls` or `exposes` edge whose pair an access rule also names: what the rules allow
   * and deny, merged into this edge so that a pair is one edge (drawn in the allow or deny colour).
   */
  readonly access?: { readonly allowed?: string; readonly denied?: string };
  readonly status?: ChangeStatus;
  /** For status `changed`: the label, weight and access before. */
  readonly before?: { readonly label?: string; readonly weight?: number; readonly access?: GraphEdge['access'] };
}

export interface ServiceGraph {
  /** Sorted; every namespace a node lives in. */
  readonly namespaces: readonly string[];
  /** Sorted by id. */
  readonly nodes: readonly GraphNode[];
  /** Sorted by id. */
  readonly edges: readonly GraphEdge[];
}

export const EMPTY_GRAPH: ServiceGraph = { namespaces: [], nodes: [], edges: [] };

export const ANY_CALLER_ID = 'caller:any';

export const nodeIds = {
  service: (namespace: string, name: string) => `service:${namespace}/${name}`,
  version: (namespace: string, name: string, version: string) => `version:${namespace}/${name}/${version}`,
  external: (namespace: string, name: string) => `external:${namespace}/${name}`,
  vm: (namespace: string, name: string, address: string) => `vm:${namespace}/${name}/${address}`,
  gateway: (namespace: string, name: string) => `gateway:${namespace}/${name}`,
};

export function edgeId(kind: GraphEdgeKind, from: string, to: string): string {
  return `${kind}:${from}->${to}`;
}
