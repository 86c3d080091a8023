// The mTLS mode and access default that actually apply to a service (and to each of its ports),
// resolved through the layers a mesh file can set them in: port, service, namespace, mesh. Rules
// use it to judge access rules against the transport they run on; the compiler uses it to emit
// PeerAuthentication and the default AuthorizationPolicy.
import type { Location, PathSegment } from '../diagnostics/types.js';
import type { MeshModel, MeshNode, ServiceNode } from './mesh-model.js';

export type MtlsMode = 'strict' | 'permissive' | 'disabled';
export type AccessDefault = 'allow-by-default' | 'deny-by-default';

/** Where an effective value was decided; `built-in` means nothing in the mesh files sets it. */
export type PolicyLayer = 'port' | 'service' | 'namespace' | 'mesh' | 'built-in';

export interface EffectiveValue<T extends string> {
  readonly value: T;
  readonly layer: PolicyLayer;
  /** The node that sets the value, when it is written in a mesh file. */
  readonly location?: Location;
}

/** A port key of `spec.mtls.ports` as a port number, or undefined when it is not one. */
export function parsePortKey(key: string): number | undefined {
  if (!/^[0-9]{1,5}$/.test(key)) return undefined;
  const port = Number(key);
  return port >= 1 && port <= 65535 ? port : undefined;
}

/** The service's own mTLS mode (`spec.mtls` or `spec.mtls.mode`), if it sets one. */
function serviceMtls(service: ServiceNode): EffectiveValue<MtlsMode> | undefined {
  const setting = service.resource.spec.mtls;
  if (setting === undefined) return undefined;
  if (typeof setting === 'string') return { value: setting, layer: 'service', location: service.at('spec', 'mtls') };
  return { value: setting.mode, layer: 'service', location: service.at('spec', 'mtls', 'mode') };
}

/** The mTLS mode a namespace's workloads get unless a service says otherwise. */
export function namespaceMtlsMode(model: MeshModel, namespace: string): EffectiveValue<MtlsMode> {
  const fromNamespace = model.settings.namespaces?.[namespace]?.mtls;
  if (fromNamespace !== undefined) return { value: fromNamespace, layer: 'namespace', ...meshLocation(model.mesh, 'spec', 'namespaces', namespace, 'mtls') };
  return meshValue(model.mesh, model.settings.mtls, 'mtls');
}

/**
 * The mTLS mode of a service, or of one of its ports when `port` is given: the port override in
 * `spec.mtls.ports`, else the service's mode, else its namespace's, else the mesh's.
 */
export function effectiveMtlsMode(model: MeshModel, service: ServiceNode, port?: number): EffectiveValue<MtlsMode> {
  const setting = service.resource.spec.mtls;
  if (port !== undefined && setting !== undefined && typeof setting !== 'string') {
    for (const [key, mode] of Object.entries(setting.ports ?? {})) {
      if (parsePortKey(key) === port) return { value: mode, layer: 'port', location: service.at('spec', 'mtls', 'ports', key) };
    }
  }
  return serviceMtls(service) ?? namespaceMtlsMode(model, service.namespace);
}

/**
 * The mTLS mode of each port a request can arrive on: the given ports, or every port the service
 * declares. Keyed by port number, in ascending order.
 */
export function effectiveMtlsModes(model: MeshModel, service: ServiceNode, ports?: readonly number[]): Map<number, EffectiveValue<MtlsMode>> {
  const selected = ports && ports.length > 0 ? ports : service.resource.spec.ports.map((p) => p.port);
  const modes = new Map<number, EffectiveValue<MtlsMode>>();
  for (const port of [...new Set(selected)].sort((a, b) => a - b)) modes.set(port, effectiveMtlsMode(model, service, port));
  return modes;
}

/** Whether requests the service does not explicitly allow are refused: the namespace's default, else the mesh's. */
export function effectiveAccessDefault(model: MeshModel, namespace: string): EffectiveValue<AccessDefault> {
  const fromNamespace = model.settings.namespaces?.[namespace]?.access;
  if (fromNamespace !== undefined) return { value: fromNamespace, layer: 'namespace', ...meshLocation(model.mesh, 'spec', 'namespaces', namespace, 'access') };
  return meshValue(model.mesh, model.settings.access, 'access');
}

/** Mesh-wide settings that compile to objects in Istio's root namespace, which apply to every namespace. */
export type MeshWideSetting = 'mtls' | 'access' | 'egress' | 'telemetry';

/**
 * Whether the Mesh document writes the mesh-wide setting itself. Only then does meshctl write the
 * mesh-wide object for it: a mesh that declares namespaces alone (a team managing its own) must not
 * replace the platform's mesh-wide policy with meshctl's built-in defaults.
 */
export function declaresMeshWide(mesh: MeshNode | undefined, setting: MeshWideSetting): boolean {
  return mesh !== undefined && isWritten(mesh.document.value, ['spec', setting]);
}

/** A mesh-wide setting: from the Mesh document when it writes the field, else the built-in default. */
function meshValue<T extends string>(mesh: MeshNode | undefined, value: T, field: string): EffectiveValue<T> {
  if (mesh && isWritten(mesh.document.value, ['spec', field])) return { value, layer: 'mesh', location: mesh.at('spec', field) };
  return { value, layer: 'built-in' };
}

function meshLocation(mesh: MeshNode | undefined, ...path: PathSegment[]): { location?: Location } {
  return mesh ? { location: mesh.at(...path) } : {};
}

/** Whether the raw document spells out the field, as opposed to the schema filling in a default. */
function isWritten(value: unknown, path: readonly string[]): boolean {
  let node = value;
  for (const segment of path) {
    if (node === null || typeof node !== 'object' || Array.isArray(node) || !Object.hasOwn(node, segment)) return false;
    node = (node as Record<string, unknown>)[segment];
  }
  return true;
}
