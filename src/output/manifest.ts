// Deterministic rendering of Kubernetes objects: the same objects give byte-identical text on any
// machine. Objects are sorted by kind, namespace and name; within an object apiVersion, kind,
// metadata and spec come first, and every other mapping keeps the key order its emitter chose
// (emitters build objects in a fixed order, so that order is already deterministic and reads the
// way Istio's own documentation writes these resources).
import { writeYaml } from './yaml-writer.js';
import { compareStrings } from '../diagnostics/types.js';

export interface KubernetesObject {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
  [field: string]: unknown;
}

const TOP_LEVEL_ORDER = ['apiVersion', 'kind', 'metadata', 'spec', 'data'];
const METADATA_ORDER = ['name', 'namespace', 'labels', 'annotations'];

/** Kinds that others depend on come first, so `kubectl apply -f` of the stream works in one pass. */
const KIND_ORDER = ['Namespace', 'ConfigMap'];

export function compareObjects(a: KubernetesObject, b: KubernetesObject): number {
  const rank = (kind: string) => {
    const index = KIND_ORDER.indexOf(kind);
    return index === -1 ? KIND_ORDER.length : index;
  };
  return (
    rank(a.kind) - rank(b.kind) ||
    compareStrings(a.kind, b.kind) ||
    compareStrings(a.metadata.namespace ?? '', b.metadata.namespace ?? '') ||
    compareStrings(a.metadata.name, b.metadata.name) ||
    compareStrings(a.apiVersion, b.apiVersion)
  );
}

export function sortObjects(objects: readonly KubernetesObject[]): KubernetesObject[] {
  return [...objects].sort(compareObjects).map(canonicalObject);
}

function orderKeys<T extends Record<string, unknown>>(value: T, first: readonly string[], sortRest: boolean): T {
  const out: Record<string, unknown> = {};
  for (const key of first) if (value[key] !== undefined) out[key] = value[key];
  const rest = Object.keys(value).filter((key) => !first.includes(key) && value[key] !== undefined);
  if (sortRest) rest.sort(compareStrings);
  for (const key of rest) out[key] = value[key];
  return out as T;
}

function sortedRecord(record: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!record) return undefined;
  return orderKeys(record, [], true);
}

export function canonicalObject(object: KubernetesObject): KubernetesObject {
  const metadata = orderKeys(
    { ...object.metadata, labels: sortedRecord(object.metadata.labels), annotations: sortedRecord(object.metadata.annotations) },
    METADATA_ORDER,
    true,
  );
  return orderKeys({ ...object, metadata }, TOP_LEVEL_ORDER, true);
}

export function objectFileName(object: KubernetesObject): string {
  const namespace = object.metadata.namespace ? `${object.metadata.namespace}_` : '';
  return `${namespace}${object.kind.toLowerCase()}_${object.metadata.name}.yaml`;
}

export function toYaml(object: Record<string, unknown> | readonly unknown[]): string {
  return writeYaml(object);
}

export function toYamlStream(objects: readonly KubernetesObject[]): string {
  return [...yamlStreamChunks(objects)].join('');
}

export function toJsonList(objects: readonly KubernetesObject[]): string {
  return JSON.stringify({ apiVersion: 'v1', kind: 'List', items: objects }, null, 2) + '\n';
}

/** toYamlStream, one document at a time, each rendered only when it is asked for. */
export function* yamlStreamChunks(objects: Iterable<KubernetesObject>): Generator<string> {
  for (const object of objects) yield `---\n${toYaml(object)}`;
}

/** toJsonList, one item at a time: the same text JSON.stringify gives for the whole list. */
export function* jsonListChunks(objects: Iterable<KubernetesObject>): Generator<string> {
  let first = true;
  for (const object of objects) {
    // Inside {"items": [...]} each item sits two levels deep; JSON text has no raw newlines inside
    // strings, so indenting every line is exactly what the nested stringify does.
    const item = JSON.stringify(object, null, 2).replaceAll('\n', '\n    ');
    yield `${first ? '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": [\n' : ',\n'}    ${item}`;
    first = false;
  }
  yield first ? '{\n  "apiVersion": "v1",\n  "kind": "List",\n  "items": []\n}\n' : '\n  ]\n}\n';
}

/** A kustomization listing every file, so kustomize, kubectl -k and Argo CD take the folder as is. */
export function kustomization(fileNames: readonly string[]): string {
  return toYaml({ apiVersion: 'kustomize.config.k8s.io/v1beta1', kind: 'Kustomization', resources: [...fileNames].sort(compareStrings) });
}
