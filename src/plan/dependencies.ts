// The hosts a service's proxy sends requests to: what the Istio target's Sidecar imports and the
// Envoy target's outbound listeners serve, and nothing else (so the proxy's configuration grows
// with its dependencies, not with the mesh: istio/istio#18954).
//
// A service S calls:
// - itself (meshctl always lets a service reach itself, see MESH207);
// - what its `dependsOn` lists;
// - the services whose allow rules name S by one of its identities (S in `from.services`, its
//   service account in `from.serviceAccounts`, its exact SPIFFE ID in `from.principals`), and
//   those whose routes match on S as a caller (`match.from`): all say that S calls them. Rules
//   that name a whole namespace or a principal pattern say who may call, not who does, and are
//   not used (MESH209 reports a dependsOn that leaves out a callee they admit);
// - the mesh's rate-limit service, when S has global rate limits (its proxy asks it).
// Then, for every Service S calls, the destinations and mirrors of that service's routes: its
// VirtualService is applied by the caller's proxy, which then sends to those hosts directly. (Istio
// infers these from imported VirtualServices as well; naming them keeps the Sidecar complete on
// its own.) One level is enough: a route's destination is reached without its own routes.
import { compareStrings } from '../diagnostics/types.js';
import { DEFAULT_NAMESPACE, type Destination, type MeshModel, type ServiceNode } from '../model/mesh-model.js';
import { namedCallers } from '../model/named-callers.js';

/** The dependencies of each service; the caller index is built once per model, not per service. */
export function dependencyResolver(model: MeshModel): (service: ServiceNode) => Destination[] {
  const calleesByCaller = new Map<ServiceNode, ServiceNode[]>();
  for (const { caller, callee } of namedCallers(model)) {
    const callees = calleesByCaller.get(caller);
    if (!callees) calleesByCaller.set(caller, [callee]);
    else if (!callees.includes(callee)) callees.push(callee);
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
