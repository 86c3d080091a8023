// The plan's destinations (src/plan/destinations.ts) as Istio destinations. A subset is a version
// (compiledName.subset); a destination without a version is the service's host with no subset,
// which Envoy balances over every endpoint of the service.
import { compiledName } from '../compiled-names.js';
import type { Destination, ServiceNode } from '../../../model/mesh-model.js';
import { ingressPort, isHttpFamily } from '../../../model/ports.js';
import type { PlannedDestination } from '../../../plan/destinations.js';
import { serviceHost } from '../common.js';
import type { IstioDestination, IstioHttpRouteDestination } from './istio-types.js';

/** The host Istio knows the destination by: the service's cluster host, or an external service's first host. */
export function destinationHost(node: Destination): string {
  return node.kind === 'Service' ? serviceHost(node) : node.resource.spec.hosts[0]!;
}

/** How ports are filled in: as written (sidecars), or always (gateways). */
export type PortPolicy = 'as-written' | 'always';

/**
 * A destination without a port keeps the port the request arrived on. When the route belongs to
 * another service (`from`) with an HTTP port the destination lacks, that port would lead nowhere
 * (pilot routes, or mirrors, to a cluster that does not exist): the destination's first HTTP port
 * is written instead, the port the Envoy target sends such requests to.
 */
function needsExplicitPort(from: ServiceNode | undefined, node: Destination): boolean {
  if (from === undefined || (node.kind === 'Service' && node.key === from.key)) return false;
  const ports = new Set(node.resource.spec.ports.map((port) => port.port));
  return from.resource.spec.ports.some((port) => isHttpFamily(port) && !ports.has(port.port));
}

export function toIstioDestination(destination: Pick<PlannedDestination, 'node' | 'version' | 'port'>, ports: PortPolicy, from?: ServiceNode): IstioDestination {
  const port = destination.port ?? (ports === 'always' || needsExplicitPort(from, destination.node) ? ingressPort(destination.node) : undefined);
  return {
    host: destinationHost(destination.node),
    ...(destination.version !== undefined ? { subset: compiledName.subset(destination.version) } : {}),
    ...(port !== undefined ? { port: { number: port } } : {}),
  };
}

export function toIstioRouteDestinations(destinations: readonly PlannedDestination[], ports: PortPolicy, from?: ServiceNode): IstioHttpRouteDestination[] {
  return destinations.map((destination) => ({
    destination: toIstioDestination(destination, ports, from),
    ...(destination.weight !== undefined ? { weight: destination.weight } : {}),
  }));
}
