// Structure-aware mutation of real meshes: the example mesh and every valid fixture, each parsed
// into plain documents, then changed by a few operations drawn by fast-check — keys deleted or
// renamed, values swapped for another type or an edge value, values generated from the zod
// schema's JSON Schema at that place, references renamed, documents duplicated or added, file
// names made hostile. The result is written back as YAML text, as a pull request would carry it.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { parseAllDocuments, stringify } from 'yaml';
import { meshJsonSchema } from '../../src/schema/json-schema.js';
import { anyKey, anyValue, edgeNumber, edgeString, HOSTILE_TEXT, plainObject, PROTOTYPE_KEYS, valueOfSchema, type Plain } from './values.js';

const repo = path.join(import.meta.dirname, '..', '..');

export interface SeedFile {
  readonly file: string;
  readonly documents: readonly Plain[];
}

export interface Seed {
  readonly name: string;
  readonly files: readonly SeedFile[];
}

export interface MeshFile {
  readonly file: string;
  readonly text: string;
}

/** The example mesh (one seed of many files) and each valid fixture (one seed each). */
export function loadSeeds(): Seed[] {
  const read = (file: string, display: string): SeedFile => ({
    file: display,
    documents: parseAllDocuments(readFileSync(file, 'utf8')).map((document) => document.toJS() as Plain),
  });
  const exampleDir = path.join(repo, 'examples', 'mesh');
  const example: Seed = {
    name: 'examples/mesh',
    files: readdirSync(exampleDir)
      .filter((name) => name.endsWith('.yaml'))
      .sort()
      .map((name) => read(path.join(exampleDir, name), `mesh/${name}`)),
  };
  const validDir = path.join(repo, 'test', 'fixtures', 'valid');
  const fixtures = readdirSync(validDir)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name): Seed => ({ name: `test/fixtures/valid/${name}`, files: [read(path.join(validDir, name), name)] }));
  return [example, ...fixtures];
}

/** A place in the mesh: which file, which document, and the keys down to the node. */
interface Target {
  readonly file: number;
  readonly document: number;
  readonly path: readonly (string | number)[];
}

export type Operation =
  | { op: 'delete'; at: number }
  | { op: 'leaf-edge'; at: number; number: number; text: string }
  | { op: 'replace'; at: number; value: Plain }
  | { op: 'schema-value'; at: number; pick: number }
  | { op: 'type-swap'; at: number }
  | { op: 'rename-key'; at: number; key: string }
  | { op: 'add-key'; at: number; key: string; value: Plain }
  | { op: 'rename-reference'; at: number; to: string }
  | { op: 'duplicate-document'; at: number; intoFile: number }
  | { op: 'add-document'; kind: number; pick: number }
  | { op: 'file-name'; at: number; name: string };

export interface FuzzCase {
  readonly seed: number;
  readonly operations: readonly Operation[];
  /** Written as block YAML (as people write it); otherwise as indented JSON, which YAML reads
   * the same and which is written a hundred times faster. */
  readonly block?: boolean;
}

const at = fc.nat({ max: 1_000_000 });

export const operationArbitrary: fc.Arbitrary<Operation> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ op: fc.constant('delete' as const), at }) },
  { weight: 14, arbitrary: fc.record({ op: fc.constant('leaf-edge' as const), at, number: edgeNumber, text: edgeString }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('replace' as const), at, value: anyValue }) },
  { weight: 5, arbitrary: fc.record({ op: fc.constant('schema-value' as const), at, pick: fc.nat() }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('type-swap' as const), at }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('rename-key' as const), at, key: fc.oneof(anyKey, fc.constantFrom(...PROTOTYPE_KEYS)) }) },
  { weight: 2, arbitrary: fc.record({ op: fc.constant('add-key' as const), at, key: fc.oneof(anyKey, fc.constantFrom(...PROTOTYPE_KEYS)), value: anyValue }) },
  { weight: 3, arbitrary: fc.record({ op: fc.constant('rename-reference' as const), at, to: fc.oneof(anyKey, fc.constantFrom('missing', 'other/x', 'a/b/c', '')) }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('duplicate-document' as const), at, intoFile: at }) },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('add-document' as const), kind: fc.nat({ max: 3 }), pick: fc.nat() }) },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('file-name' as const),
      at,
      name: fc.constantFrom('sub dir/x.yaml', 'a\nb.yaml', '<img src=x>.yaml', '@everyone.yaml', '[x](https://evil.example.com).yaml', 'x\r# INJECTED.yaml', 'x\u009b2J.yaml', 'x\u001b[31m.yaml', '`x`.yaml', '日本.yaml'),
    }),
  },
);

export function fuzzCaseArbitrary(seedCount: number): fc.Arbitrary<FuzzCase> {
  // Mostly one or two operations: a mesh changed in one place is often still valid, and only a
  // valid mesh reaches the compilers, the CRD checker and Envoy.
  const operations = fc.oneof({ weight: 3, arbitrary: fc.array(operationArbitrary, { minLength: 1, maxLength: 1 }) }, { weight: 1, arbitrary: fc.array(operationArbitrary, { minLength: 2, maxLength: 4 }) });
  return fc.record({ seed: fc.nat({ max: seedCount - 1 }), operations, block: fc.boolean() }, { requiredKeys: ['seed', 'operations'] });
}

// ---------------------------------------------------------------------------------------------

const JSON_SCHEMA = meshJsonSchema();
// The schema keeps one complete definition per kind under $defs, named by the kind.
const KIND_SCHEMAS = new Map<string, Record<string, unknown>>(Object.entries(JSON_SCHEMA.$defs as Record<string, Record<string, unknown>>));
const KIND_NAMES = [...KIND_SCHEMAS.keys()];

/** The JSON Schema node at a path inside a document of this kind, when the path follows the schema. */
function schemaAt(kind: unknown, keys: readonly (string | number)[]): Record<string, unknown> | undefined {
  let node = typeof kind === 'string' ? KIND_SCHEMAS.get(kind) : undefined;
  for (const key of keys) {
    if (!node) return undefined;
    const branches = (node.oneOf ?? node.anyOf) as Record<string, unknown>[] | undefined;
    if (branches) node = branches.find((branch) => (typeof key === 'number' ? branch.type === 'array' : branch.type === 'object'));
    if (!node) return undefined;
    if (typeof key === 'number') node = node.items as Record<string, unknown> | undefined;
    else {
      const properties = node.properties as Record<string, Record<string, unknown>> | undefined;
      node = properties && Object.hasOwn(properties, key) ? properties[key] : (node.additionalProperties as Record<string, unknown> | undefined);
    }
  }
  return node;
}

function clone(value: Plain): Plain {
  if (Array.isArray(value)) return value.map(clone);
  if (value !== null && typeof value === 'object') return plainObject(Object.entries(value).map(([key, inner]) => [key, clone(inner)]));
  return value;
}

function targets(files: readonly { documents: Plain[] }[]): Target[] {
  const found: Target[] = [];
  files.forEach((file, fileIndex) =>
    file.documents.forEach((document, documentIndex) => {
      const walk = (node: Plain, keys: (string | number)[]): void => {
        found.push({ file: fileIndex, document: documentIndex, path: keys });
        if (Array.isArray(node)) node.forEach((item, index) => walk(item, [...keys, index]));
        else if (node !== null && typeof node === 'object') for (const [key, inner] of Object.entries(node)) walk(inner, [...keys, key]);
      };
      walk(document, []);
    }),
  );
  return found;
}

function getAt(root: Plain, keys: readonly (string | number)[]): Plain | undefined {
  let node: Plain | undefined = root;
  for (const key of keys) {
    if (node === null || typeof node !== 'object') return undefined;
    node = Array.isArray(node) ? node[key as number] : Object.hasOwn(node, key) ? (node as Record<string, Plain>)[key as string] : undefined;
  }
  return node;
}

function setOwn(object: Record<string, Plain>, key: string, value: Plain): void {
  Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
}

function swapType(value: Plain | undefined): Plain {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return /^-?\d+(\.\d+)?$/.test(value) ? Number(value) : [value];
  if (typeof value === 'boolean') return value ? 'true' : 0;
  if (Array.isArray(value)) return value.length > 0 ? (value[0] ?? null) : {};
  if (value !== null && typeof value === 'object') return Object.values(value);
  return 'null';
}

/** The mesh a case describes, as files of YAML text. Deterministic in (seeds, case). */
export function applyCase(seeds: readonly Seed[], fuzzCase: FuzzCase): MeshFile[] {
  const seed = seeds[fuzzCase.seed % seeds.length]!;
  const files = seed.files.map((file) => ({ file: file.file, documents: file.documents.map(clone) }));
  for (const operation of fuzzCase.operations) applyOperation(files, operation);
  const write = fuzzCase.block ? (document: Plain) => stringify(document, { aliasDuplicateObjects: false, lineWidth: 0 }) : jsonYaml;
  return files.map((file) => ({ file: file.file, text: file.documents.map(write).join('---\n') }));
}

const NON_FINITE = '\u0000number:';

/** A document as indented JSON (valid YAML), with NaN and the infinities in YAML's words. */
function jsonYaml(document: Plain): string {
  const text = JSON.stringify(document, (_key, value: unknown) => (typeof value === 'number' && !Number.isFinite(value) ? `${NON_FINITE}${value}` : value), 2) ?? 'null';
  return `${text.replace(/"\\u0000number:(NaN|Infinity|-Infinity)"/g, (_match, word: string) => (word === 'NaN' ? '.nan' : word === 'Infinity' ? '.inf' : '-.inf'))}\n`;
}

function applyOperation(files: { file: string; documents: Plain[] }[], operation: Operation): void {
  if (operation.op === 'add-document') {
    const kind = KIND_NAMES[operation.kind % KIND_NAMES.length]!;
    const [document] = fc.sample(valueOfSchema(KIND_SCHEMAS.get(kind), 6), { seed: operation.pick, numRuns: 1 });
    files[0]?.documents.push(document ?? null);
    return;
  }
  if (operation.op === 'file-name') {
    const file = files[operation.at % files.length];
    if (file) file.file = operation.name;
    return;
  }
  const all = targets(files);
  if (operation.op === 'duplicate-document') {
    const documents = all.filter((target) => target.path.length === 0);
    const source = documents[operation.at % documents.length];
    if (!source) return;
    files[operation.intoFile % files.length]!.documents.push(clone(files[source.file]!.documents[source.document]!));
    return;
  }
  if (operation.op === 'rename-reference') {
    // Strings that equal some document's name are references (or the name itself): rename one.
    const names = new Set<string>();
    for (const file of files) for (const document of file.documents) {
      const name = getAt(document, ['metadata', 'name']);
      if (typeof name === 'string') names.add(name);
    }
    const references = all.filter((target) => {
      const value = getAt(files[target.file]!.documents[target.document]!, target.path);
      return typeof value === 'string' && [...names].some((name) => value === name || value.endsWith(`/${name}`));
    });
    const target = references[operation.at % Math.max(1, references.length)];
    if (target) replaceAt(files, target, operation.to);
    return;
  }
  if (operation.op === 'leaf-edge') {
    // A value of the same type at a leaf: what keeps a mesh valid in form while its values go to the edges.
    const leaves = all.filter((target) => {
      const value = getAt(files[target.file]!.documents[target.document]!, target.path);
      return target.path.length > 1 && (typeof value === 'number' || typeof value === 'string');
    });
    const leaf = leaves[operation.at % Math.max(1, leaves.length)];
    if (!leaf) return;
    const value = getAt(files[leaf.file]!.documents[leaf.document]!, leaf.path);
    replaceAt(files, leaf, typeof value === 'number' ? operation.number : operation.text);
    return;
  }
  const inner = all.filter((target) => target.path.length > 0);
  const target = inner[operation.at % Math.max(1, inner.length)];
  if (!target) return;
  const document = files[target.file]!.documents[target.document]!;
  const current = getAt(document, target.path);
  switch (operation.op) {
    case 'delete': {
      const parent = getAt(document, target.path.slice(0, -1));
      const key = target.path.at(-1)!;
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else if (parent !== null && typeof parent === 'object') delete (parent as Record<string, Plain>)[key as string];
      return;
    }
    case 'replace':
      replaceAt(files, target, operation.value);
      return;
    case 'schema-value': {
      const kind = getAt(document, ['kind']);
      const [value] = fc.sample(valueOfSchema(schemaAt(kind, target.path), 3), { seed: operation.pick, numRuns: 1 });
      replaceAt(files, target, value ?? null);
      return;
    }
    case 'type-swap':
      replaceAt(files, target, swapType(current));
      return;
    case 'rename-key': {
      const parent = getAt(document, target.path.slice(0, -1));
      const key = target.path.at(-1)!;
      if (parent === null || typeof parent !== 'object' || Array.isArray(parent)) return;
      const renamed = plainObject(Object.entries(parent).map(([name, value]) => [name === key ? operation.key : name, value]));
      for (const name of Object.keys(parent)) delete (parent as Record<string, Plain>)[name];
      for (const [name, value] of Object.entries(renamed)) setOwn(parent as Record<string, Plain>, name, value);
      return;
    }
    case 'add-key': {
      const object = current !== null && typeof current === 'object' && !Array.isArray(current) ? current : undefined;
      if (!object) return;
      const kind = getAt(document, ['kind']);
      const schema = schemaAt(kind, target.path);
      const known = schema?.properties ? Object.keys(schema.properties as object) : [];
      // Half the time a key the schema knows at that place (with a schema value), else a hostile key.
      const key = known.length > 0 && operation.key.length % 2 === 0 ? known[operation.key.length % known.length]! : operation.key;
      const [value] = known.includes(key) ? fc.sample(valueOfSchema(schemaAt(kind, [...target.path, key]), 3), { seed: operation.key.length + 1, numRuns: 1 }) : [operation.value];
      setOwn(object as Record<string, Plain>, key, value ?? null);
      return;
    }
  }
}

function replaceAt(files: { documents: Plain[] }[], target: Target, value: Plain): void {
  const document = files[target.file]!.documents[target.document]!;
  const parent = getAt(document, target.path.slice(0, -1));
  const key = target.path.at(-1)!;
  if (Array.isArray(parent)) parent[key as number] = value;
  else if (parent !== null && typeof parent === 'object') setOwn(parent as Record<string, Plain>, key as string, value);
}

export { HOSTILE_TEXT };
