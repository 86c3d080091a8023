// Where routes send requests: a service's default split (its canary, or the whole service) and the
// destinations a route names, with every reference resolved to its node. A destination without a
// version is the whole service: every endpoint of it, whatever its version.
import { qualify, type Destination, type MeshModel, type ServiceNode } from '../model/mesh-model.js';
import type { RouteSpec } from '../schema/traffic.js';

/** One destination of a route. */
export interface PlannedDestination {
  readonly node: Destination;
  readonly version?: string;
  /** The port written in the mesh file; undefined leaves the choice to the target (the caller's port, or the first HTTP port). */
  readonly port?: number;
  /** The share of the route's requests, in percent; undefined when the destination is the route's only one. */
  readonly weight?: number;
}

/**
 * The split a route without `to` follows: stable (100 - weight) / canary (weight) when the service
 * has a canary, else the whole service. A destination at weight 0 is left out (it would get
 * nothing anyway), and a split left with one destination carries no weight.
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
