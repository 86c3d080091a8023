// Where routes send requests: a service's default split (its canary, or the whole service), the
// destinations a route names, and how both become Istio destinations. A subset is a version
// (compiledName.subset); a destination without a version is the service's host with no subset,
// which Envoy balances over every endpoint of the service.
import { compiledName } from '../../../model/compiled-names.js';
import { qualify, type Destination, type MeshModel, type ServiceNode } from '../../../model/mesh-model.js';
import type { ServicePortT } from '../../../schema/resources.js';
import type { RouteSpec } from '../../../schema/traffic.js';
import { serviceHost } from '../common.js';
import type { IstioDestination, IstioHttpRouteDestination } from './istio-types.js';

/** One destination of a route, before it is written for a particular VirtualService. */
export interface PlannedDestination {
  readonly node: Destination;
  readonly version?: string;
  /** The port written in the mesh file; undefined lets Istio pick, or the gateway's default (see toIstioDestination). */
  readonly port?: number;
  readonly weight?: number;
}

const HTTP_FAMILY = new Set(['http', 'http2', 'grpc']);

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

/** The host Istio knows the destination by: the service's cluster host, or an external service's first host. */
export function destinationHost(node: Destination): string {
  return node.kind === 'Service' ? serviceHost(node) : node.resource.spec.hosts[0]!;
}

/**
 * The port a gateway sends a destination's requests to: its first HTTP-family port, else its first
 * port. A sidecar can leave the port out (Istio keeps the port the caller used), a gateway cannot:
 * the caller used the gateway's own port.
 */
export function ingressPort(node: Destination): number {
  const ports = node.resource.spec.ports;
  return (ports.find(isHttpFamily) ?? ports[0]!).port;
}

/**
 * The split a route without `to` follows: stable (100 - weight) / canary (weight) when the service
 * has a canary, else the whole service. A destination at weight 0 is left out (Istio would drop it
 * anyway), and a split left with one destination carries no weight.
 */
export function defaultSplit(service: ServiceNode): PlannedDestination[] {
  const canary = service.resource.spec.canary;
  if (!canary) return [{ node: service }];
  const split = [
    { node: service, version: canary.stable, weight: 100 - canary.weight },
    { node: service, version: canary.canary, weight: canary.weight },
  ].filter((destination) => destination.weight > 0);
  return split.length === 1 ? [{ node: service, version: split[0]!.version }] : split;
}

/** One version of the service itself, as the A/B test's variant and control name them. */
export function versionOf(service: ServiceNode, version: string): PlannedDestination[] {
  return [{ node: service, version }];
}

/**
 * The destinations a route's `to` names. `to: v2` is a version of this service; a list names
 * services (default: this one), versions, ports and weights. A lone destination carries no weight:
 * it gets all the route's traffic.
 */
export function explicitDestinations(model: MeshModel, service: ServiceNode, to: NonNullable<RouteSpec['to']>): PlannedDestination[] {
  if (typeof to === 'string') return versionOf(service, to);
  const single = to.length === 1;
  return to.map((destination) => ({
    node: destination.service === undefined ? service : resolveDestination(model, destination.service, service),
    ...(destination.version !== undefined ? { version: destination.version } : {}),
    ...(destination.port !== undefined ? { port: destination.port } : {}),
    ...(!single && destination.weight !== undefined ? { weight: destination.weight } : {}),
  }));
}

/** A Service or ExternalService reference; validation has resolved every reference it lets through. */
export function resolveDestination(model: MeshModel, ref: string, from: ServiceNode): Destination {
  const node = model.findDestination(ref, from.namespace);
  if (!node) throw new Error(`${from.key}: destination "${qualify(ref, from.namespace)}" is not in the mesh; validation should have refused it`);
  return node;
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
