// What a port carries: requests the proxy parses (http, http2, grpc) or a byte stream (tcp, tls).
// Routes, access rules, rate limits and both targets' listeners all turn on this one distinction.
import type { ServicePortT } from '../schema/resources.js';
import type { Destination } from './mesh-model.js';

const HTTP_FAMILY: ReadonlySet<ServicePortT['protocol']> = new Set(['http', 'http2', 'grpc']);

export function isHttpFamily(port: Pick<ServicePortT, 'protocol'>): boolean {
  return HTTP_FAMILY.has(port.protocol);
}

/** True when at least one port carries requests the proxy parses (http, http2, grpc). */
export function hasHttpPort(node: Destination): boolean {
  return node.resource.spec.ports.some(isHttpFamily);
}

/** True when at least one port carries a byte stream (tcp, tls). */
export function hasStreamPort(node: Destination): boolean {
  return node.resource.spec.ports.some((port) => !isHttpFamily(port));
}

/**
 * The port a gateway sends a destination's requests to: its first HTTP-family port, else its first
 * port. A sidecar can leave the port out (the port the caller used is kept), a gateway cannot: the
 * caller used the gateway's own port.
 */
export function ingressPort(node: Destination): number {
  const ports = node.resource.spec.ports;
  return (ports.find(isHttpFamily) ?? ports[0]!).port;
}
