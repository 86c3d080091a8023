// What one compile run computes once and shares between proxies. A callee's route plan, its
// routes as a caller's proxy sees them, and an upstream cluster are pure functions of the model
// (and of the calling proxy's identity, for a cluster's TLS): a popular service called by
// thousands of workloads is planned and translated once, not once per caller. The shared pieces
// are never modified after they are built; each proxy's configuration references them.
import type { ServiceNode } from '../../model/mesh-model.js';
import type { PlannedHttpRoute, PlannedTcpRoute } from '../../plan/routes.js';
import { markShared } from '../../output/yaml-writer.js';
import type { Json } from './types.js';

/** An outbound cluster a piece of configuration sends to, to be added to each proxy that uses the piece. */
export interface ClusterUse {
  readonly node: import('../../model/mesh-model.js').Destination;
  readonly version: string | undefined;
  readonly port: number;
}

export interface CachedRoutes {
  readonly routes: readonly Json[];
  readonly clusters: readonly ClusterUse[];
}

export class CompileMemo {
  readonly httpPlans = new Map<ServiceNode, PlannedHttpRoute[]>();
  readonly tcpPlans = new Map<ServiceNode, PlannedTcpRoute[]>();
  /** A callee's routes on one port, by callee, port and which caller-specific entries apply. */
  readonly outboundRoutes = new Map<string, CachedRoutes>();
  /** Built outbound clusters, by the proxy's certificates and the cluster's name. */
  readonly clusters = new Map<string, Json>();

  memoized<K, V>(cache: Map<K, V>, key: K, compute: () => V): V {
    let value = cache.get(key);
    if (value === undefined) {
      value = compute();
      // Shared by every proxy that uses it, so rendered once (see yaml-writer.ts).
      markShared(value);
      cache.set(key, value);
    }
    return value;
  }
}
