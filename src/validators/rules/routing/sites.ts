// Where the format holds routes, regexes, header names and durations. Several routing rules check
// the same kind of value wherever it appears; listing the places once keeps them in step with
// the schema: a new duration field is added here, and the duration rule checks it.
import type { Location, PathSegment } from '../../../diagnostics/types.js';
import { routeName } from '../../../model/names.js';
import { memoizeByObject } from '../../../model/memoize.js';
import { qualify, type MeshModel, type ServiceNode } from '../../../model/mesh-model.js';
import type { ResilienceSpec } from '../../../schema/policy.js';
import type { ValueMatchSpec } from '../../../schema/primitives.js';
import type { RouteSpec } from '../../../schema/traffic.js';

/** Anything a finding can point into. */
export interface Locatable {
  at(...path: PathSegment[]): Location;
  keyAt(...path: PathSegment[]): Location;
}

export interface RouteSite {
  readonly service: ServiceNode;
  readonly route: RouteSpec;
  readonly index: number;
  /** ['spec', 'routes', index]: extend it to point inside the route. */
  readonly path: readonly PathSegment[];
}

/** Every route of every service, in model order then route order. */
function routeSitesUncached(model: MeshModel): RouteSite[] {
  const sites: RouteSite[] = [];
  for (const service of model.services) {
    (service.resource.spec.routes ?? []).forEach((route, index) => sites.push({ service, route, index, path: ['spec', 'routes', index] }));
  }
  return sites;
}

/** How a route names itself in messages: its name, or the default name the compiler gives it. */
export function routeLabel(site: Pick<RouteSite, 'route' | 'index'>): string {
  return routeName(site.route, site.index);
}

export interface ValueSite<T> {
  readonly node: Locatable;
  readonly path: readonly PathSegment[];
  readonly value: T;
}

// ---------------------------------------------------------------------------------------------
// Regexes

export interface RegexSite extends ValueSite<string> {
  /** What the regex matches, for messages: "path", "header x-user", "CORS origin". */
  readonly subject: string;
}

/** Every RE2 regex the format holds: path, header, query and cookie matches, CORS origins, cohorts. */
function regexSitesUncached(model: MeshModel): RegexSite[] {
  const sites: RegexSite[] = [];
  const addValueMatch = (node: Locatable, path: PathSegment[], match: ValueMatchSpec, subject: string) => {
    if (typeof match !== 'string' && match.regex !== undefined) sites.push({ node, path: [...path, 'regex'], value: match.regex, subject });
  };
  for (const { service, route, path } of routeSites(model)) {
    const match = route.match;
    if (match?.path !== undefined && typeof match.path !== 'string' && match.path.regex !== undefined) {
      sites.push({ node: service, path: [...path, 'match', 'path', 'regex'], value: match.path.regex, subject: 'path' });
    }
    for (const [field, label] of [['headers', 'header'], ['query', 'query parameter'], ['cookies', 'cookie']] as const) {
      for (const [name, value] of Object.entries(match?.[field] ?? {})) addValueMatch(service, [...path, 'match', field, name], value, `${label} ${name}`);
    }
    route.cors?.allowOrigins.forEach((origin, index) => addValueMatch(service, [...path, 'cors', 'allowOrigins', index], origin, 'CORS origin'));
  }
  for (const service of model.services) {
    const cohort = service.resource.spec.abTest?.cohort;
    for (const kind of ['header', 'cookie'] as const) {
      const selector = cohort?.[kind];
      if (selector) addValueMatch(service, ['spec', 'abTest', 'cohort', kind, 'value'], selector.value, `cohort ${kind} ${selector.name}`);
    }
  }
  return sites;
}

// ---------------------------------------------------------------------------------------------
// Header names

/**
 * match: a request header is read to match a route; read: a header is read for a key (rate-limit
 * bucket, hash, cohort, token); set, add, remove: the proxy changes it; cors: listed in a CORS
 * response header.
 */
export type HeaderUse = 'match' | 'read' | 'set' | 'add' | 'remove' | 'cors';

export interface HeaderNameSite extends ValueSite<string> {
  readonly use: HeaderUse;
  /** True when the name is a mapping key (point at the key), false when it is a value. */
  readonly isKey: boolean;
}

function headerNameSitesUncached(model: MeshModel): HeaderNameSite[] {
  const sites: HeaderNameSite[] = [];
  // Most places are empty in most routes: the helpers take the path as segments after the value,
  // so a path array is built only for a header that is there.
  const keys = (node: Locatable, record: Record<string, unknown> | undefined, use: HeaderUse, ...path: PathSegment[]) => {
    if (record) for (const name of Object.keys(record)) sites.push({ node, path: [...path, name], value: name, use, isKey: true });
  };
  const values = (node: Locatable, names: readonly string[] | undefined, use: HeaderUse, ...path: PathSegment[]) => {
    names?.forEach((name, index) => sites.push({ node, path: [...path, index], value: name, use, isKey: false }));
  };
  const value = (node: Locatable, name: string | undefined, use: HeaderUse, ...path: PathSegment[]) => {
    if (name !== undefined) sites.push({ node, path, value: name, use, isKey: false });
  };

  for (const { service, route, path } of routeSites(model)) {
    if (route.match?.headers) keys(service, route.match.headers, 'match', ...path, 'match', 'headers');
    if (route.headers) {
      for (const direction of ['request', 'response'] as const) {
        const changes = route.headers[direction];
        if (!changes) continue;
        keys(service, changes.set, 'set', ...path, 'headers', direction, 'set');
        keys(service, changes.add, 'add', ...path, 'headers', direction, 'add');
        values(service, changes.remove, 'remove', ...path, 'headers', direction, 'remove');
      }
    }
    if (route.cors) {
      values(service, route.cors.allowHeaders, 'cors', ...path, 'cors', 'allowHeaders');
      values(service, route.cors.exposeHeaders, 'cors', ...path, 'cors', 'exposeHeaders');
    }
    if (route.rateLimit?.perHeader !== undefined) value(service, route.rateLimit.perHeader, 'read', ...path, 'rateLimit', 'perHeader');
  }
  for (const service of model.services) {
    const spec = service.resource.spec;
    if (spec.abTest?.cohort.header) value(service, spec.abTest.cohort.header.name, 'read', 'spec', 'abTest', 'cohort', 'header', 'name');
    if (spec.rateLimit?.local?.perHeader !== undefined) value(service, spec.rateLimit.local.perHeader, 'read', 'spec', 'rateLimit', 'local', 'perHeader');
    spec.rateLimit?.global?.descriptors.forEach((descriptor, index) =>
      value(service, descriptor.key.header, 'read', 'spec', 'rateLimit', 'global', 'descriptors', index, 'key', 'header'),
    );
  }
  for (const node of [...model.services, ...model.externalServices]) {
    const hash = consistentHashOf(node.resource.spec.resilience);
    if (hash?.header !== undefined) value(node, hash.header, 'read', 'spec', 'resilience', 'loadBalancer', 'consistentHash', 'header');
  }
  for (const mesh of model.meshes) {
    for (const [provider, settings] of Object.entries(mesh.resource.spec.jwtProviders ?? {})) {
      settings.fromHeaders?.forEach((header, index) => value(mesh, header.name, 'read', 'spec', 'jwtProviders', provider, 'fromHeaders', index, 'name'));
    }
  }
  return sites;
}

export function consistentHashOf(resilience: ResilienceSpec | undefined) {
  const balancer = resilience?.loadBalancer;
  return typeof balancer === 'object' ? balancer.consistentHash : undefined;
}

// ---------------------------------------------------------------------------------------------
// Durations

export interface DurationSite extends ValueSite<string> {
  /** Zero has a meaning here (a session cookie), so only negative or malformed values are wrong. */
  readonly zeroAllowed: boolean;
}

/** Every duration in the format, in services, external services and the Mesh. */
function durationSitesUncached(model: MeshModel): DurationSite[] {
  const sites: DurationSite[] = [];
  // The path comes last, as segments, and is built only for a duration that is there.
  const add = (node: Locatable, value: string | undefined, ...path: PathSegment[]) => {
    if (value !== undefined) sites.push({ node, path, value, zeroAllowed: false });
  };

  for (const { service, route, path } of routeSites(model)) {
    if (route.timeout !== undefined) add(service, route.timeout, ...path, 'timeout');
    if (route.retries) add(service, route.retries.perTryTimeout, ...path, 'retries', 'perTryTimeout');
    if (route.fault?.delay) add(service, route.fault.delay.duration, ...path, 'fault', 'delay', 'duration');
    if (route.cors) add(service, route.cors.maxAge, ...path, 'cors', 'maxAge');
    if (route.rateLimit) add(service, route.rateLimit.per, ...path, 'rateLimit', 'per');
  }
  for (const service of model.services) {
    const local = service.resource.spec.rateLimit?.local;
    if (local) add(service, local.per, 'spec', 'rateLimit', 'local', 'per');
  }
  for (const node of [...model.services, ...model.externalServices]) {
    const resilience = node.resource.spec.resilience;
    if (!resilience) continue;
    if (resilience.circuitBreaker) add(node, resilience.circuitBreaker.connectTimeout, 'spec', 'resilience', 'circuitBreaker', 'connectTimeout');
    if (resilience.outlierDetection) {
      add(node, resilience.outlierDetection.interval, 'spec', 'resilience', 'outlierDetection', 'interval');
      add(node, resilience.outlierDetection.baseEjectionTime, 'spec', 'resilience', 'outlierDetection', 'baseEjectionTime');
    }
    const ttl = consistentHashOf(resilience)?.cookie?.ttl;
    // Zero has a meaning here (a session cookie).
    if (ttl !== undefined) sites.push({ node, path: ['spec', 'resilience', 'loadBalancer', 'consistentHash', 'cookie', 'ttl'], value: ttl, zeroAllowed: true });
  }
  for (const mesh of model.meshes) {
    const rateLimitService = mesh.resource.spec.rateLimitService;
    if (rateLimitService) add(mesh, rateLimitService.timeout, 'spec', 'rateLimitService', 'timeout');
  }
  return sites;
}

// ---------------------------------------------------------------------------------------------
// Destinations

export interface RouteDestination {
  /** Qualified `namespace/name`. */
  readonly service: string;
  /** Undefined: all versions of the service. */
  readonly version?: string;
  /** Where it is written; undefined for the default split, which the route does not spell out. */
  readonly path?: readonly PathSegment[];
}

/**
 * Where a route forwards to: its `to`, or else the service's default split (the canary's two
 * versions, or every version). Empty for routes that redirect or answer directly.
 */
export function routeDestinations(site: RouteSite): RouteDestination[] {
  const { service, route, path } = site;
  if (route.redirect || route.directResponse) return [];
  if (typeof route.to === 'string') return [{ service: service.key, version: route.to, path: [...path, 'to'] }];
  if (route.to) {
    return route.to.map((destination, index) => ({
      service: destination.service === undefined ? service.key : qualify(destination.service, service.namespace),
      ...(destination.version === undefined ? {} : { version: destination.version }),
      path: [...path, 'to', index],
    }));
  }
  const canary = service.resource.spec.canary;
  if (canary) return [{ service: service.key, version: canary.stable }, { service: service.key, version: canary.canary }];
  return [{ service: service.key }];
}

/** Computed once per model; read-only. */
export const routeSites: (model: MeshModel) => readonly RouteSite[] = memoizeByObject(routeSitesUncached);

/** Computed once per model; read-only. */
export const regexSites: (model: MeshModel) => readonly RegexSite[] = memoizeByObject(regexSitesUncached);

/** Computed once per model; read-only. */
export const headerNameSites: (model: MeshModel) => readonly HeaderNameSite[] = memoizeByObject(headerNameSitesUncached);

/** Computed once per model; read-only. */
export const durationSites: (model: MeshModel) => readonly DurationSite[] = memoizeByObject(durationSitesUncached);
