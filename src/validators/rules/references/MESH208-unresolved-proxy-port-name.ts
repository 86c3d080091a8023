// Finds port names in the Envoy target's per-port maps of a service that name none of its ports:
// the keys of `envoy.inboundPorts` and of `endpoints[].ports`, at service and version level. The
// emitter looks each service port up by name, so a key that matches none is silently ignored and
// the port keeps its default: the sidecar listens, or callers connect, somewhere else than written.
import { defineRule, type RuleContext } from '../../../diagnostics/rule.js';
import type { PathSegment } from '../../../diagnostics/types.js';
import { portName } from '../../../model/names.js';
import type { ServiceNode } from '../../../model/mesh-model.js';
import { listForMessage, suggestName } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH208',
  name: 'unresolved-proxy-port-name',
  level: 'error',
  category: 'reference',
  description: 'A key of envoy.inboundPorts or endpoints[].ports that names no port of the service, so the Envoy target ignores it.',
  messages: {
    unknownName: 'this service has no port named "{name}", so {field} here is ignored{hint}',
    portNumber: '{field} is keyed by port name, not number: port {port} is named "{portName}"; write "{portName}"',
  },
  check(context) {
    for (const service of context.model.services) {
      const spec = service.resource.spec;
      checkKeys(context, service, spec.envoy?.inboundPorts, ['spec', 'envoy', 'inboundPorts'], 'the sidecar\'s inbound port');
      spec.endpoints?.forEach((endpoint, e) => checkKeys(context, service, endpoint.ports, ['spec', 'endpoints', e, 'ports'], 'the endpoint\'s port'));
      for (const [version, settings] of Object.entries(spec.versions ?? {})) {
        checkKeys(context, service, settings.envoy?.inboundPorts, ['spec', 'versions', version, 'envoy', 'inboundPorts'], 'the sidecar\'s inbound port');
        settings.endpoints?.forEach((endpoint, e) => checkKeys(context, service, endpoint.ports, ['spec', 'versions', version, 'endpoints', e, 'ports'], 'the endpoint\'s port'));
      }
    }
  },
});

function checkKeys(context: RuleContext, service: ServiceNode, ports: Readonly<Record<string, number>> | undefined, path: readonly PathSegment[], field: string): void {
  if (!ports) return;
  const servicePorts = service.resource.spec.ports;
  const names = servicePorts.map(portName);
  for (const name of Object.keys(ports)) {
    if (names.includes(name)) continue;
    const location = service.keyAt(...path, name);
    const byNumber = /^\d+$/.test(name) ? servicePorts.find((port) => port.port === Number(name)) : undefined;
    if (byNumber) {
      context.report('portNumber', { field: `${fieldName(path)}`, port: byNumber.port, portName: portName(byNumber) }, location);
      continue;
    }
    const hint = suggestName(context.model, name, names) || `; its ports are named ${listForMessage(names.map((each) => `"${each}"`))} (an unnamed port is "<protocol>-<port>")`;
    context.report('unknownName', { name, field, hint }, location);
  }
}

/** `envoy.inboundPorts` or `endpoints[].ports`, as the user wrote it. */
function fieldName(path: readonly PathSegment[]): string {
  return path[path.length - 1] === 'inboundPorts' ? 'envoy.inboundPorts' : 'endpoints[].ports';
}
