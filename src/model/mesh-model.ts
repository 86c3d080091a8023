// The mesh as one resolved graph (the IR): every valid document, indexed by kind and name, with
// mesh and namespace defaults applied and a way back to the source of every node. Semantic rules
// read it; the emitters will compile it.
import type { Location, PathSegment } from '../diagnostics/types.js';
import { compareStrings } from '../diagnostics/types.js';
import type { SourceDocument } from '../loader/source-file.js';
import type {
  ExternalServiceResourceT,
  GatewayResourceT,
  MeshResourceT,
  ServiceResourceT,
} from '../schema/resources.js';
import { MeshSpec } from '../schema/resources.js';

export const DEFAULT_NAMESPACE = 'default';

/**
 * Where a node's document is in its file. Not its parsed value: the node's resource is the checked
 * copy, and the parsed one is left to the loader, so that a caller done with the loaded mesh can let
 * it go (for a large mesh, a large share of the memory) while the model lives on.
 */
export type DocumentPlace = Pick<SourceDocument, 'file' | 'index' | 'startOffset' | 'endOffset' | 'firstLine'>;

interface NodeBase {
  /** `namespace/name`: unique per kind group (services and external services share one). */
  readonly key: string;
  readonly name: string;
  readonly namespace: string;
  readonly document: DocumentPlace;
  /** The location of a node inside this document, e.g. at('spec', 'routes', 0). */
  at(...path: PathSegment[]): Location;
  /** The location of a mapping key rather than its value. */
  keyAt(...path: PathSegment[]): Location;
}

export interface ServiceNode extends NodeBase {
  readonly kind: 'Service';
  readonly resource: ServiceResourceT;
}

export interface ExternalServiceNode extends NodeBase {
  readonly kind: 'ExternalService';
  readonly resource: ExternalServiceResourceT;
}

export interface GatewayNode extends NodeBase {
  readonly kind: 'Gateway';
  readonly resource: GatewayResourceT;
}

export interface MeshNode {
  readonly kind: 'Mesh';
  readonly name: string;
  readonly resource: MeshResourceT;
  /** With its parsed value: what the author wrote, not the defaults, decides some settings' layer. */
  readonly document: SourceDocument;
  at(...path: PathSegment[]): Location;
  keyAt(...path: PathSegment[]): Location;
}

export type AnyNode = ServiceNode | ExternalServiceNode | GatewayNode | MeshNode;
export type Destination = ServiceNode | ExternalServiceNode;

export type ValidResource = MeshResourceT | ServiceResourceT | ExternalServiceResourceT | GatewayResourceT;

export interface TypedDocument {
  document: SourceDocument;
  resource: ValidResource;
}

/** A document that failed the schema but whose kind and name could be read. */
export interface NamedInvalidDocument {
  kind: string;
  key: string;
}

export interface MeshModel {
  /** The first Mesh document; later ones are duplicates (reported by a rule). */
  readonly mesh?: MeshNode;
  readonly meshes: readonly MeshNode[];
  /** Mesh-wide settings with defaults applied, also when no Mesh document exists. */
  readonly settings: MeshResourceT['spec'];
  readonly services: readonly ServiceNode[];
  readonly externalServices: readonly ExternalServiceNode[];
  readonly gateways: readonly GatewayNode[];
  /** Names of documents that exist but failed the schema: references to them are not "unresolved". */
  readonly invalidKeys: ReadonlySet<string>;
  /** Every namespace the mesh knows: declared in the Mesh, or holding a service or gateway. */
  readonly namespaces: ReadonlySet<string>;
  findDestination(ref: string, fromNamespace: string): Destination | undefined;
  findService(ref: string, fromNamespace: string): ServiceNode | undefined;
  findGateway(ref: string, fromNamespace: string): GatewayNode | undefined;
  /** True when the reference names a document that exists but is invalid. */
  isKnownInvalid(ref: string, fromNamespace: string, kind?: string): boolean;
}

/** `name` or `namespace/name` to `namespace/name`. */
export function qualify(ref: string, fromNamespace: string): string {
  return ref.includes('/') ? ref : `${fromNamespace}/${ref}`;
}

function locator(document: DocumentPlace) {
  return {
    at: (...path: PathSegment[]): Location => ({ node: { file: document.file, document: document.index, path } }),
    keyAt: (...path: PathSegment[]): Location => ({ node: { file: document.file, document: document.index, path, part: 'key' } }),
  };
}

export function buildMeshModel(documents: readonly TypedDocument[], invalid: readonly NamedInvalidDocument[] = []): MeshModel {
  const meshes: MeshNode[] = [];
  const services: ServiceNode[] = [];
  const externalServices: ExternalServiceNode[] = [];
  const gateways: GatewayNode[] = [];

  for (const { document, resource } of documents) {
    if (resource.kind === 'Mesh') {
      meshes.push({ kind: 'Mesh', name: resource.metadata.name, resource, document, ...locator(document) });
      continue;
    }
    const namespace = resource.metadata.namespace ?? DEFAULT_NAMESPACE;
    const place: DocumentPlace = { file: document.file, index: document.index, startOffset: document.startOffset, endOffset: document.endOffset, firstLine: document.firstLine };
    const base = { key: `${namespace}/${resource.metadata.name}`, name: resource.metadata.name, namespace, document: place, ...locator(place) };
    if (resource.kind === 'Service') services.push({ ...base, kind: 'Service', resource });
    else if (resource.kind === 'ExternalService') externalServices.push({ ...base, kind: 'ExternalService', resource });
    else gateways.push({ ...base, kind: 'Gateway', resource });
  }

  const byKey = <T extends NodeBase>(nodes: T[]) => {
    const index = new Map<string, T>();
    for (const node of nodes) if (!index.has(node.key)) index.set(node.key, node);
    return index;
  };
  const serviceIndex = byKey(services);
  const externalIndex = byKey(externalServices);
  const gatewayIndex = byKey(gateways);
  const invalidKeys = new Set(invalid.map((entry) => `${entry.kind}:${entry.key}`));

  // Rules and emitters resolve the same references many times over (a dependsOn entry, a route's
  // destination): each (namespace, reference) is qualified and looked up once. The reference
  // strings are the parsed document's own, so the inner lookup hashes no new string.
  const destinations = new Map<string, Map<string, Destination | null>>();
  const findDestination = (ref: string, from: string): Destination | undefined => {
    let byRef = destinations.get(from);
    if (byRef === undefined) destinations.set(from, (byRef = new Map()));
    let found = byRef.get(ref);
    if (found === undefined) {
      const key = qualify(ref, from);
      found = serviceIndex.get(key) ?? externalIndex.get(key) ?? null;
      byRef.set(ref, found);
    }
    return found ?? undefined;
  };

  const mesh = meshes[0];
  const settings = mesh?.resource.spec ?? MeshSpec.parse({});
  const namespaces = new Set<string>([
    ...Object.keys(settings.namespaces ?? {}),
    ...services.map((s) => s.namespace),
    ...externalServices.map((s) => s.namespace),
    ...gateways.map((g) => g.namespace),
  ]);

  return {
    mesh,
    meshes,
    settings,
    services: services.sort(byNodeKey),
    externalServices: externalServices.sort(byNodeKey),
    gateways: gateways.sort(byNodeKey),
    invalidKeys: new Set([...invalidKeys].map((key) => key.slice(key.indexOf(':') + 1))),
    namespaces,
    findDestination,
    // A key names a service before an external service (findDestination's order), so the
    // destination found is the service exactly when there is one.
    findService: (ref, from) => {
      const destination = findDestination(ref, from);
      return destination?.kind === 'Service' ? destination : undefined;
    },
    findGateway: (ref, from) => gatewayIndex.get(qualify(ref, from)),
    isKnownInvalid: (ref, from, kind) =>
      kind ? invalidKeys.has(`${kind}:${qualify(ref, from)}`) : [...invalidKeys].some((key) => key.endsWith(`:${qualify(ref, from)}`)),
  };
}

function byNodeKey(a: NodeBase, b: NodeBase): number {
  return compareStrings(a.key, b.key) || compareStrings(a.document.file, b.document.file) || a.document.index - b.document.index;
}
