// Finds two services exposed on the same host of the same gateway under overlapping path prefixes.
// A gateway gets one VirtualService per host, holding the routes of every service exposed on it,
// services ordered by namespace and name; Envoy takes the first route that matches, so the service
// ordered first takes every request under the longer of the two prefixes, whichever the mesh files
// meant to get it (and a rename would silently hand them to the other). Prefixes overlap as Envoy
// compares them, as plain strings: "/cart" covers "/cart/items" and "/cartography" too, and an
// exposure without paths is "/", which covers everything. A service without HTTP ports is exposed
// as a byte stream, which a gateway routes by host alone, so two of one kind (TLS by SNI, or TCP) on
// one host always overlap.
import { defineRule } from '../../../diagnostics/rule.js';
import type { Location } from '../../../diagnostics/types.js';
import { hasHttpPort } from '../../../compiler/istio/traffic/destinations.js';
import { gatewayHosts, type ExposedPath, type HostExposure } from '../../../model/gateway-hosts.js';
import type { ServiceNode } from '../../../model/mesh-model.js';
import { referenceTo } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH227',
  name: 'overlapping-exposure',
  level: 'error',
  category: 'reference',
  description: 'Two services exposed on one host of one gateway under path prefixes where one starts with the other, so one service takes the other\'s requests.',
  messages: {
    overlapping:
      'path prefix "{path}"{defaulted} on host "{host}" of gateway {gateway} overlaps "{otherPath}", under which {other} is exposed there: both services\' routes are in the host\'s one VirtualService, where {other}\'s come first and take every request under "{longer}"; expose prefixes where neither starts with the other, or use another host',
    stream:
      '{other} is already exposed on host "{host}" of gateway {gateway} as a {protocol} stream: a gateway routes a stream by host alone, so {other}, whose route comes first in the host\'s one VirtualService, takes every connection; expose each service on its own host',
  },
  check(context) {
    const reported = new Set<string>();
    for (const { gateway, host, exposures } of gatewayHosts(context.model)) {
      exposures.forEach((exposure, index) => {
        const earlier = exposures.slice(0, index).filter((other) => !sameDeclaration(other.service, exposure.service));
        const service = exposure.service;
        const report = (messageId: string, data: Record<string, string>, location: Location, other: HostExposure, otherLocation: Location) => {
          const key = JSON.stringify(location);
          if (reported.has(key)) return;
          reported.add(key);
          context.report(
            messageId,
            { ...data, host, gateway: referenceTo(gateway, service.namespace), other: `service ${referenceTo(other.service, service.namespace)}` },
            location,
            [{ message: `the exposure of service ${other.service.key}`, location: otherLocation }],
          );
        };

        const protocol = streamProtocol(service);
        if (protocol !== undefined) {
          const other = earlier.find((candidate) => streamProtocol(candidate.service) === protocol);
          if (other) report('stream', { protocol: protocol.toUpperCase() }, hostAt(service, exposure.paths[0]!), other, hostAt(other.service, other.paths[0]!));
          return;
        }
        for (const path of exposure.paths) {
          for (const other of earlier) {
            if (streamProtocol(other.service) !== undefined) continue;
            const otherPath = other.paths.find((candidate) => overlaps(candidate.prefix, path.prefix));
            if (!otherPath) continue;
            const longer = path.prefix.length >= otherPath.prefix.length ? path.prefix : otherPath.prefix;
            const data = { path: path.prefix, defaulted: path.path === undefined ? ' (the default)' : '', otherPath: otherPath.prefix, longer };
            report('overlapping', data, pathAt(service, path), other, pathAt(other.service, otherPath));
            break;
          }
        }
      });
    }
  },
});

/** The `paths` entry, or the host when the exposure leaves `paths` to its default. */
function pathAt(service: ServiceNode, path: ExposedPath): Location {
  return path.path !== undefined ? service.at('spec', 'expose', path.exposure, 'paths', path.path) : hostAt(service, path);
}

function hostAt(service: ServiceNode, path: ExposedPath): Location {
  return service.at('spec', 'expose', path.exposure, 'hosts', path.host);
}

/** Envoy's prefix match compares plain strings: one prefix covers the other's requests when it starts it. */
function overlaps(a: string, b: string): boolean {
  return a.startsWith(b) || b.startsWith(a);
}

/** How a service without HTTP ports is exposed: by SNI when it has a tls port, else as TCP; undefined for HTTP services. */
function streamProtocol(service: ServiceNode): 'tls' | 'tcp' | undefined {
  if (hasHttpPort(service)) return undefined;
  return service.resource.spec.ports.some((port) => port.protocol === 'tls') ? 'tls' : 'tcp';
}

/** The same document twice is a duplicate name (MESH220); its exposures add nothing to that. */
function sameDeclaration(a: ServiceNode, b: ServiceNode): boolean {
  return a.key === b.key;
}
