// Finds service references that name nothing in the mesh: route destinations, mirrors, dependsOn,
// route `match.from` callers and the mesh's rate-limit service. An unresolved destination compiles
// to a route Envoy answers with 503 (or a proxy that cannot reach a dependency), found only in
// production; a caller that is an ExternalService can never match, since it runs no workloads.
import { defineRule, type RuleContext } from '../../rule.js';
import type { Location } from '../../../diagnostics/types.js';
import { DEFAULT_NAMESPACE } from '../../../model/mesh-model.js';
import { referenceTo, resolveDestination, resolveService } from '../../../model/resolve-reference.js';

type Use = 'destination' | 'mirror' | 'dependency' | 'caller' | 'rateLimitService';

const WHAT: Record<Use, string> = {
  destination: 'route destination',
  mirror: 'mirror',
  dependency: 'dependsOn entry',
  caller: 'match.from entry',
  rateLimitService: 'rate-limit service',
};

export default defineRule({
  code: 'MESH200',
  name: 'unresolved-service',
  level: 'error',
  category: 'reference',
  description: 'A service reference (route destination, mirror, dependsOn, match.from, rate-limit service) that names no service of the mesh.',
  messages: {
    unresolved: '{what} "{ref}" names no {kinds} in namespace {namespace}{hint}',
    malformed: '{what} "{ref}" is not a service reference: write "name" for a service in the same namespace or "namespace/name"',
    externalCaller:
      'match.from entry "{ref}" is an external service, which runs no workloads in the mesh and so never calls this one; list calling services only',
  },
  check(context) {
    const { model } = context;
    for (const service of model.services) {
      const spec = service.resource.spec;
      const namespace = service.namespace;
      spec.routes?.forEach((route, r) => {
        if (Array.isArray(route.to)) {
          route.to.forEach((destination, d) => {
            if (destination.service !== undefined) check(context, destination.service, namespace, 'destination', () => service.at('spec', 'routes', r, 'to', d, 'service'));
          });
        }
        if (route.mirror?.service !== undefined) check(context, route.mirror.service, namespace, 'mirror', () => service.at('spec', 'routes', r, 'mirror', 'service'));
        route.match?.from?.forEach((caller, c) => check(context, caller, namespace, 'caller', () => service.at('spec', 'routes', r, 'match', 'from', c)));
      });
      spec.dependsOn?.forEach((dependency, d) => check(context, dependency, namespace, 'dependency', () => service.at('spec', 'dependsOn', d)));
    }
    const rateLimitService = model.settings.rateLimitService;
    const mesh = model.mesh;
    if (mesh && rateLimitService) {
      // The Mesh has no namespace of its own: a bare name means the default namespace.
      check(context, rateLimitService.service, DEFAULT_NAMESPACE, 'rateLimitService', () => mesh.at('spec', 'rateLimitService', 'service'));
    }
  },
});

/** `at` gives the reference's location, built only for a finding: most references resolve. */
function check(context: RuleContext, ref: string, namespace: string, use: Use, at: () => Location): void {
  const resolution = resolveDestination(context.model, ref, namespace);
  if (resolution.status === 'found' && !(use === 'caller' && resolution.node.kind === 'ExternalService')) return;
  const location = at();
  const what = WHAT[use];
  if (resolution.status === 'malformed') context.report('malformed', { what, ref }, location);
  else if (resolution.status === 'missing') {
    const target = ref.includes('/') ? ref.slice(0, ref.indexOf('/')) : namespace;
    // Callers are workloads: only services are worth suggesting for them.
    const callers = use === 'caller' ? resolveService(context.model, ref, namespace) : undefined;
    const hint = callers?.status === 'missing' ? callers.hint() : resolution.hint();
    const kinds = use === 'caller' ? 'service' : 'service or external service';
    context.report('unresolved', { what, ref, kinds, namespace: target, hint }, location);
  } else if (resolution.status === 'found' && use === 'caller' && resolution.node.kind === 'ExternalService') {
    context.report('externalCaller', { ref: referenceTo(resolution.node, namespace) }, location);
  }
}
