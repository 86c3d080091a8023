// The names of the Istio objects a mesh compiles to, and which source produces which object. The
// emitters name objects with these functions and the naming rules check them before anything is
// emitted, so a name that Kubernetes would refuse, or two sources that would overwrite each other's
// object, are caught with a location in the mesh files rather than at `kubectl apply` time.
import { memoizeByObject } from '../../model/memoize.js';
import { createHash } from 'node:crypto';
import { compareStrings, type PathSegment } from '../../diagnostics/types.js';
import { declaresMeshWide, effectiveAccessDefault } from '../../model/effective-policy.js';
import { hostsOverlap } from '../../model/host-match.js';
import { gatewayHosts, type GatewayHost } from '../../model/gateway-hosts.js';
import { DEFAULT_NAMESPACE, qualify, type ExternalServiceNode, type GatewayNode, type MeshModel, type MeshNode, type ServiceNode } from '../../model/mesh-model.js';
import { isDnsLabel, MAX_COMPILED_NAME_LENGTH } from '../../model/names.js';

/** Istio's root namespace: objects in it apply to the whole mesh. */
export const ROOT_NAMESPACE = 'istio-system';

/** The name of mesh-wide and namespace-wide objects (Istio's convention for them). */
export const DEFAULTS_OBJECT_NAME = 'default';

const RATE_LIMIT_CONFIG_SUFFIX = '-ratelimit-config';
const HOST_HASH_LENGTH = 8;

export const compiledName = {
  /** The VirtualService of a service's in-mesh traffic (routes, canary, A/B test). */
  virtualService: (service: string) => service,
  /**
   * The VirtualService of one host at one gateway, holding the routes of every service exposed on
   * it: `<gateway>-<host>`, the host in lower case with `*` spelled "wildcard" and every other
   * character that a DNS label cannot hold (dots first of all) as "-". `hashed` (or a name that would
   * not be a DNS label of at most 63 characters) shortens it and appends the first 8 hex digits of
   * the SHA-256 of `<gateway>/<host>`: see ingressVirtualServiceNames for when two hosts need it.
   */
  ingressVirtualService: (gateway: string, host: string, hashed = false) => {
    const readable = `${gateway}-${hostSlug(host)}`;
    if (!hashed && isDnsLabel(readable)) return readable;
    const hash = createHash('sha256').update(`${gateway}/${host.toLowerCase()}`).digest('hex').slice(0, HOST_HASH_LENGTH);
    return `${dnsLabelPart(readable, MAX_COMPILED_NAME_LENGTH - HOST_HASH_LENGTH - 1)}-${hash}`;
  },
  destinationRule: (service: string) => service,
  /** A DestinationRule subset: named after the version. */
  subset: (version: string) => version,
  sidecar: (service: string) => service,
  peerAuthentication: (service: string) => service,
  allowPolicy: (service: string) => `${service}-allow`,
  denyPolicy: (service: string) => `${service}-deny`,
  requestAuthentication: (service: string) => `${service}-jwt`,
  localRateLimitFilter: (service: string) => `${service}-local-ratelimit`,
  globalRateLimitFilter: (service: string) => `${service}-global-ratelimit`,
  telemetry: (service: string) => service,
  /** The Kubernetes Service that gives a service with VM workloads its host and cluster IP. */
  vmKubernetesService: (service: string) => service,
  /** One WorkloadEntry per VM, numbered from 0 in the order `spec.vms` lists them. */
  workloadEntry: (service: string, index: number) => `${service}-vm-${index}`,
  externalServiceEntry: (external: string) => external,
  /**
   * A DestinationRule has one host, so an external service with several hosts gets one per host:
   * the first keeps the external service's name, the others are numbered in `spec.hosts` order.
   */
  externalDestinationRule: (external: string, hostIndex = 0) => (hostIndex === 0 ? external : `${external}-host-${hostIndex}`),
  gateway: (gateway: string) => gateway,
  /** The ALLOW policy that lets requests reach a gateway's proxy where the default is deny. */
  gatewayAllowPolicy: (gateway: string) => `${gateway}-allow`,
  /** The AuthorizationPolicy that makes a namespace (or, in the root namespace, the mesh) deny by default. */
  denyByDefaultPolicy: () => 'allow-nothing',
  /** The rate-limit service's descriptor configuration (a ConfigMap), named after the mesh's rate-limit domain. */
  rateLimitConfig: (domain: string) => `${dnsLabelPart(domain, MAX_COMPILED_NAME_LENGTH - RATE_LIMIT_CONFIG_SUFFIX.length)}${RATE_LIMIT_CONFIG_SUFFIX}`,
} as const;

/** The namespace of the Mesh's rate-limit service. The Mesh has none of its own: a bare name is in the default one. */
export function rateLimitServiceNamespace(ref: string): string {
  return qualify(ref, DEFAULT_NAMESPACE).split('/')[0]!;
}

/** Free text as a DNS label of at most `max` characters: lower case, runs of other characters as "-". */
function dnsLabelPart(text: string, max: number): string {
  const label = text.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+/, '').slice(0, max).replace(/-+$/, '');
  return label === '' ? 'mesh' : label;
}

/** A host as part of a DNS label: `*` as "wildcard", dots and anything else a label cannot hold as "-". */
function hostSlug(host: string): string {
  return host.toLowerCase().replace(/\*/g, 'wildcard').replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '');
}

export interface NamedGatewayHost extends GatewayHost {
  /** The name of its VirtualService, in the gateway's namespace. */
  readonly name: string;
}

/**
 * The (gateway, host) pairs that get an ingress VirtualService, with its name. The readable name
 * drops what tells some hosts apart (`a.b.example.com` and `a-b.example.com`, `*.example.com` and
 * `wildcard.example.com`) and can meet another gateway's (`edge` + `a.example.com` and `edge-a` +
 * `example.com`): every pair whose readable name another pair of the namespace shares takes the
 * hashed form, so none overwrites another. Pairs with no such twin keep their readable name.
 */
export function ingressVirtualServiceNames(model: MeshModel): NamedGatewayHost[] {
  const hosts = gatewayHosts(model);
  const readable = hosts.map((entry) => `${entry.gateway.namespace}/${compiledName.ingressVirtualService(compiledName.gateway(entry.gateway.name), entry.host)}`);
  const counts = new Map<string, number>();
  for (const key of readable) counts.set(key, (counts.get(key) ?? 0) + 1);
  return hosts.map((entry, index) => ({
    ...entry,
    name: compiledName.ingressVirtualService(compiledName.gateway(entry.gateway.name), entry.host, counts.get(readable[index]!)! > 1),
  }));
}

export type CompiledKind =
  | 'VirtualService'
  | 'DestinationRule'
  | 'Sidecar'
  | 'PeerAuthentication'
  | 'AuthorizationPolicy'
  | 'RequestAuthentication'
  | 'EnvoyFilter'
  | 'Telemetry'
  | 'ServiceEntry'
  | 'WorkloadEntry'
  | 'Gateway'
  | 'ConfigMap'
  | 'Service';

export type CompiledSource = ServiceNode | ExternalServiceNode | GatewayNode | MeshNode;

export interface CompiledObject {
  readonly kind: CompiledKind;
  readonly namespace: string;
  readonly name: string;
  readonly source: CompiledSource;
  /** The field of the source that makes it compile to this object. */
  readonly origin: readonly PathSegment[];
  /** True when the object carries its source's own name unchanged (no suffix, no fixed name). */
  readonly ownName: boolean;
}

/**
 * Every object the mesh compiles to, in a stable order: mesh-wide and namespace-wide objects first,
 * then services, external services and gateways in the model's order, each gateway followed by the
 * VirtualServices of the hosts it serves exposed services on.
 */
/** Computed once per model; read-only. */
export const compiledObjects: (model: MeshModel) => readonly CompiledObject[] = memoizeByObject(compiledObjectsUncached);

function compiledObjectsUncached(model: MeshModel): CompiledObject[] {
  const objects: CompiledObject[] = [];
  if (model.mesh) objects.push(...meshObjects(model.mesh, model));
  for (const service of model.services) objects.push(...serviceObjects(service, model.settings));
  for (const external of model.externalServices) objects.push(...externalServiceObjects(external));
  const ingress = ingressVirtualServiceNames(model);
  for (const gateway of model.gateways) {
    objects.push({ kind: 'Gateway', namespace: gateway.namespace, name: compiledName.gateway(gateway.name), source: gateway, origin: ['metadata', 'name'], ownName: true });
    if (effectiveAccessDefault(model, gateway.namespace).value === 'deny-by-default') {
      objects.push({ kind: 'AuthorizationPolicy', namespace: gateway.namespace, name: compiledName.gatewayAllowPolicy(gateway.name), source: gateway, origin: ['metadata', 'name'], ownName: false });
    }
    for (const entry of ingress) {
      if (entry.gateway !== gateway) continue;
      objects.push({ kind: 'VirtualService', namespace: gateway.namespace, name: entry.name, source: gateway, origin: servingListenerHost(entry), ownName: false });
    }
  }
  return objects;
}

/**
 * The ingress VirtualService of a host belongs to the Gateway (it is named after it, lives in its
 * namespace and holds the routes of every service exposed on the host): its origin is the listener
 * host that serves the exposed host, or the listeners when none does (MESH206 reports that).
 */
function servingListenerHost(entry: GatewayHost): PathSegment[] {
  const listeners = entry.gateway.resource.spec.listeners;
  for (const [l, listener] of listeners.entries()) {
    const h = listener.hosts.findIndex((served) => hostsOverlap(entry.host, served));
    if (h >= 0) return ['spec', 'listeners', l, 'hosts', h];
  }
  return ['spec', 'listeners'];
}

/** Mesh defaults compile to objects in the root namespace; namespace overrides to objects in theirs. */
export function meshObjects(mesh: MeshNode, model: Pick<MeshModel, 'settings'>): CompiledObject[] {
  const objects: CompiledObject[] = [];
  const add = (kind: CompiledKind, namespace: string, name: string, origin: PathSegment[]) =>
    objects.push({ kind, namespace, name, source: mesh, origin, ownName: false });
  const settings = model.settings;
  // Root-namespace objects apply to the whole mesh: written only for settings the Mesh writes.
  if (declaresMeshWide(mesh, 'mtls')) add('PeerAuthentication', ROOT_NAMESPACE, DEFAULTS_OBJECT_NAME, ['spec', 'mtls']);
  if (declaresMeshWide(mesh, 'egress')) add('Sidecar', ROOT_NAMESPACE, DEFAULTS_OBJECT_NAME, ['spec', 'egress']);
  if (settings.access === 'deny-by-default') add('AuthorizationPolicy', ROOT_NAMESPACE, compiledName.denyByDefaultPolicy(), ['spec', 'access']);
  if (settings.telemetry) add('Telemetry', ROOT_NAMESPACE, DEFAULTS_OBJECT_NAME, ['spec', 'telemetry']);
  const rateLimit = settings.rateLimitService;
  if (rateLimit) add('ConfigMap', rateLimitServiceNamespace(rateLimit.service), compiledName.rateLimitConfig(rateLimit.domain), ['spec', 'rateLimitService']);
  for (const namespace of Object.keys(settings.namespaces ?? {}).sort(compareStrings)) {
    const defaults = settings.namespaces?.[namespace];
    if (!defaults) continue;
    const at = (field: string): PathSegment[] => ['spec', 'namespaces', namespace, field];
    if (defaults.mtls) add('PeerAuthentication', namespace, DEFAULTS_OBJECT_NAME, at('mtls'));
    if (defaults.egress) add('Sidecar', namespace, DEFAULTS_OBJECT_NAME, at('egress'));
    if (defaults.access === 'deny-by-default') add('AuthorizationPolicy', namespace, compiledName.denyByDefaultPolicy(), at('access'));
    if (defaults.telemetry) add('Telemetry', namespace, DEFAULTS_OBJECT_NAME, at('telemetry'));
  }
  return objects;
}

// Each emitter that names a service's object asks for the service's objects: computed once per
// service (and mesh settings) rather than once per emitter. Shared: callers must not change them.
const objectsByService = new WeakMap<ServiceNode, { readonly settings: MeshModel['settings'] | undefined; readonly objects: readonly CompiledObject[] }>();

/** The objects a service compiles to. Read-only. */
export function serviceObjects(service: ServiceNode, settings?: MeshModel['settings']): readonly CompiledObject[] {
  const cached = objectsByService.get(service);
  if (cached !== undefined && cached.settings === settings) return cached.objects;
  const objects = serviceObjectsUncached(service, settings);
  objectsByService.set(service, { settings, objects });
  return objects;
}

function serviceObjectsUncached(service: ServiceNode, settings?: MeshModel['settings']): CompiledObject[] {
  const spec = service.resource.spec;
  const name = service.name;
  const objects: CompiledObject[] = [];
  const add = (kind: CompiledKind, objectName: string, origin: PathSegment[]) =>
    objects.push({ kind, namespace: service.namespace, name: objectName, source: service, origin, ownName: objectName === name });

  const trafficField = spec.routes?.length ? 'routes' : spec.canary ? 'canary' : spec.abTest ? 'abTest' : undefined;
  if (trafficField) add('VirtualService', compiledName.virtualService(name), ['spec', trafficField]);
  // Exposed services get no VirtualService of their own at the gateway: their routes are in the
  // VirtualService of each host they are exposed on, which the Gateway owns (compiledObjects).
  const hasVersions = Object.keys(spec.versions ?? {}).length > 0;
  if (hasVersions || spec.resilience) add('DestinationRule', compiledName.destinationRule(name), ['spec', hasVersions ? 'versions' : 'resilience']);
  // A service's proxy is scoped to what it calls once it says what that is (dependsOn).
  if (spec.dependsOn !== undefined) add('Sidecar', compiledName.sidecar(name), ['spec', 'dependsOn']);
  if (spec.mtls) add('PeerAuthentication', compiledName.peerAuthentication(name), ['spec', 'mtls']);
  if (spec.access?.allow) add('AuthorizationPolicy', compiledName.allowPolicy(name), ['spec', 'access', 'allow']);
  // An allow-by-default namespace in a deny-by-default mesh reopens its services one by one: the
  // mesh-wide allow-nothing applies to them too.
  else if (settings?.access === 'deny-by-default' && settings.namespaces?.[service.namespace]?.access === 'allow-by-default') {
    add('AuthorizationPolicy', compiledName.allowPolicy(name), ['metadata', 'name']);
  }
  // A required JWT is enforced by a DENY rule on requests without one.
  const tokenRequired = spec.authentication?.jwt?.required === true;
  if (spec.access?.deny?.length || tokenRequired) add('AuthorizationPolicy', compiledName.denyPolicy(name), spec.access?.deny?.length ? ['spec', 'access', 'deny'] : ['spec', 'authentication', 'jwt']);
  if (spec.authentication?.jwt) add('RequestAuthentication', compiledName.requestAuthentication(name), ['spec', 'authentication', 'jwt']);
  const routeWithLimit = spec.routes?.findIndex((route) => route.rateLimit) ?? -1;
  if (spec.rateLimit?.local) add('EnvoyFilter', compiledName.localRateLimitFilter(name), ['spec', 'rateLimit', 'local']);
  else if (routeWithLimit >= 0) add('EnvoyFilter', compiledName.localRateLimitFilter(name), ['spec', 'routes', routeWithLimit, 'rateLimit']);
  if (spec.rateLimit?.global) add('EnvoyFilter', compiledName.globalRateLimitFilter(name), ['spec', 'rateLimit', 'global']);
  if (spec.telemetry) add('Telemetry', compiledName.telemetry(name), ['spec', 'telemetry']);
  if (spec.vms?.length) {
    add('Service', compiledName.vmKubernetesService(name), ['spec', 'vms']);
    spec.vms.forEach((_, index) => add('WorkloadEntry', compiledName.workloadEntry(name, index), ['spec', 'vms', index]));
  }
  return objects;
}

export function externalServiceObjects(external: ExternalServiceNode): CompiledObject[] {
  const spec = external.resource.spec;
  const objects: CompiledObject[] = [
    { kind: 'ServiceEntry', namespace: external.namespace, name: compiledName.externalServiceEntry(external.name), source: external, origin: ['metadata', 'name'], ownName: true },
  ];
  if (spec.tls || spec.resilience) {
    spec.hosts.forEach((_, index) => {
      objects.push({
        kind: 'DestinationRule',
        namespace: external.namespace,
        name: compiledName.externalDestinationRule(external.name, index),
        source: external,
        origin: index === 0 ? ['spec', spec.tls ? 'tls' : 'resilience'] : ['spec', 'hosts', index],
        ownName: index === 0,
      });
    });
  }
  return objects;
}
