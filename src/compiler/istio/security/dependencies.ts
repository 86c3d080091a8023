// The hosts a service's proxy sends requests to, which its Sidecar imports and nothing else (so
// the proxy's configuration grows with its dependencies, not with the mesh: istio/istio#18954).
//
// A service S calls:
// - itself (meshctl always lets a service reach itself, see MESH207);
// - what its `dependsOn` lists;
// - the services whose allow rules name S in `from.services`, and those whose routes match on
//   S as a caller (`match.from`): both say that S calls them. Rules that name callers by
//   namespace, service account or principal say who may call, not who does, and are not used;
// - the mesh's rate-limit service, when S has global rate limits (its proxy asks it).
// Then, for every Service S calls, the destinations and mirrors of that service's routes: its
// VirtualService is applied by the caller's proxy, which then sends to those hosts directly. (Istio
// infers these from imported VirtualServices as well; naming them keeps the Sidecar complete on
// its own.) One level is enough: a route's destination is reached without its own routes.
import { compareStrings } from '../../../diagnostics/types.js';
import { DEFAULT_NAMESPACE, type Destination, type MeshModel, type ServiceNode } from '../../../model/mesh-model.js';

/** The dependencies of each service; the caller index is built once per model, not per service. */
export function dependencyResolver(model: MeshModel): (service: ServiceNode) => Destination[] {
  const calleesByCaller = new Map<ServiceNode, ServiceNode[]>();
  for (const callee of model.services) {
    const spec = callee.resource.spec;
    const refs = [
      ...(spec.access?.allow ?? []).flatMap((rule) => rule.from?.services ?? []),
      ...(spec.routes ?? []).flatMap((route) => route.match?.from ?? []),
    ];
    for (const ref of refs) {
      const caller = model.findService(ref, callee.namespace);
      if (!caller) continue;
      const callees = calleesByCaller.get(caller);
      if (callees) callees.push(callee);
      else calleesByCaller.set(caller, [callee]);
    }
  }
  return (service) => dependenciesOf(model, service, calleesByCaller.get(service) ?? []);
}

/** Every destination the service's proxy sends to, itself included, sorted by key and kind. */
function dependenciesOf(model: MeshModel, service: ServiceNode, namedAsCallerBy: readonly ServiceNode[]): Destination[] {
  const found = new Map<string, Destination>();
  const add = (destination: Destination | undefined) => {
    if (destination) found.set(`${destination.kind}:${destination.key}`, destination);
  };
  const resolve = (ref: string, fromNamespace: string) => model.findDestination(ref, fromNamespace);

  add(service);
  for (const ref of service.resource.spec.dependsOn ?? []) add(resolve(ref, service.namespace));
  for (const callee of namedAsCallerBy) add(callee);
  const rateLimit = model.settings.rateLimitService;
  // The Mesh has no namespace: its references resolve from the default one, as the validator's.
  if (service.resource.spec.rateLimit?.global && rateLimit) add(resolve(rateLimit.service, DEFAULT_NAMESPACE));

  for (const direct of [...found.values()]) {
    if (direct.kind !== 'Service') continue;
    for (const route of direct.resource.spec.routes ?? []) {
      if (Array.isArray(route.to)) for (const destination of route.to) if (destination.service) add(resolve(destination.service, direct.namespace));
      if (route.mirror?.service) add(resolve(route.mirror.service, direct.namespace));
    }
  }
  return [...found.values()].sort((a, b) => compareStrings(a.key, b.key) || compareStrings(a.kind, b.kind));
}
