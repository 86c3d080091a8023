// The routes the Gateway API target writes, as its rules see them: every planned route of every
// service on each route family it has (http, grpc), at the service's own ports and, narrowed to the
// exposed paths, at each gateway host; with the index of the mesh route it carries.
import { memoizeByObject } from '../../../model/memoize.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';
import type { RouteFamily } from '../expressible.js';
import { portFamily } from '../names.js';
import { ingressVirtualServiceNames, serviceObjects } from '../../istio/compiled-names.js';
import { hasHttpPort } from '../../../model/ports.js';
import { narrowToExposedPaths } from '../../../plan/ingress.js';
import { type MatchEntry } from '../../../plan/match.js';
import { planHttpRoutes, type PlannedHttpRoute } from '../../../plan/routes.js';

export interface WrittenRoute {
  readonly service: ServiceNode;
  readonly planned: PlannedHttpRoute;
  readonly entries: readonly MatchEntry[] | undefined;
  readonly family: RouteFamily;
  /** Index in `spec.routes`; undefined for the generated default and A/B cohort routes. */
  readonly index?: number;
  /** `mesh`, or the gateway host the route is narrowed to. */
  readonly where: string;
}

export const writtenRoutes: (model: MeshModel) => readonly WrittenRoute[] = memoizeByObject((model: MeshModel) => {
  const out: WrittenRoute[] = [];
  const indexOf = (service: ServiceNode, planned: PlannedHttpRoute) => {
    const index = planned.route ? (service.resource.spec.routes ?? []).indexOf(planned.route) : -1;
    return index >= 0 ? { index } : {};
  };
  for (const service of model.services) {
    if (!serviceObjects(service).some((object) => object.kind === 'VirtualService')) continue;
    const families = new Set(service.resource.spec.ports.map(portFamily).filter((family): family is RouteFamily => family !== 'stream'));
    if (families.size === 0) continue;
    const plan = planHttpRoutes(model, service);
    for (const family of [...families].sort()) {
      for (const planned of plan) out.push({ service, planned, entries: planned.entries, family, ...indexOf(service, planned), where: 'mesh' });
    }
  }
  for (const entry of ingressVirtualServiceNames(model)) {
    for (const { service, paths } of entry.exposures) {
      if (!hasHttpPort(service)) continue;
      for (const planned of planHttpRoutes(model, service)) {
        const entries = narrowToExposedPaths(planned, paths);
        if (entries === null) continue;
        out.push({ service, planned, entries, family: 'http', ...indexOf(service, planned), where: `${entry.gateway.namespace}/${entry.gateway.name} ${entry.host}` });
      }
    }
  }
  return out;
});
