// Finds services whose declared dependsOn leaves out a service that names them as a caller: an
// allow rule of that service naming this one (in `from.services`, by its service account, or by
// its exact SPIFFE ID), or one of its routes matching on this one as a caller (`match.from`). The
// Istio target adds such callees to the caller's Sidecar anyway, so no route is dropped; but
// dependsOn is what reviewers, the graph and the Envoy target's readers take as the list of what
// the service calls, and it no longer says so. Callees the service reaches through the routes of
// a dependency it lists, and the rate-limit service its global limits ask, need no entry.
import { defineRule } from '../../rule.js';
import { namedCallers } from '../../../model/named-callers.js';
import { DEFAULT_NAMESPACE, type Destination, type MeshModel, type ServiceNode } from '../../../model/mesh-model.js';
import { referenceTo } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH209',
  name: 'undeclared-named-callee',
  // Nothing breaks (the Sidecar imports the callee anyway): the declared list is only incomplete.
  level: 'info',
  category: 'reference',
  description: 'A service declares dependsOn but leaves out a service whose allow rules or routes name it as a caller.',
  messages: {
    missing: '{callee} names {caller} as a caller, but its dependsOn leaves {callee} out: add "{reference}" so dependsOn lists what the service calls (its Sidecar imports {callee} either way)',
  },
  check(context) {
    const model = context.model;
    const reported = new Set<string>();
    // What each caller reaches without an entry, and where each dependency's routes lead: computed
    // once per caller and per dependency, not once per pair a callee names.
    const reachable = new Map<ServiceNode, ReadonlySet<Destination>>();
    const routeTargets = new Map<ServiceNode, ReadonlySet<ServiceNode>>();
    for (const { caller, callee, path } of namedCallers(model)) {
      if (caller === callee || caller.resource.spec.dependsOn === undefined) continue;
      const pair = `${caller.key}>${callee.key}`;
      if (reported.has(pair)) continue;
      let reached = reachable.get(caller);
      if (reached === undefined) reachable.set(caller, (reached = reachedWithoutEntry(model, caller, routeTargets)));
      if (reached.has(callee)) continue;
      reported.add(pair);
      const reference = referenceTo(callee, caller.namespace);
      context.report('missing', { caller: caller.key, callee: callee.key, reference }, caller.at('spec', 'dependsOn'), [
        { message: `${callee.key} names ${caller.key} here`, location: callee.at(...path) },
      ]);
    }
  },
});

/** What the caller reaches through its declared dependencies: those listed, what their routes lead to, and its rate-limit service. */
function reachedWithoutEntry(model: MeshModel, caller: ServiceNode, routeTargets: Map<ServiceNode, ReadonlySet<ServiceNode>>): Set<Destination> {
  const reached = new Set<Destination>();
  for (const ref of caller.resource.spec.dependsOn ?? []) {
    const dependency = model.findDestination(ref, caller.namespace);
    if (dependency === undefined) continue;
    reached.add(dependency);
    if (dependency.kind !== 'Service') continue;
    let targets = routeTargets.get(dependency);
    if (targets === undefined) routeTargets.set(dependency, (targets = routedTo(model, dependency)));
    for (const target of targets) reached.add(target);
  }
  const rateLimit = model.settings.rateLimitService;
  // The Mesh has no namespace: its references resolve from the default one.
  if (caller.resource.spec.rateLimit?.global !== undefined && rateLimit !== undefined) {
    const service = model.findService(rateLimit.service, DEFAULT_NAMESPACE);
    if (service) reached.add(service);
  }
  return reached;
}

/** The services a dependency's routes send to or mirror to. */
function routedTo(model: MeshModel, dependency: ServiceNode): Set<ServiceNode> {
  const targets = new Set<ServiceNode>();
  const add = (ref: string) => {
    const service = model.findService(ref, dependency.namespace);
    if (service) targets.add(service);
  };
  for (const route of dependency.resource.spec.routes ?? []) {
    if (Array.isArray(route.to)) for (const destination of route.to) if (destination.service !== undefined) add(destination.service);
    if (route.mirror?.service !== undefined) add(route.mirror.service);
  }
  return targets;
}
