// Istio and Kubernetes objects -> mesh documents, and what could not be carried. Pure: the same
// objects give the same documents and findings, in the same order. The steps run in the order the
// objects depend on each other: services (Kubernetes Services, Deployments, VMs, external services,
// versions) before the routes that name them, routes before the gateway routes that repeat them,
// request authentication before the DENY rule that makes it required.
import { API_VERSION } from '../schema/resources.js';
import type { ImportFinding } from './findings.js';
import { importIngressVirtualServices } from './ingress.js';
import { ImportContext, ROOT_NAMESPACE } from './model.js';
import type { InputObject } from './read-objects.js';
import { importMeshVirtualServices } from './routes.js';
import { importRateLimitFilters } from './rate-limits.js';
import { importAuthorizationPolicies, importPeerAuthentications, importRequestAuthentications, importSidecars, importTelemetry } from './security.js';
import { isRecord } from './values.js';
import { importDestinationRules, importGateways, importKubernetesServices, importNamespaces, importServiceEntries, importWorkloadEntries, qualifyHost } from './workloads.js';
import { sortedRecord } from '../common/sorted-record.js';
import { compareStrings } from '../diagnostics/types.js';

/** Istio kinds the importer reads. */
export const ISTIO_KINDS = ['VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'PeerAuthentication', 'RequestAuthentication', 'ServiceEntry', 'WorkloadEntry', 'Gateway', 'Sidecar', 'Telemetry', 'EnvoyFilter'] as const;
/** Kubernetes kinds that give services their ports, versions, identities and namespaces. */
const KUBERNETES_KINDS = ['Service', 'Deployment', 'Namespace', 'ConfigMap'];
/** Kubernetes kinds that carry nothing a mesh file says (a deployment's runtime objects). */
const CONTEXT_KINDS = new Set(['Pod', 'ServiceAccount', 'Secret', 'ReplicaSet', 'Endpoints', 'EndpointSlice']);

export interface ImportedFile {
  /** Relative path in the output directory, e.g. storefront/reviews.yaml. */
  readonly path: string;
  readonly documents: Record<string, unknown>[];
}

export interface ObjectOutcome {
  readonly key: string;
  readonly kind: string;
  /** whole: no finding; partly: some warnings or notes; not: left out (an error, or nothing carried). */
  readonly outcome: 'whole' | 'partly' | 'not';
}

export interface ImportResult {
  readonly files: ImportedFile[];
  readonly findings: ImportFinding[];
  readonly objects: ObjectOutcome[];
}

const SERVICE_ORDER = ['selector', 'serviceAccount', 'ports', 'versions', 'vms', 'routes', 'canary', 'abTest', 'resilience', 'rateLimit', 'access', 'authentication', 'mtls', 'telemetry', 'dependsOn', 'expose'];

function ordered(spec: Record<string, unknown>, order: readonly string[]): Record<string, unknown> {
  const keys = [...order.filter((k) => k in spec), ...Object.keys(spec).filter((k) => !order.includes(k)).sort(compareStrings)];
  return Object.fromEntries(keys.map((k) => [k, spec[k]]));
}

function httpHostsOf(objects: readonly InputObject[]): Set<string> {
  const hosts = new Set<string>();
  for (const object of objects) {
    if (object.kind !== 'VirtualService' || !Array.isArray(object.spec.http)) continue;
    for (const host of Array.isArray(object.spec.hosts) ? object.spec.hosts : []) hosts.add(qualifyHost(String(host), object.namespace));
    for (const route of object.spec.http) {
      for (const item of isRecord(route) && Array.isArray(route.route) ? route.route : []) {
        if (isRecord(item) && isRecord(item.destination) && typeof item.destination.host === 'string') hosts.add(qualifyHost(item.destination.host, object.namespace));
      }
    }
  }
  return hosts;
}

export function importMesh(input: readonly InputObject[]): ImportResult {
  const context = new ImportContext();
  const objects = [...input].sort((a, b) => compareStrings(a.key, b.key));
  const considered: InputObject[] = [];
  for (const object of objects) {
    const istio = /\.istio\.io\//.test(object.apiVersion);
    if (istio && (ISTIO_KINDS as readonly string[]).includes(object.kind)) considered.push(object);
    else if (!istio && KUBERNETES_KINDS.includes(object.kind)) considered.push(object);
    else if (!istio && CONTEXT_KINDS.has(object.kind)) continue;
    else context.report('unsupportedKind', {}, object, ['kind']);
  }
  const gatewaySelectors = considered.filter((o) => o.kind === 'Gateway' && isRecord(o.spec.selector)).map((o) => o.spec.selector as Record<string, string>);

  importNamespaces(context, considered);
  importKubernetesServices(context, considered, gatewaySelectors, httpHostsOf(considered));
  importWorkloadEntries(context, considered);
  importServiceEntries(context, considered);
  importGateways(context, considered);
  importDestinationRules(context, considered);
  const ingress = importMeshVirtualServices(context, considered);
  importIngressVirtualServices(context, ingress);
  importRequestAuthentications(context, considered);
  importAuthorizationPolicies(context, considered, gatewaySelectors);
  importPeerAuthentications(context, considered);
  importSidecars(context, considered);
  importTelemetry(context, considered);
  importRateLimitFilters(context, considered);

  const files = meshFiles(context);
  // ConfigMaps count only as the rate-limit service's configuration.
  const counted = considered.filter((object) => object.kind !== 'ConfigMap' || object.name.endsWith('-ratelimit-config'));
  const findingsOf = new Map<string, ImportFinding[]>();
  for (const finding of context.findings) findingsOf.set(finding.objectKey, [...(findingsOf.get(finding.objectKey) ?? []), finding]);
  const outcomes: ObjectOutcome[] = counted.map((object) => {
    const own = findingsOf.get(object.key) ?? [];
    const outcome = own.length === 0 ? 'whole' : own.some((f) => f.dropsObject || f.level === 'error') ? 'not' : 'partly';
    return { key: object.key, kind: object.kind, outcome };
  });
  return { files, findings: context.findings, objects: outcomes };
}

function meshFiles(context: ImportContext): ImportedFile[] {
  const files: ImportedFile[] = [];
  const meshSpec: Record<string, unknown> = { ...context.mesh };
  if (context.trustDomain !== undefined && context.trustDomain !== 'cluster.local') meshSpec.trustDomain = context.trustDomain;
  const namespaces = [...context.namespaceSettings].filter(([name, settings]) => name !== ROOT_NAMESPACE && Object.keys(settings).length > 0).sort(([a], [b]) => compareStrings(a, b));
  if (namespaces.length > 0) meshSpec.namespaces = Object.fromEntries(namespaces.map(([name, settings]) => [name, ordered(settings, ['mtls', 'access', 'egress', 'injection', 'telemetry'])]));
  if (isRecord(meshSpec.jwtProviders)) {
    if (Object.keys(meshSpec.jwtProviders).length === 0) delete meshSpec.jwtProviders;
    else meshSpec.jwtProviders = sortedRecord(meshSpec.jwtProviders);
  }
  if (Object.keys(meshSpec).length > 0) {
    files.push({ path: 'mesh.yaml', documents: [{ apiVersion: API_VERSION, kind: 'Mesh', metadata: { name: 'mesh' }, spec: ordered(meshSpec, ['mtls', 'access', 'egress', 'trustDomain', 'namespaces', 'jwtProviders', 'rateLimitService', 'telemetry']) }] });
  }
  const metadata = (name: string, namespace: string) => ({ name, namespace });
  for (const service of [...context.services.values()].sort((a, b) => compareStrings(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`))) {
    files.push({ path: `${service.namespace}/${service.name}.yaml`, documents: [{ apiVersion: API_VERSION, kind: 'Service', metadata: metadata(service.name, service.namespace), spec: ordered(service.spec, SERVICE_ORDER) }] });
  }
  for (const external of [...context.externals.values()].sort((a, b) => compareStrings(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`))) {
    files.push({ path: `${external.namespace}/${external.name}.external.yaml`, documents: [{ apiVersion: API_VERSION, kind: 'ExternalService', metadata: metadata(external.name, external.namespace), spec: ordered(external.spec, ['hosts', 'ports', 'resolution', 'endpoints', 'tls', 'resilience']) }] });
  }
  for (const gateway of [...context.gateways.values()].sort((a, b) => compareStrings(`${a.namespace}/${a.name}`, `${b.namespace}/${b.name}`))) {
    files.push({ path: `${gateway.namespace}/${gateway.name}.gateway.yaml`, documents: [{ apiVersion: API_VERSION, kind: 'Gateway', metadata: metadata(gateway.name, gateway.namespace), spec: ordered(gateway.spec, ['selector', 'listeners']) }] });
  }
  return files;
}
