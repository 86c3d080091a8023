// Finds services whose declared dependsOn leaves out a service that names them as a caller: an
// allow rule of that service naming this one (in `from.services`, by its service account, or by
// its exact SPIFFE ID), or one of its routes matching on this one as a caller (`match.from`). The
// Istio target adds such callees to the caller's Sidecar anyway, so no route is dropped; but
// dependsOn is what reviewers, the graph and the Envoy target's readers take as the list of what
// the service calls, and it no longer says so. Callees the service reaches through the routes of
// a dependency it lists, and the rate-limit service its global limits ask, need no entry.
import { defineRule } from '../../../diagnostics/rule.js';
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
    for (const { caller, callee, path } of namedCallers(model)) {
      if (caller === callee || caller.resource.spec.dependsOn === undefined) continue;
      const pair = `${caller.key}>${callee.key}`;
      if (reported.has(pair) || reachesWithoutEntry(model, caller, callee)) continue;
      reported.add(pair);
      const reference = referenceTo(callee, caller.namespace);
      context.report('missing', { caller: caller.key, callee: callee.key, reference }, caller.at('spec', 'dependsOn'), [
        { message: `${callee.key} names ${caller.key} here`, location: callee.at(...path) },
      ]);
    }
  },
});

/** Whether the caller reaches the callee through its declared dependencies: listed, routed to by one of them, or its rate-limit service. */
function reachesWithoutEntry(model: MeshModel, caller: ServiceNode, callee: ServiceNode): boolean {
  const declared = (caller.resource.spec.dependsOn ?? []).flatMap((ref) => model.findDestination(ref, caller.namespace) ?? []);
  if (declared.includes(callee)) return true;
  if (declared.some((dependency) => routesTo(model, dependency, callee))) return true;
  const rateLimit = model.settings.rateLimitService;
  // The Mesh has no namespace: its references resolve from the default one.
  return caller.resource.spec.rateLimit?.global !== undefined && rateLimit !== undefined && model.findService(rateLimit.service, DEFAULT_NAMESPACE) === callee;
}

function routesTo(model: MeshModel, dependency: Destination, callee: ServiceNode): boolean {
  if (dependency.kind !== 'Service') return false;
  return (dependency.resource.spec.routes ?? []).some(
    (route) =>
      (Array.isArray(route.to) && route.to.some((destination) => destination.service !== undefined && model.findService(destination.service, dependency.namespace) === callee)) ||
      (route.mirror?.service !== undefined && model.findService(route.mirror.service, dependency.namespace) === callee),
  );
}
