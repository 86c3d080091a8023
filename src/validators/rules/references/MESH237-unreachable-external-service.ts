// An ExternalService no service of the mesh can reach. Under registry-only egress a proxy reaches
// an outside host only through the configuration it holds for it, and a service that declares
// dependsOn holds configuration only for its dependencies (the Istio target's Sidecar lists their
// hosts and nothing else; the Envoy target's outbound listener has a virtual host or a TCP
// listener per dependency). An external service is among some service's dependencies exactly when
// a service names it in dependsOn, a route destination or a mirror (a service always reaches what
// its own routes send to; src/plan/dependencies.ts). When every service declares dependsOn and
// none names the external service, every request to it is refused at the caller's proxy (Istio:
// BlackHoleCluster, a 502), though the file reads as if it were allowed. A service without
// dependsOn keeps Istio's default visibility and can reach it, and under allow-any egress the host
// is reachable without the declaration: neither is reported.
import { defineRule } from '../../rule.js';
import type { MeshModel, ServiceNode } from '../../../model/mesh-model.js';

export default defineRule({
  code: 'MESH237',
  name: 'unreachable-external-service',
  level: 'warning',
  category: 'reference',
  description: 'An external service that no service can reach: egress is registry-only, every service lists its dependencies, and none lists it.',
  messages: {
    unreachable:
      'no service can reach {external}: egress is registry-only and every service\'s proxy holds only the dependencies it declares, none of which is {external}; add "{external}" to the dependsOn of the services that call it, or remove it',
  },
  check({ model, report }) {
    if (model.externalServices.length === 0 || model.services.length === 0) return;
    const egressOf = (namespace: string) => model.settings.namespaces?.[namespace]?.egress ?? model.settings.egress;
    // Any service that could reach every declared host rules the warning out.
    if (model.services.some((service) => service.resource.spec.dependsOn === undefined || egressOf(service.namespace) !== 'registry-only')) return;
    const named = new Set(model.services.flatMap((service) => namedDestinations(model, service)));
    for (const external of model.externalServices) {
      if (named.has(external.key)) continue;
      const egressAt = model.mesh ? [{ message: 'registry-only egress', location: model.mesh.at('spec', 'egress') }] : undefined;
      report('unreachable', { external: external.key }, external.at('metadata', 'name'), egressAt);
    }
  },
});

/** Keys of the external services a service names: dependsOn, route destinations, mirrors. */
function namedDestinations(model: MeshModel, service: ServiceNode): string[] {
  const spec = service.resource.spec;
  const refs = [
    ...(spec.dependsOn ?? []),
    ...(spec.routes ?? []).flatMap((route) => [
      ...(Array.isArray(route.to) ? route.to.flatMap((destination) => (destination.service !== undefined ? [destination.service] : [])) : []),
      ...(route.mirror?.service !== undefined ? [route.mirror.service] : []),
    ]),
  ];
  return refs.flatMap((ref) => {
    const destination = model.findDestination(ref, service.namespace);
    return destination?.kind === 'ExternalService' ? [destination.key] : [];
  });
}
