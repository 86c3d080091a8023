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
import { hasHttpPort } from '../../../model/ports.js';
import { gatewayHosts, type ExposedPath, type ExposedPathMatch, type HostExposure } from '../../../model/gateway-hosts.js';
import type { ServiceNode } from '../../../model/mesh-model.js';
import { referenceTo } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH227',
  name: 'overlapping-exposure',
  level: 'error',
  category: 'reference',
  description: 'Two services exposed on one host of one gateway under paths that share requests (a prefix that starts the other, or an exact path under a prefix), so one service takes the other\'s requests.',
  messages: {
    overlapping:
      'path {path}{defaulted} on host "{host}" of gateway {gateway} overlaps {otherPath}, under which {other} is exposed there: both services\' routes are in the host\'s one VirtualService, where {other}\'s come first and take every request {shared}; expose paths that share no request, or use another host',
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
            const otherPath = other.paths.find((candidate) => sharedRequests(candidate, path) !== undefined);
            if (!otherPath) continue;
            const data = { path: quoted(path), defaulted: path.path === undefined ? ' (the default)' : '', otherPath: quoted(otherPath), shared: sharedRequests(otherPath, path)! };
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

function quoted(path: ExposedPathMatch): string {
  return path.kind === 'exact' ? `exact "${path.value}"` : `prefix "${path.value}"`;
}

/**
 * The requests both paths take, as text ("under "/cart"", "to "/login""), or undefined when they
 * share none. Envoy's prefix match compares plain strings: one prefix covers the other's requests
 * when it starts it; an exact path is under a prefix that starts it.
 */
function sharedRequests(a: ExposedPathMatch, b: ExposedPathMatch): string | undefined {
  if (a.kind === 'exact' && b.kind === 'exact') return a.value === b.value ? `to "${a.value}"` : undefined;
  if (a.kind === 'exact' || b.kind === 'exact') {
    const [exact, prefix] = a.kind === 'exact' ? [a, b] : [b, a];
    return exact.value.startsWith(prefix.value) ? `to "${exact.value}"` : undefined;
  }
  if (!a.value.startsWith(b.value) && !b.value.startsWith(a.value)) return undefined;
  return `under "${a.value.length >= b.value.length ? a.value : b.value}"`;
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
