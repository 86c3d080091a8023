// Where each proxy listens and where each workload is, for plain Envoy without a control plane:
// nothing captures traffic and nothing discovers endpoints, so the mesh files say it (Mesh
// `envoy` defaults, a service's and a version's `envoy` and `endpoints`) and this module resolves
// the layers once: version, then service, then mesh, then the built-in defaults.
import { isIP } from 'node:net';
import { compareStrings } from '../../diagnostics/types.js';
import { portName } from '../../model/names.js';
import type { ExternalServiceNode, GatewayNode, MeshModel, ServiceNode } from '../../model/mesh-model.js';
import type { ServicePortT } from '../../schema/resources.js';
import { serviceAccountsOf } from '../../model/workload-identity.js';

export const DEFAULT_CLUSTER_DOMAIN = 'cluster.local';
export const DEFAULT_INBOUND_ADDRESS = '0.0.0.0';
export const DEFAULT_OUTBOUND_PORT = 15001;
export const DEFAULT_ADMIN_PORT = 15000;
export const DEFAULT_CERTIFICATES: Certificates = {
  certChain: '/etc/meshctl/certs/cert-chain.pem',
  privateKey: '/etc/meshctl/certs/key.pem',
  trustedCa: '/etc/meshctl/certs/root-cert.pem',
};
export const DEFAULT_GATEWAY_CREDENTIALS = '/etc/meshctl/gateway-credentials';
/** The CA bundle external services' and JWKS servers' certificates are checked against. */
export const DEFAULT_EXTERNAL_CA = '/etc/ssl/certs/ca-certificates.crt';
/** The application, as its sidecar reaches it. */
export const LOCAL_APP_ADDRESS = '127.0.0.1';
export const LOOPBACK = '127.0.0.1';

export interface EnvoyCompileOptions {
  /**
   * Replaces every certificate path of the mesh: <dir>/cert-chain.pem, <dir>/key.pem,
   * <dir>/root-cert.pem (also the external CA), and gateway credentials <dir>/<credentialName>/...
   * For trying a mesh's configuration with one set of test certificates.
   */
  readonly certificateDirectory?: string;
}

export interface Certificates {
  readonly certChain: string;
  readonly privateKey: string;
  readonly trustedCa: string;
}

/** Mesh-wide settings of the Envoy target, defaults applied. */
export interface MeshProxySettings {
  readonly trustDomain: string;
  readonly clusterDomain: string;
  readonly inboundAddress: string;
  readonly outboundPort: number;
  readonly adminPort: number;
  readonly certificates: Certificates;
  readonly gatewayCredentials: string;
  readonly externalCa: string;
}

export function meshProxySettings(model: MeshModel, options: EnvoyCompileOptions): MeshProxySettings {
  const envoy = model.settings.envoy;
  const dir = options.certificateDirectory;
  return {
    trustDomain: model.settings.trustDomain,
    clusterDomain: envoy?.clusterDomain ?? DEFAULT_CLUSTER_DOMAIN,
    inboundAddress: envoy?.inboundAddress ?? DEFAULT_INBOUND_ADDRESS,
    outboundPort: envoy?.outboundPort ?? DEFAULT_OUTBOUND_PORT,
    adminPort: envoy?.adminPort ?? DEFAULT_ADMIN_PORT,
    certificates: dir ? certificatesIn(dir) : { ...DEFAULT_CERTIFICATES, ...definedFields(envoy?.certificates) },
    gatewayCredentials: dir ?? envoy?.gatewayCredentials ?? DEFAULT_GATEWAY_CREDENTIALS,
    externalCa: dir ? certificatesIn(dir).trustedCa : envoy?.externalCa ?? DEFAULT_EXTERNAL_CA,
  };
}

function certificatesIn(dir: string): Certificates {
  const join = (file: string) => `${dir.replace(/\/+$/, '')}/${file}`;
  return { certChain: join('cert-chain.pem'), privateKey: join('key.pem'), trustedCa: join('root-cert.pem') };
}

function definedFields<T extends object>(value: T | undefined): Partial<T> {
  if (!value) return {};
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as Partial<T>;
}

/** One workload: a version of a service, or the whole service when it has no versions. */
export interface Workload {
  readonly service: ServiceNode;
  readonly version?: string;
  /** The workload's pod labels: the service's selector plus the version's labels. */
  readonly labels: Readonly<Record<string, string>>;
}

export function workloadsOf(service: ServiceNode): Workload[] {
  const selector = service.resource.spec.selector ?? { app: service.name };
  const versions = service.resource.spec.versions;
  if (!versions || Object.keys(versions).length === 0) return [{ service, labels: { ...selector } }];
  return Object.keys(versions)
    .sort(compareStrings)
    .map((version) => ({ service, version, labels: { ...selector, ...versions[version]!.labels } }));
}

/** A sidecar's resolved settings. */
export interface SidecarSettings {
  readonly inboundAddress: string;
  readonly outboundPort: number;
  readonly adminPort: number;
  readonly certificates: Certificates;
  /** The sidecar's inbound listener port for a service port. */
  inboundPort(port: ServicePortT): number;
}

export function sidecarSettings(mesh: MeshProxySettings, service: ServiceNode, version: string | undefined, options: EnvoyCompileOptions): SidecarSettings {
  const serviceLevel = service.resource.spec.envoy;
  const versionLevel = version !== undefined ? service.resource.spec.versions?.[version]?.envoy : undefined;
  const certificates = options.certificateDirectory
    ? mesh.certificates
    : { ...mesh.certificates, ...definedFields(serviceLevel?.certificates), ...definedFields(versionLevel?.certificates) };
  return {
    inboundAddress: mesh.inboundAddress,
    outboundPort: versionLevel?.outboundPort ?? serviceLevel?.outboundPort ?? mesh.outboundPort,
    adminPort: versionLevel?.adminPort ?? serviceLevel?.adminPort ?? mesh.adminPort,
    certificates,
    inboundPort: (port) => inboundPortOf(service, version, port),
  };
}

/** The port the sidecar of a workload accepts a service port's connections on. */
export function inboundPortOf(service: ServiceNode, version: string | undefined, port: ServicePortT): number {
  const name = portName(port);
  const versionLevel = version !== undefined ? service.resource.spec.versions?.[version]?.envoy : undefined;
  return versionLevel?.inboundPorts?.[name] ?? service.resource.spec.envoy?.inboundPorts?.[name] ?? port.port;
}

/** The port the application behind a sidecar listens on (127.0.0.1) for a service port. */
export function localAppPort(port: ServicePortT): number {
  return port.targetPort ?? port.port;
}

/** A port a sidecar's outbound TCP listeners leave alone, and what holds it. */
export type ReservedPort =
  | { readonly port: number; readonly by: 'outbound' | 'admin' }
  | {
      readonly port: number;
      readonly by: 'inbound' | 'application';
      /** The service port (its index in spec.ports) the inbound listener or application socket serves. */
      readonly portIndex: number;
    };

/**
 * The ports no outbound TCP listener of a workload's sidecar may take, in the order they are
 * claimed: the sidecar's own listeners (outbound, admin, inbound), then its application's sockets.
 * The application's count too: with the sidecar moved off a service port (envoy.inboundPorts), the
 * application still listens there, and a listener on it could not bind.
 */
export function reservedPorts(service: ServiceNode, sidecar: SidecarSettings): ReservedPort[] {
  const ports = service.resource.spec.ports;
  return [
    { port: sidecar.outboundPort, by: 'outbound' },
    { port: sidecar.adminPort, by: 'admin' },
    ...ports.map((port, portIndex): ReservedPort => ({ port: sidecar.inboundPort(port), by: 'inbound', portIndex })),
    ...ports.map((port, portIndex): ReservedPort => ({ port: localAppPort(port), by: 'application', portIndex })),
  ];
}

export interface GatewaySettings {
  readonly address: string;
  readonly adminPort: number;
  readonly certificates: Certificates;
}

export function gatewaySettings(mesh: MeshProxySettings, gateway: GatewayNode, options: EnvoyCompileOptions): GatewaySettings {
  const envoy = gateway.resource.spec.envoy;
  return {
    address: envoy?.address ?? DEFAULT_INBOUND_ADDRESS,
    adminPort: envoy?.adminPort ?? mesh.adminPort,
    certificates: options.certificateDirectory ? mesh.certificates : { ...mesh.certificates, ...definedFields(envoy?.certificates) },
  };
}

/** One address a cluster sends to. */
export interface UpstreamEndpoint {
  readonly address: string;
  readonly port: number;
  readonly locality?: string;
}

/** The in-mesh host name of a service: reviews.storefront.svc.cluster.local. */
export function meshHost(service: Pick<ServiceNode, 'name' | 'namespace'>, clusterDomain: string): string {
  return `${service.name}.${service.namespace}.svc.${clusterDomain}`;
}

/**
 * The instances of a service (one version, or every version when `version` is undefined) for one
 * of its ports: the version's endpoints, else the service's, else the VMs its labels select, else
 * the DNS name of the version's (or service's) Kubernetes Service.
 */
export function serviceEndpoints(mesh: MeshProxySettings, service: ServiceNode, version: string | undefined, port: ServicePortT): UpstreamEndpoint[] {
  const versions = Object.keys(service.resource.spec.versions ?? {}).sort(compareStrings);
  if (version === undefined && versions.length > 0) {
    const all = versions.flatMap((each) => serviceEndpoints(mesh, service, each, port));
    const seen = new Set<string>();
    return all.filter((endpoint) => {
      const key = `${endpoint.address}:${endpoint.port}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  }
  const name = portName(port);
  const inbound = inboundPortOf(service, version, port);
  const spec = service.resource.spec;
  const written = (version !== undefined ? spec.versions?.[version]?.endpoints : undefined) ?? spec.endpoints;
  if (written) return written.map((endpoint) => ({ address: endpoint.address, port: endpoint.ports?.[name] ?? inbound }));
  const labels = version !== undefined ? spec.versions?.[version]?.labels ?? {} : {};
  const vms = (spec.vms ?? []).filter((vm) => Object.entries(labels).every(([key, value]) => vm.labels?.[key] === value));
  if (vms.length > 0) return vms.map((vm) => ({ address: vm.address, port: inbound, ...(vm.locality !== undefined ? { locality: vm.locality } : {}) }));
  const host = version !== undefined ? `${service.name}-${version}.${service.namespace}.svc.${mesh.clusterDomain}` : meshHost(service, mesh.clusterDomain);
  return [{ address: host, port: inbound }];
}

/** An external service's addresses for one of its ports: its endpoints, else its hosts (resolved by DNS). */
export function externalEndpoints(external: ExternalServiceNode, port: ServicePortT): UpstreamEndpoint[] {
  const spec = external.resource.spec;
  const target = port.targetPort ?? port.port;
  if (spec.endpoints?.length && spec.resolution !== 'dns') {
    return spec.endpoints.map((endpoint) => ({
      address: endpoint.address,
      port: endpoint.ports?.[portName(port)] ?? target,
      ...(endpoint.locality !== undefined ? { locality: endpoint.locality } : {}),
    }));
  }
  return [...new Set(spec.hosts)].filter((host) => !host.includes('*')).map((host) => ({ address: host, port: target }));
}

export function isIpAddress(address: string): boolean {
  return isIP(address) !== 0;
}

/** The SPIFFE identities a service's workloads present. */
export function spiffeIds(trustDomain: string, service: ServiceNode): string[] {
  return serviceAccountsOf(service).map((account) => spiffeId(trustDomain, service.namespace, account));
}

export function spiffeId(trustDomain: string, namespace: string, serviceAccount: string): string {
  return `spiffe://${trustDomain}/ns/${namespace}/sa/${serviceAccount}`;
}
