// Finds version names that the service they refer to does not declare: the `to` shorthand,
// `to[].version`, `mirror.version`, the canary's stable and canary, the A/B test's variant and
// control. Each compiles to a DestinationRule subset; a subset that does not exist makes Envoy
// answer 503 for every request sent to it.
import { defineRule, type RuleContext } from '../../rule.js';
import type { Location } from '../../../diagnostics/types.js';
import type { Destination, ServiceNode } from '../../../model/mesh-model.js';
import { listForMessage, referenceTo, resolveDestination, suggestName } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH201',
  name: 'unresolved-version',
  level: 'error',
  category: 'reference',
  description: 'A version (route destination, mirror, canary, A/B test) that the service it refers to does not declare.',
  messages: {
    unknown: '{service} has no version "{version}" (it declares {versions}){hint}',
    noVersions: '{service} declares no versions, so "{version}" names none; declare it in {where} with the labels of its workloads',
    external: '{service} has no versions: external services have none; remove the version',
    shorthandService:
      '"{version}" is not a version of this service but the name of {service}; to send requests there write `to: [{service: {version}}]`',
  },
  check(context) {
    for (const service of context.model.services) {
      const spec = service.resource.spec;
      spec.routes?.forEach((route, r) => {
        if (typeof route.to === 'string') checkShorthand(context, service, route.to, service.at('spec', 'routes', r, 'to'));
        else {
          route.to?.forEach((destination, d) => {
            if (destination.version === undefined) return;
            const target = destinationOf(context, service, destination.service);
            if (target) checkVersion(context, service, target, destination.version, service.at('spec', 'routes', r, 'to', d, 'version'));
          });
        }
        if (route.mirror?.version !== undefined) {
          const target = destinationOf(context, service, route.mirror.service);
          if (target) checkVersion(context, service, target, route.mirror.version, service.at('spec', 'routes', r, 'mirror', 'version'));
        }
      });
      if (spec.canary) {
        checkVersion(context, service, service, spec.canary.stable, service.at('spec', 'canary', 'stable'));
        checkVersion(context, service, service, spec.canary.canary, service.at('spec', 'canary', 'canary'));
      }
      if (spec.abTest) {
        checkVersion(context, service, service, spec.abTest.variant, service.at('spec', 'abTest', 'variant'));
        if (spec.abTest.control !== undefined) checkVersion(context, service, service, spec.abTest.control, service.at('spec', 'abTest', 'control'));
      }
    }
  },
});

/** The service a destination names (default: this one); undefined when MESH200 reports it instead. */
function destinationOf(context: RuleContext, service: ServiceNode, ref: string | undefined): Destination | undefined {
  if (ref === undefined) return service;
  const resolution = resolveDestination(context.model, ref, service.namespace);
  return resolution.status === 'found' ? resolution.node : undefined;
}

function describe(target: Destination, from: ServiceNode): string {
  return target === from ? 'this service' : `${target.kind === 'Service' ? 'service' : 'external service'} ${referenceTo(target, from.namespace)}`;
}

function checkVersion(context: RuleContext, from: ServiceNode, target: Destination, version: string, location: Location): void {
  const service = describe(target, from);
  if (target.kind === 'ExternalService') {
    context.report('external', { service }, location);
    return;
  }
  const versions = Object.keys(target.resource.spec.versions ?? {});
  if (versions.includes(version)) return;
  if (versions.length === 0) {
    const where = target === from ? 'spec.versions' : `the spec.versions of ${service}`;
    context.report('noVersions', { service, version, where }, location);
    return;
  }
  context.report('unknown', { service, version, versions: listForMessage(versions), hint: suggestName(context.model, version, versions) }, location);
}

function checkShorthand(context: RuleContext, service: ServiceNode, version: string, location: Location): void {
  const versions = Object.keys(service.resource.spec.versions ?? {});
  if (versions.includes(version)) return;
  // `to: ratings` reads naturally as "send to ratings"; say what the shorthand means instead.
  const named = context.model.findDestination(version, service.namespace);
  if (named && named !== service) {
    context.report('shorthandService', { version, service: describe(named, service) }, location);
    return;
  }
  checkVersion(context, service, service, version, location);
}
