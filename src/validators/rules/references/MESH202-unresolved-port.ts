// Finds port references that the service they refer to does not have: a route destination's
// port, the keys of spec.mtls.ports, the port names an external service's endpoints map, and the
// mesh's rate-limit service port. Each compiles to a port-level setting Envoy matches against the
// service's real ports, so a wrong one routes nowhere or silently applies to no traffic.
import { defineRule, type RuleContext } from '../../../diagnostics/rule.js';
import type { Location } from '../../../diagnostics/types.js';
import { portName } from '../../../model/names.js';
import { DEFAULT_NAMESPACE, type Destination } from '../../../model/mesh-model.js';
import { listForMessage, referenceTo, resolveDestination, suggestName } from '../../../model/resolve-reference.js';
import type { ServicePortT } from '../../../schema/resources.js';

export default defineRule({
  code: 'MESH202',
  name: 'unresolved-port',
  level: 'error',
  category: 'reference',
  description: 'A port (route destination, mTLS override, endpoint port, rate-limit service port) that the service it refers to does not have.',
  messages: {
    destination: '{service} has no port {port}; its ports: {ports}',
    mtlsKey: 'port {port} is not a port of this service; spec.mtls.ports is keyed by the service\'s ports: {ports}',
    mtlsTargetPort: 'port {port} is the targetPort of port {servicePort}; spec.mtls.ports is keyed by the service\'s ports, write {servicePort}',
    mtlsNotNumber: '"{key}" is not a port number; spec.mtls.ports is keyed by the service\'s ports: {ports}',
    endpointPort: 'this external service has no port named "{name}"{hint}',
    rateLimitPort: 'the rate-limit service {service} has no port {port}{defaulted}; set spec.rateLimitService.port to one of its ports: {ports}',
  },
  check(context) {
    const { model } = context;
    for (const service of model.services) {
      const spec = service.resource.spec;
      spec.routes?.forEach((route, r) => {
        if (!Array.isArray(route.to)) return;
        route.to.forEach((destination, d) => {
          if (destination.port === undefined) return;
          const target = destination.service === undefined ? service : found(resolveDestination(model, destination.service, service.namespace));
          if (!target || hasPort(target.resource.spec.ports, destination.port)) return;
          const name = target === service ? 'this service' : `${kindWord(target)} ${referenceTo(target, service.namespace)}`;
          context.report('destination', { service: name, port: destination.port, ports: portList(target.resource.spec.ports) }, service.at('spec', 'routes', r, 'to', d, 'port'));
        });
      });
      const mtls = spec.mtls;
      if (typeof mtls === 'object' && mtls.ports) {
        for (const key of Object.keys(mtls.ports)) checkMtlsKey(context, spec.ports, key, service.keyAt('spec', 'mtls', 'ports', key));
      }
    }

    for (const external of model.externalServices) {
      const names = external.resource.spec.ports.map(portName);
      external.resource.spec.endpoints?.forEach((endpoint, e) => {
        for (const name of Object.keys(endpoint.ports ?? {})) {
          if (names.includes(name)) continue;
          const hint = suggestName(model, name, names) || `; endpoint ports are keyed by port name: ${listForMessage(names)}`;
          context.report('endpointPort', { name, hint }, external.keyAt('spec', 'endpoints', e, 'ports', name));
        }
      });
    }

    const rateLimitService = model.settings.rateLimitService;
    if (model.mesh && rateLimitService) {
      const target = found(resolveDestination(model, rateLimitService.service, DEFAULT_NAMESPACE));
      if (target && !hasPort(target.resource.spec.ports, rateLimitService.port)) {
        // The port has a default: when it is not written, point at the service it was meant for.
        const written = isRecord(model.mesh.document.value) && hasPath(model.mesh.document.value, ['spec', 'rateLimitService', 'port']);
        context.report(
          'rateLimitPort',
          { service: referenceTo(target, DEFAULT_NAMESPACE), port: rateLimitService.port, defaulted: written ? '' : ' (the default)', ports: portList(target.resource.spec.ports) },
          model.mesh.at('spec', 'rateLimitService', written ? 'port' : 'service'),
        );
      }
    }
  },
});

function checkMtlsKey(context: RuleContext, ports: readonly ServicePortT[], key: string, location: Location): void {
  if (!/^\d+$/.test(key)) {
    context.report('mtlsNotNumber', { key, ports: portList(ports) }, location);
    return;
  }
  const port = Number(key);
  if (hasPort(ports, port)) return;
  const byTarget = ports.find((candidate) => candidate.targetPort === port);
  if (byTarget) context.report('mtlsTargetPort', { port, servicePort: byTarget.port }, location);
  else context.report('mtlsKey', { port, ports: portList(ports) }, location);
}

function found(resolution: ReturnType<typeof resolveDestination>): Destination | undefined {
  return resolution.status === 'found' ? resolution.node : undefined;
}

function hasPort(ports: readonly ServicePortT[], port: number): boolean {
  return ports.some((candidate) => candidate.port === port);
}

function portList(ports: readonly ServicePortT[]): string {
  return listForMessage(ports.map((port) => port.port));
}

function kindWord(target: Destination): string {
  return target.kind === 'Service' ? 'service' : 'external service';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function hasPath(value: Record<string, unknown>, path: readonly string[]): boolean {
  let current: unknown = value;
  for (const key of path) {
    if (!isRecord(current) || !(key in current)) return false;
    current = current[key];
  }
  return true;
}
