// Resolving `name` / `namespace/name` references for diagnostics: what a reference names, and,
// when it names nothing, the nearest thing it could have meant. A reference to a document that
// exists but failed the schema resolves to `invalid`, so rules stay quiet about it: the schema
// diagnostic already says what to fix.
import { compareStrings } from '../diagnostics/types.js';
import type { Destination, GatewayNode, MeshModel, ServiceNode } from './mesh-model.js';
import { NameSuggester } from '../common/suggest.js';

type ReferenceTarget = 'Service' | 'ExternalService' | 'Gateway';

interface Named {
  readonly name: string;
  readonly namespace: string;
}

export type Resolution<T> =
  | { readonly status: 'found'; readonly node: T }
  | { readonly status: 'invalid' }
  | { readonly status: 'malformed' }
  | { readonly status: 'missing'; hint(): string };

/** True when the text has the shape of a reference: `name` or `namespace/name`. */
export function isWellFormedReference(ref: string): boolean {
  // Checked for every reference of every rule: without splitting the text into an array.
  const slash = ref.indexOf('/');
  if (slash === -1) return ref.length > 0;
  return slash > 0 && slash < ref.length - 1 && ref.indexOf('/', slash + 1) === -1;
}

/** A Service or ExternalService, as route destinations, mirrors and dependsOn name them. */
export function resolveDestination(model: MeshModel, ref: string, fromNamespace: string): Resolution<Destination> {
  return resolve(model, ref, fromNamespace, ['Service', 'ExternalService'], () => model.findDestination(ref, fromNamespace), 'destinations');
}

/** A Service only, as the callers a route matches name them. */
export function resolveService(model: MeshModel, ref: string, fromNamespace: string): Resolution<ServiceNode> {
  return resolve(model, ref, fromNamespace, ['Service'], () => model.findService(ref, fromNamespace), 'services');
}

export function resolveGateway(model: MeshModel, ref: string, fromNamespace: string): Resolution<GatewayNode> {
  return resolve(model, ref, fromNamespace, ['Gateway'], () => model.findGateway(ref, fromNamespace), 'gateways');
}

function resolve<T>(
  model: MeshModel,
  ref: string,
  fromNamespace: string,
  kinds: readonly ReferenceTarget[],
  find: () => T | undefined,
  pool: PoolName,
): Resolution<T> {
  if (!isWellFormedReference(ref)) return { status: 'malformed' };
  const node = find();
  if (node) return { status: 'found', node };
  if (kinds.some((kind) => model.isKnownInvalid(ref, fromNamespace, kind))) return { status: 'invalid' };
  // Only the rule that reports the reference asks for a suggestion, which is the costly part.
  return { status: 'missing', hint: () => suggestReference(model, pool, ref, fromNamespace) };
}

/** How a reference written in `fromNamespace` would name the node. */
export function referenceTo(node: Named, fromNamespace: string): string {
  return node.namespace === fromNamespace ? node.name : `${node.namespace}/${node.name}`;
}

type PoolName = 'destinations' | 'services' | 'gateways';

/** The names references can resolve to, indexed for suggestions. */
interface Pool {
  /** Namespace to the names in it, sorted. */
  readonly byNamespace: ReadonlyMap<string, readonly string[]>;
  /** Name to the namespaces holding it, sorted. */
  readonly byName: ReadonlyMap<string, readonly string[]>;
  readonly namespaces: readonly string[];
}

interface ModelSuggestions {
  readonly suggester: NameSuggester;
  readonly pools: Map<PoolName, Pool>;
}

const suggestionsByModel = new WeakMap<MeshModel, ModelSuggestions>();

/** One suggestion budget per model, shared by every rule that checks it. */
function suggestionsFor(model: MeshModel): ModelSuggestions {
  let entry = suggestionsByModel.get(model);
  if (!entry) {
    entry = { suggester: new NameSuggester(), pools: new Map() };
    suggestionsByModel.set(model, entry);
  }
  return entry;
}

function poolOf(model: MeshModel, name: PoolName): Pool {
  const entry = suggestionsFor(model);
  let pool = entry.pools.get(name);
  if (!pool) {
    const nodes: readonly Named[] =
      name === 'gateways' ? model.gateways : name === 'services' ? model.services : [...model.services, ...model.externalServices];
    pool = buildPool(nodes);
    entry.pools.set(name, pool);
  }
  return pool;
}

function buildPool(nodes: readonly Named[]): Pool {
  const byNamespace = new Map<string, Set<string>>();
  const byName = new Map<string, Set<string>>();
  for (const node of nodes) {
    byNamespace.set(node.namespace, (byNamespace.get(node.namespace) ?? new Set()).add(node.name));
    byName.set(node.name, (byName.get(node.name) ?? new Set()).add(node.namespace));
  }
  const sorted = (index: Map<string, Set<string>>) => new Map([...index].map(([key, values]) => [key, [...values].sort(compareStrings)]));
  return { byNamespace: sorted(byNamespace), byName: sorted(byName), namespaces: [...byNamespace.keys()].sort(compareStrings) };
}

/**
 * "; did you mean …?" for a reference that names nothing, or an empty string. A bare name that
 * exists in another namespace is the likeliest mistake, so it is suggested first, qualified; then
 * a close name in the namespace meant; then a close name anywhere.
 */
function suggestReference(model: MeshModel, poolName: PoolName, ref: string, fromNamespace: string): string {
  const pool = poolOf(model, poolName);
  const { suggester } = suggestionsFor(model);
  const slash = ref.indexOf('/');
  const namespace = slash < 0 ? fromNamespace : ref.slice(0, slash);
  const name = slash < 0 ? ref : ref.slice(slash + 1);
  // Qualified when the reference was, or when it must be.
  const write = (targetNamespace: string, target: string) => (slash < 0 && targetNamespace === fromNamespace ? target : `${targetNamespace}/${target}`);

  const elsewhere = pool.byName.get(name)?.filter((other) => other !== namespace);
  if (elsewhere?.[0] !== undefined) {
    const written = write(elsewhere[0], name);
    return slash < 0 ? `; it is in another namespace: write "${written}"` : `; did you mean "${written}"?`;
  }
  const sameNamespace = suggester.nearest(name, pool.byNamespace.get(namespace) ?? []);
  if (sameNamespace !== undefined) return `; did you mean "${write(namespace, sameNamespace)}"?`;
  if (slash >= 0 && !pool.byNamespace.has(namespace)) {
    // An unknown namespace: perhaps the namespace is the typo.
    const otherNamespace = suggester.nearest(namespace, pool.namespaces);
    const candidate = otherNamespace === undefined ? undefined : suggester.nearest(name, pool.byNamespace.get(otherNamespace) ?? []);
    if (otherNamespace !== undefined && candidate !== undefined) return `; did you mean "${write(otherNamespace, candidate)}"?`;
  }
  return '';
}

/** "; did you mean …?" among plain names (versions, providers, ports), or an empty string. */
export function suggestName(model: MeshModel, input: string, names: Iterable<string>): string {
  const match = suggestionsFor(model).suggester.nearest(input, [...names].sort(compareStrings));
  if (match === undefined || match === input || differOnlyInDigits(input, match)) return '';
  return `; did you mean "${match}"?`;
}

/** v1 and v2 are two numbered names, not a typo of one another. */
function differOnlyInDigits(a: string, b: string): boolean {
  const lowerA = a.toLowerCase();
  const lowerB = b.toLowerCase();
  return lowerA !== lowerB && lowerA.length === lowerB.length && lowerA.replace(/\d/g, '0') === lowerB.replace(/\d/g, '0');
}

/** A list for a message: `v1, v2, v3`, or `none`. */
export function listForMessage(items: Iterable<string | number>): string {
  const all = [...items].map(String);
  return all.length > 0 ? all.join(', ') : 'none';
}

/**
 * True when a Mesh document exists but failed the schema. Only Mesh documents have keys without a
 * namespace, which tells them apart among the invalid keys.
 */
export function hasInvalidMesh(model: Pick<MeshModel, 'invalidKeys'>): boolean {
  return [...model.invalidKeys].some((key) => !key.includes('/'));
}
