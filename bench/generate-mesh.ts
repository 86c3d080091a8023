// Generates synthetic meshes of any size for measuring meshctl: N services across 50 namespaces,
// with the mix a large organisation's mesh has (several versions, canaries, A/B tests, retries and
// timeouts on most routes, deny-by-default access naming each service's callers, some rate limits,
// a few external services and VM-backed services). No service calls more than MAX_DEPENDENCIES
// others, and one fixed group of reference workloads (the widest sidecar any of these meshes can
// have) is the same at every size. The output is a function of the seed and size alone, and it
// validates without findings, so that a measurement exercises every rule the way a real mesh does.
//
//   npx tsx bench/generate-mesh.ts --services 1000 --out /tmp/mesh [--seed 42]
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { stringify } from 'yaml';

export interface GenerateOptions {
  /** Total of Services and ExternalServices. */
  services: number;
  seed?: number;
}

export interface GeneratedFile {
  /** Relative to the output directory, e.g. billing.yaml. */
  path: string;
  text: string;
}

const API_VERSION = 'meshctl.dev/v1alpha1';

const NAMESPACES = [
  'platform', 'accounts', 'billing', 'catalog', 'search', 'checkout', 'payments', 'shipping', 'inventory', 'pricing',
  'promotions', 'reviews', 'recommendations', 'notifications', 'identity', 'loyalty', 'fulfillment', 'returns', 'support', 'analytics',
  'reporting', 'media', 'content', 'localization', 'tax', 'fraud', 'ledger', 'subscriptions', 'partners', 'marketplace',
  'warehouse', 'logistics', 'orders', 'carts', 'wishlists', 'gifting', 'invoices', 'compliance', 'audit', 'messaging',
  'scheduling', 'profiles', 'sessions', 'experiments', 'feeds', 'storage', 'geo', 'events', 'sellers', 'ads',
] as const;
/** The namespaces the random services spread over (the reference namespace aside). */
export const NAMESPACE_COUNT = NAMESPACES.length;

/**
 * The most services any one service calls (its dependsOn). Without a bound, the widest workload
 * was the tail of the sample and grew with the mesh (9 dependencies at 1,000 services, 12 at
 * 10,000); with it, the shape of every sidecar is bounded whatever the size.
 */
export const MAX_DEPENDENCIES = 6;

const ENTITIES = [
  'order', 'invoice', 'customer', 'product', 'price', 'stock', 'shipment', 'payment', 'refund', 'coupon',
  'review', 'rating', 'session', 'profile', 'token', 'report', 'feed', 'event', 'ticket', 'address',
  'label', 'quote', 'tax', 'ledger', 'media', 'asset', 'cart', 'wishlist', 'promo', 'seller',
];
const ROLES = ['api', 'worker', 'store', 'indexer', 'sync', 'scheduler', 'notifier', 'exporter', 'importer', 'cache', 'reconciler', 'reader', 'writer', 'processor', 'service', 'frontend'];
const RESOURCES = ['items', 'orders', 'accounts', 'search', 'exports', 'imports', 'settings', 'history', 'summaries', 'batches', 'jobs', 'events', 'status', 'limits', 'quotes'];
const VENDORS = ['stripe', 'adyen', 'sendgrid', 'twilio', 'avalara', 'shippo', 'algolia', 'segment', 'okta', 'contentful', 'cloudinary', 'easypost', 'zendesk', 'braintree', 'mailgun'];
const REGIONS = [
  { region: 'us-east1', zones: ['us-east1-b', 'us-east1-c', 'us-east1-d'] },
  { region: 'us-west1', zones: ['us-west1-a', 'us-west1-b'] },
  { region: 'europe-west1', zones: ['europe-west1-b', 'europe-west1-c'] },
];
/** The share of Services that speak HTTP, HTTP/2 or gRPC; the rest are TCP. */
const L7_SHARE = 0.95;
const CANARY_PLANS = [
  [5, 25, 50, 100],
  [10, 50, 100],
  [1, 5, 20, 50, 100],
];
const PER_TRY_TIMEOUTS_MS = [200, 300, 500, 1000, 2000];
const ROUTE_TIMEOUTS_MS = [1000, 2000, 3000, 5000, 10_000, 15_000, 30_000];
const HTTP_RETRY_ON = [
  ['connect-failure', 'refused-stream', 'gateway-error'],
  ['5xx', 'reset', 'connect-failure'],
  ['connect-failure', 'refused-stream', 'unavailable', 'cancelled', 'retriable-status-codes'],
];
const GRPC_RETRY_ON = [
  ['connect-failure', 'refused-stream', 'unavailable'],
  ['unavailable', 'cancelled', 'deadline-exceeded'],
];

/** sfc32: small, fast, and the same sequence on every platform for a given seed. */
class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    this.a = 0x9e3779b9;
    this.b = 0x243f6a88;
    this.c = 0xb7e15162;
    this.d = seed >>> 0;
    for (let i = 0; i < 15; i++) this.next();
  }

  /** A float in [0, 1). */
  next(): number {
    this.a >>>= 0;
    this.b >>>= 0;
    this.c >>>= 0;
    this.d >>>= 0;
    const t = (this.a + this.b + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  /** Up to `count` distinct items, in the order drawn. */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const chosen: T[] = [];
    while (chosen.length < count && pool.length > 0) chosen.push(pool.splice(Math.floor(this.next() * pool.length), 1)[0]!);
    return chosen;
  }
}

type Protocol = 'http' | 'http2' | 'grpc' | 'tcp';
type Yaml = Record<string, unknown>;

interface Planned {
  kind: 'Service' | 'ExternalService';
  name: string;
  namespace: string;
  protocol: Protocol;
  port: number;
  /** What this service calls: its dependsOn. */
  calls: Planned[];
  /** What calls this service: the callers its access rules name. */
  callers: Planned[];
  vm: boolean;
  exposed: boolean;
  globalLimit: boolean;
  document?: Yaml;
}

const ref = (target: Planned, fromNamespace: string) => (target.namespace === fromNamespace ? target.name : `${target.namespace}/${target.name}`);
const isL7 = (protocol: Protocol) => protocol !== 'tcp';
const duration = (ms: number) => (ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);
const byKey = (a: Planned, b: Planned) => compare(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`);
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

export function generateMesh(options: GenerateOptions): GeneratedFile[] {
  const random = new Random(options.seed ?? 1);
  const total = Math.max(1, Math.floor(options.services));
  // The reference group counts towards the total; a mesh too small to give each namespace a
  // service besides it (the one-file mesh of the cold-start figures) has none.
  const withReference = total >= NAMESPACES.length + REFERENCE_SERVICE_COUNT;
  const planned = planServices(random, withReference ? total - REFERENCE_SERVICE_COUNT : total);
  const services = planned.filter((s) => s.kind === 'Service');
  wireCalls(random, planned, services);

  const gatewayHosts = new Set<string>();
  for (const service of planned) {
    service.document = service.kind === 'Service' ? serviceDocument(random, service) : externalDocument(random, service);
    if (service.exposed) gatewayHosts.add(exposedHost(service));
  }

  const documentsByNamespace = new Map<string, Yaml[]>();
  for (const service of planned) {
    const list = documentsByNamespace.get(service.namespace) ?? [];
    list.push(service.document!);
    documentsByNamespace.set(service.namespace, list);
  }
  const reference = withReference ? referenceDocuments() : undefined;
  if (reference) {
    documentsByNamespace.set(REFERENCE_NAMESPACE, reference.documents);
    gatewayHosts.add(reference.exposedHost);
  }
  if (gatewayHosts.size > 0) documentsByNamespace.get('platform')?.push(gatewayDocument([...gatewayHosts].sort(compare)));

  const rateLimited = reference ? [REFERENCE_NAMESPACE] : [];
  const files: GeneratedFile[] = [{ path: 'mesh.yaml', text: renderFile('The mesh-wide defaults.', [meshDocument(planned, rateLimited)]) }];
  for (const namespace of [...NAMESPACES, REFERENCE_NAMESPACE]) {
    const documents = documentsByNamespace.get(namespace);
    if (!documents) continue;
    files.push({ path: `${namespace}.yaml`, text: renderFile(`Namespace ${namespace}: ${documents.length} documents.`, documents) });
  }
  return files;
}

/** Names, namespaces, protocols and the rare kinds; namespaces get uneven shares, as teams do. */
function planServices(random: Random, total: number): Planned[] {
  const weights = NAMESPACES.map((namespace) => (namespace === 'platform' ? 1 : 1 + random.next() * 3));
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  const taken = new Map<string, Set<string>>(NAMESPACES.map((namespace) => [namespace, new Set<string>()]));
  const planned: Planned[] = [];

  // The rate-limit service every global limit is counted by: always there, in the platform namespace.
  planned.push(newPlanned('Service', 'ratelimit', 'platform', 'grpc', 8081));
  taken.get('platform')!.add('ratelimit');

  for (let index = 1; index < total; index++) {
    // The first 50 services give every namespace one; the rest follow the namespaces' weights.
    const namespace = index < NAMESPACES.length ? NAMESPACES[index]! : weightedPick(random, weights, weightSum);
    const names = taken.get(namespace)!;
    if (random.chance(0.025)) {
      const vendor = random.pick(VENDORS);
      let name = `${vendor}-api`;
      for (let n = 2; names.has(name); n++) name = `${vendor}-api-${n}`;
      names.add(name);
      planned.push(newPlanned('ExternalService', name, namespace, 'http', 443));
      continue;
    }
    const base = `${random.pick(ENTITIES)}-${random.pick(ROLES)}`;
    let name = base;
    for (let n = 2; names.has(name); n++) name = `${base}-${n}`;
    names.add(name);
    const roll = random.next();
    const protocol: Protocol = roll < 0.7 ? 'http' : roll < 0.9 ? 'grpc' : roll < L7_SHARE ? 'http2' : 'tcp';
    const service = newPlanned('Service', name, namespace, protocol, protocol === 'grpc' ? 9090 : protocol === 'tcp' ? 7000 : 8080);
    service.vm = random.chance(0.025 / 0.975);
    service.exposed = protocol === 'http' && random.chance(0.03);
    planned.push(service);
  }
  return planned;
}

function newPlanned(kind: Planned['kind'], name: string, namespace: string, protocol: Protocol, port: number): Planned {
  return { kind, name, namespace, protocol, port, calls: [], callers: [], vm: false, exposed: false, globalLimit: false };
}

function weightedPick(random: Random, weights: readonly number[], weightSum: number): string {
  let roll = random.next() * weightSum;
  for (let i = 0; i < weights.length; i++) {
    roll -= weights[i]!;
    if (roll < 0) return NAMESPACES[i]!;
  }
  return NAMESPACES[NAMESPACES.length - 1]!;
}

/**
 * Each service is called by 1–5 others (mostly from its own namespace); each external service by
 * 1–3. A candidate caller that already calls MAX_DEPENDENCIES services is passed over.
 */
function wireCalls(random: Random, planned: Planned[], services: Planned[]): void {
  const byNamespace = new Map<string, Planned[]>();
  for (const service of services) {
    const list = byNamespace.get(service.namespace) ?? [];
    list.push(service);
    byNamespace.set(service.namespace, list);
  }
  for (const target of planned) {
    if (target.name === 'ratelimit' && target.namespace === 'platform') continue;
    const wanted = target.kind === 'ExternalService' ? random.int(1, 3) : random.int(1, 5);
    const local = (byNamespace.get(target.namespace) ?? []).filter((s) => s !== target);
    const callers = new Set<Planned>();
    for (let attempt = 0; callers.size < wanted && attempt < wanted * 4; attempt++) {
      const pool = local.length > 0 && random.chance(0.7) ? local : services;
      const caller = random.pick(pool);
      if (caller === target || (caller.name === 'ratelimit' && caller.namespace === 'platform')) continue;
      if (caller.calls.length >= MAX_DEPENDENCIES) continue;
      callers.add(caller);
    }
    for (const caller of callers) {
      target.callers.push(caller);
      caller.calls.push(target);
    }
  }
  for (const service of planned) {
    service.callers.sort(byKey);
    service.calls.sort(byKey);
  }
}

/**
 * Where the application listens: not on its service port, where the Envoy target's sidecar binds
 * 0.0.0.0 (MESH234), so the same mesh compiles for both targets.
 */
function applicationPort(port: number): number {
  return port + 10_000;
}

function serviceDocument(random: Random, service: Planned): Yaml {
  if (service.name === 'ratelimit' && service.namespace === 'platform') return rateLimitServiceDocument(service);
  const l7 = isL7(service.protocol);
  const spec: Yaml = { ports: [{ name: `${service.protocol}-${service.port}`, port: service.port, targetPort: applicationPort(service.port), protocol: service.protocol }] };

  // Canaries, A/B tests and rate limits need HTTP routing, which TCP services (5%) lack; the L7
  // services take their share, so that the mix holds for Services as a whole: 30%, 20% and 10%.
  const hasCanary = l7 && random.chance(0.3 / L7_SHARE);
  const hasAbTest = l7 && random.chance(0.2 / L7_SHARE);
  const versionCount = hasCanary && hasAbTest ? 3 : hasCanary || hasAbTest ? random.int(2, 3) : service.vm ? 1 : random.int(1, 3);
  const versions = Array.from({ length: versionCount }, (_, i) => `v${i + 1}`);
  spec.versions = Object.fromEntries(versions.map((version) => [version, { labels: { app: service.name, version } }]));

  if (service.vm) spec.vms = virtualMachines(random, service);
  if (l7) spec.routes = routes(random, service, versions, hasCanary);

  if (hasCanary) {
    const plan = random.pick(CANARY_PLANS);
    // The canary is the newest version but one when an A/B test needs the newest as its variant.
    const canaryIndex = hasAbTest ? 1 : versionCount - 1;
    spec.canary = { stable: versions[canaryIndex - 1], canary: versions[canaryIndex], weight: random.pick(plan.slice(0, -1)), steps: plan };
  }
  if (hasAbTest) {
    const variant = versions[versionCount - 1]!;
    const cohort =
      service.protocol === 'http' && random.chance(0.5)
        ? { cookie: { name: 'experiment_group', value: `${service.name}-beta` } }
        : { header: { name: 'x-experiment-group', value: { exact: `${service.name}-beta` } } };
    spec.abTest = { name: `${service.name}-${variant}-trial`, cohort, variant, ...(hasCanary ? {} : { control: 'v1' }) };
  }

  const resilience = resilienceFor(random, service);
  if (resilience) spec.resilience = resilience;

  if (l7 && random.chance(0.1 / L7_SHARE)) {
    const requests = random.pick([50, 100, 200, 500, 1000]);
    const rateLimit: Yaml = { local: { requests, per: '1s', burst: requests * 2 } };
    if (random.chance(0.3)) {
      service.globalLimit = true;
      rateLimit.global = {
        descriptors: [
          random.chance(0.5)
            ? { name: 'per-client', key: { remoteAddress: true }, requests: requests * 30, per: 'minute' }
            : { name: 'per-user', key: { header: 'x-user-id' }, requests: requests * 10, per: 'minute' },
        ],
      };
    }
    spec.rateLimit = rateLimit;
  }

  spec.access = { allow: accessRules(random, service) };
  if (service.calls.length > 0) spec.dependsOn = service.calls.map((callee) => ref(callee, service.namespace));
  if (service.exposed) spec.expose = [{ gateway: 'platform/edge-gateway', hosts: [exposedHost(service)], paths: ['/'] }];

  return {
    apiVersion: API_VERSION,
    kind: 'Service',
    metadata: { name: service.name, namespace: service.namespace, labels: { team: service.namespace } },
    spec,
  };
}

/** 1–3 routes with distinct one-segment prefixes (none a prefix of another), then a catch-all. */
function routes(random: Random, service: Planned, versions: readonly string[], hasCanary: boolean): Yaml[] {
  const grpc = service.protocol === 'grpc';
  const resources = random.sample(RESOURCES, random.int(0, 2));
  const list: Yaml[] = [];
  for (const resource of resources) {
    const route: Yaml = { name: resource };
    if (grpc) {
      const method = `${resource[0]!.toUpperCase()}${resource.slice(1)}`;
      route.match = { path: { exact: `/${service.namespace}.v1.${pascal(service.name)}/List${method}` } };
    } else {
      route.match = { path: `/api/${resource}/`, ...(random.chance(0.4) ? { methods: random.chance(0.5) ? ['GET'] : ['GET', 'POST'] } : {}) };
    }
    // A route's own destination would bypass the canary split, so only services without one pin.
    if (!hasCanary && versions.length > 1 && random.chance(0.2)) {
      route.to = random.chance(0.5) ? versions[0] : [{ version: versions[0], weight: 90 }, { version: versions[1], weight: 10 }];
    }
    Object.assign(route, timeouts(random, grpc));
    list.push(route);
  }
  list.push({ name: 'default', ...timeouts(random, grpc) });
  return list;
}

/** Most routes get a timeout and retries that fit inside it, with room for every attempt. */
function timeouts(random: Random, grpc: boolean): Yaml {
  if (random.chance(0.15)) return {};
  const attempts = random.int(1, 3);
  const perTry = random.pick(PER_TRY_TIMEOUTS_MS);
  const timeout = ROUTE_TIMEOUTS_MS.find((ms) => ms >= perTry * (attempts + 1)) ?? ROUTE_TIMEOUTS_MS[ROUTE_TIMEOUTS_MS.length - 1]!;
  return {
    timeout: duration(timeout),
    retries: { attempts, perTryTimeout: duration(perTry), on: random.pick(grpc ? GRPC_RETRY_ON : HTTP_RETRY_ON) },
  };
}

function resilienceFor(random: Random, service: Planned): Yaml | undefined {
  const resilience: Yaml = {};
  if (random.chance(0.6) || service.vm) {
    resilience.outlierDetection = { consecutive5xx: random.pick([3, 5, 7]), interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: random.pick([20, 50, 100]) };
  }
  if (random.chance(0.3)) {
    resilience.circuitBreaker = { maxConnections: random.pick([100, 500, 1000]), maxPendingRequests: random.pick([50, 100, 200]), connectTimeout: random.pick(['1s', '2s']) };
  }
  const roll = random.next();
  if (roll < 0.3) resilience.loadBalancer = 'least-request';
  else if (roll < 0.4) resilience.loadBalancer = 'round-robin';
  // Hashing would pin callers to one VM across regions; VM-backed services fail over instead.
  else if (roll < 0.45 && service.protocol !== 'tcp' && !service.vm) resilience.loadBalancer = { consistentHash: { header: 'x-user-id' } };
  else if (roll < 0.48 && service.protocol === 'http' && !service.vm) resilience.loadBalancer = { consistentHash: { cookie: { name: 'session', ttl: '1h' } } };
  if (service.vm) resilience.localityFailover = [{ from: REGIONS[0]!.region, to: REGIONS[1]!.region }];
  return Object.keys(resilience).length > 0 ? resilience : undefined;
}

/** VMs in two regions, so that failover from the first to the second has somewhere to go. */
function virtualMachines(random: Random, service: Planned): Yaml[] {
  const count = random.int(2, 3);
  const [east, west] = [REGIONS[0]!, REGIONS[1]!];
  return Array.from({ length: count }, (_, i) => {
    const place = i === count - 1 ? west : east;
    return {
      address: `10.${random.int(32, 63)}.${random.int(0, 255)}.${random.int(2, 254)}`,
      labels: { app: service.name, version: 'v1' },
      serviceAccount: service.name,
      network: `dc-${place.region}`,
      locality: `${place.region}/${random.pick(place.zones)}`,
    };
  });
}

function accessRules(random: Random, service: Planned): Yaml[] {
  const rules: Yaml[] = [];
  const l7 = isL7(service.protocol);
  if (service.callers.length > 0) {
    const to: Yaml = { ports: [service.port] };
    if (service.protocol === 'http' && random.chance(0.3)) to.methods = ['GET', 'POST'];
    rules.push({ from: { services: service.callers.map((caller) => ref(caller, service.namespace)) }, to });
  }
  if (service.exposed) rules.push({ from: { serviceAccounts: ['platform/edge-gateway'] }, to: { ports: [service.port] } });
  if (rules.length === 0 || (l7 && random.chance(0.1))) {
    // Platform tooling (the job runner, the admin console) reaches many services by namespace.
    rules.push({ from: { namespaces: ['platform'] }, to: { ports: [service.port] } });
  }
  return rules;
}

/**
 * The reference workloads: one fixed group, written without the random stream, so that it is
 * byte-identical at every size. Its widest workload is, by construction, the largest sidecar a
 * generated mesh can have. A sidecar is its own inbound side plus, for each service it calls
 * (itself included: meshctl lets a service reach itself), that service's clusters (one per version
 * a route sends to), one virtual host (its routes, its names as domains) and, for a TCP port, one
 * listener; nothing else in it depends on the mesh (src/compiler/envoy). So the widest workload
 *   - calls exactly MAX_DEPENDENCIES services besides itself, the most any random service calls;
 *   - itself and each of them carry the most a random callee brings to a caller: HTTP/2 (HTTP/1.1
 *     lacks the clusters' protocol options, gRPC the methods, TCP and external services the routes)
 *     in the caller's own namespace (its bare name is one more domain), three versions with a
 *     canary and an A/B cohort together (a cluster for each version), two prefix routes matching
 *     two methods each (an Envoy route per method) and a default route, every route with a
 *     timeout and retries, a circuit breaker, outlier detection, and three VMs in three localities
 *     of two regions with failover (which weigh more than a hash policy on every route, the
 *     alternative), each at the longest value the random draws take;
 *   - its own inbound side has everything a random service's can: five named callers with
 *     methods, the ingress gateway and the platform namespace as further callers, a local and a
 *     global rate limit (the global one adds the rate-limit service's cluster and virtual host,
 *     which a random service with a global limit has too) and the mesh's error-only access log
 *     (the namespaces of random VMs log every status, a shorter configuration; the reference
 *     namespace keeps the mesh's);
 *   - every name it, its callees and its callers are known by (namespace 19 characters, services
 *     24 to 28) is
 *     longer than any random one (namespaces at most 15 characters, services at most 19 plus a
 *     "-N" suffix that would need millions of services in a namespace to reach that length).
 * A random workload can therefore at most tie with it in clusters (three for itself and for each
 * of MAX_DEPENDENCIES callees, its application's and the rate-limit service's) and stays below it in
 * bytes. (The rate-limit service's own sidecar admits every namespace with a global limit, at most
 * all of them, and calls nothing else: some 21 kB.) bench/envoy-bench.ts measures the largest
 * sidecar of each size, and docs/performance.md records what it found.
 */
export const REFERENCE_NAMESPACE = 'reference-workloads';
export const WIDEST_WORKLOAD = 'widest-reference-workload';
const REFERENCE_CALLEES = Array.from({ length: MAX_DEPENDENCIES }, (_, i) => `widest-workload-dependency-${i + 1}`);
const REFERENCE_CALLERS = Array.from({ length: 5 }, (_, i) => `widest-workload-caller-${i + 1}`);
/** Services the reference group adds to a mesh: the widest workload, its callees and its callers. */
export const REFERENCE_SERVICE_COUNT = 1 + REFERENCE_CALLEES.length + REFERENCE_CALLERS.length;

function referenceDocuments(): { documents: Yaml[]; exposedHost: string } {
  const namespace = REFERENCE_NAMESPACE;
  const port = 8080;
  const application = (protocol: Protocol) => [{ name: `${protocol}-${port}`, port, targetPort: applicationPort(port), protocol }];
  const document = (name: string, spec: Yaml): Yaml => ({ apiVersion: API_VERSION, kind: 'Service', metadata: { name, namespace, labels: { team: namespace } }, spec });
  // The longest renderings the random draws give: 500ms per try (Envoy writes 0.5s), the longest
  // route timeout and retry-on list, three attempts, four- and three-digit breaker limits.
  const timeouts = { timeout: '30s', retries: { attempts: 3, perTryTimeout: '500ms', on: HTTP_RETRY_ON[2] } };
  // HTTP/2 rather than HTTP/1.1: its clusters carry the HTTP/2 protocol options as well, which
  // outweighs what only HTTP/1.1 may have (a cookie instead of a header for the cohort). Backed
  // by three VMs in two regions with failover rather than hashing (a service cannot have both):
  // the VMs' endpoints and localities outweigh the hash policy of every route.
  const widestService = (name: string): Yaml => ({
    ports: application('http2'),
    versions: Object.fromEntries(['v1', 'v2', 'v3'].map((version) => [version, { labels: { app: name, version } }])),
    vms: ['us-east1-b', 'us-east1-c', 'us-west1-a'].map((zone, index) => ({
      address: `10.63.255.${254 - index}`,
      labels: { app: name, version: 'v1' },
      serviceAccount: name,
      network: `dc-${zone.slice(0, -2)}`,
      locality: `${zone.slice(0, -2)}/${zone}`,
    })),
    routes: [
      ...['summaries', 'settings'].map((resource) => ({ name: resource, match: { path: `/api/${resource}/`, methods: ['GET', 'POST'] }, ...timeouts })),
      { name: 'default', ...timeouts },
    ],
    canary: { stable: 'v1', canary: 'v2', weight: 20, steps: CANARY_PLANS[2] },
    abTest: { name: `${name}-v3-trial`, cohort: { header: { name: 'x-experiment-group', value: { exact: `${name}-beta` } } }, variant: 'v3' },
    resilience: {
      outlierDetection: { consecutive5xx: 7, interval: '10s', baseEjectionTime: '30s', maxEjectionPercent: 100 },
      circuitBreaker: { maxConnections: 1000, maxPendingRequests: 200, connectTimeout: '2s' },
      loadBalancer: 'least-request',
      localityFailover: [{ from: REGIONS[0]!.region, to: REGIONS[1]!.region }],
    },
  });
  const host = `${WIDEST_WORKLOAD}.${namespace}.example.com`;
  const widest = document(WIDEST_WORKLOAD, {
    ...widestService(WIDEST_WORKLOAD),
    rateLimit: {
      local: { requests: 1000, per: '1s', burst: 2000 },
      global: { descriptors: [{ name: 'per-user', key: { header: 'x-user-id' }, requests: 10_000, per: 'minute' }] },
    },
    access: {
      allow: [
        { from: { services: REFERENCE_CALLERS }, to: { ports: [port], methods: ['GET', 'POST'] } },
        { from: { serviceAccounts: ['platform/edge-gateway'] }, to: { ports: [port] } },
        { from: { namespaces: ['platform'] }, to: { ports: [port] } },
      ],
    },
    dependsOn: REFERENCE_CALLEES,
    expose: [{ gateway: 'platform/edge-gateway', hosts: [host], paths: ['/'] }],
  });
  const callees = REFERENCE_CALLEES.map((name) => document(name, { ...widestService(name), access: { allow: [{ from: { services: [WIDEST_WORKLOAD] }, to: { ports: [port] } }] } }));
  const callers = REFERENCE_CALLERS.map((name) =>
    document(name, {
      ports: application('http'),
      versions: { v1: { labels: { app: name, version: 'v1' } } },
      access: { allow: [{ from: { namespaces: ['platform'] }, to: { ports: [port] } }] },
      dependsOn: [WIDEST_WORKLOAD],
    }),
  );
  return { documents: [widest, ...callees, ...callers], exposedHost: host };
}

function rateLimitServiceDocument(service: Planned): Yaml {
  return {
    apiVersion: API_VERSION,
    kind: 'Service',
    metadata: { name: service.name, namespace: service.namespace, labels: { team: 'platform' } },
    spec: {
      ports: [{ name: 'grpc', port: service.port, targetPort: applicationPort(service.port), protocol: 'grpc' }],
      resilience: { loadBalancer: 'random' },
      access: { allow: [{ from: { namespaces: [] as string[] }, to: { ports: [service.port] } }] },
      telemetry: { accessLog: { enabled: false } },
    },
  };
}

function externalDocument(random: Random, service: Planned): Yaml {
  const vendor = service.name.replace(/-api(-\d+)?$/, '');
  // Each namespace has its own account (tenant) with the vendor, so hosts never repeat in the mesh.
  const tenant = service.namespace + service.name.slice(`${vendor}-api`.length);
  const host = `${tenant}.api.${vendor}.example.com`;
  return {
    apiVersion: API_VERSION,
    kind: 'ExternalService',
    metadata: { name: service.name, namespace: service.namespace, labels: { vendor } },
    spec: {
      hosts: [host],
      ports: [{ name: 'http', port: 80, targetPort: 443, protocol: 'http' }],
      resolution: 'dns',
      tls: { originate: true, sni: host },
      resilience: {
        circuitBreaker: { maxConnections: random.pick([50, 100, 200]), connectTimeout: '2s' },
        outlierDetection: { consecutiveGatewayErrors: 5, interval: '30s', baseEjectionTime: '1m', maxEjectionPercent: 50 },
      },
    },
  };
}

function gatewayDocument(hosts: string[]): Yaml {
  return {
    apiVersion: API_VERSION,
    kind: 'Gateway',
    metadata: { name: 'edge-gateway', namespace: 'platform' },
    spec: {
      selector: { istio: 'ingressgateway' },
      listeners: [{ name: 'https', port: 443, protocol: 'https', hosts, tls: { mode: 'simple', credentialName: 'edge-gateway-tls' } }],
    },
  };
}

/** `alsoRateLimited`: namespaces outside `planned` with a global rate limit (the reference one). */
function meshDocument(planned: Planned[], alsoRateLimited: readonly string[]): Yaml {
  const limited = [...new Set([...planned.filter((s) => s.globalLimit).map((s) => s.namespace), ...alsoRateLimited])].sort(compare);
  const rateLimit = planned.find((s) => s.name === 'ratelimit' && s.namespace === 'platform');
  if (rateLimit?.document) {
    const allow = ((rateLimit.document.spec as Yaml).access as { allow: { from: { namespaces: string[] } }[] }).allow[0]!;
    // Proxies of services with global limits call it; the platform namespace's own tooling always may.
    allow.from.namespaces = limited.length > 0 ? limited : ['platform'];
  }
  const vmNamespaces = [...new Set(planned.filter((s) => s.vm).map((s) => s.namespace))].sort(compare);
  return {
    apiVersion: API_VERSION,
    kind: 'Mesh',
    metadata: { name: 'synthetic' },
    spec: {
      mtls: 'strict',
      access: 'deny-by-default',
      egress: 'registry-only',
      ...(vmNamespaces.length > 0
        ? { namespaces: Object.fromEntries(vmNamespaces.map((namespace) => [namespace, { telemetry: { accessLog: { enabled: true, format: 'json', errorsOnly: false } } }])) }
        : {}),
      rateLimitService: { service: 'platform/ratelimit', port: 8081, domain: 'synthetic' },
      telemetry: { accessLog: { enabled: true, format: 'json', errorsOnly: true }, tracing: { samplingPercent: 1 } },
    },
  };
}

const exposedHost = (service: Planned) => `${service.name}.${service.namespace}.example.com`;
const pascal = (name: string) => name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());

function renderFile(title: string, documents: readonly Yaml[]): string {
  const header = `# Synthetic mesh. ${title}\n`;
  return header + documents.map((document) => stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })).join('---\n');
}

function parseArguments(argv: readonly string[]): { services: number; seed: number; out: string } {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const [flag, inline] = arg.split('=', 2) as [string, string | undefined];
    if (!['--services', '--seed', '--out'].includes(flag)) throw new Error(`unknown argument "${arg}"; usage: generate-mesh --services N --out DIR [--seed S]`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    values.set(flag, value);
  }
  const services = Number(values.get('--services') ?? '1000');
  const seed = Number(values.get('--seed') ?? '1');
  const out = values.get('--out');
  if (!Number.isInteger(services) || services < 1) throw new Error('--services must be a positive integer');
  if (!Number.isInteger(seed)) throw new Error('--seed must be an integer');
  if (!out) throw new Error('--out DIR is required');
  return { services, seed, out };
}

function main(): void {
  let args;
  try {
    args = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`generate-mesh: ${(error as Error).message}\n`);
    process.exit(2);
  }
  const files = generateMesh({ services: args.services, seed: args.seed });
  mkdirSync(args.out, { recursive: true });
  let bytes = 0;
  for (const file of files) {
    writeFileSync(path.join(args.out, file.path), file.text);
    bytes += Buffer.byteLength(file.text);
  }
  process.stdout.write(`${files.length} files, ${(bytes / 1048576).toFixed(2)} MB, ${args.services} services (seed ${args.seed}) in ${args.out}\n`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) main();
