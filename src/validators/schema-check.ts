// Checks each document against the zod schema and turns zod's issues into located diagnostics:
// unknown fields point at the key (with a did-you-mean from the fields allowed right there),
// missing fields at the mapping that lacks them, wrong values at the value.
import type { z } from 'zod';
import { createFinding } from '../diagnostics/finding.js';
import { didYouMean } from '../common/suggest.js';
import { formatPath, type Finding, type Location, type PathSegment } from '../diagnostics/types.js';
import type { SourceDocument } from '../loader/source-file.js';
import { DEFAULT_NAMESPACE, type NamedInvalidDocument, type TypedDocument, type ValidResource } from '../model/mesh-model.js';
import { API_VERSION, KINDS, RESOURCE_SCHEMAS, type Kind } from '../schema/resources.js';
import notAMapping from '../loader/rules/MESH010-not-a-mapping.js';
import foreignResource from '../loader/rules/MESH011-foreign-resource.js';
import unknownField from './rules/schema/MESH100-unknown-field.js';
import wrongType from './rules/schema/MESH101-wrong-type.js';
import missingField from './rules/schema/MESH102-missing-field.js';
import invalidValue from './rules/schema/MESH103-invalid-value.js';
import unknownKind from './rules/schema/MESH104-unknown-kind.js';
import unsupportedApiVersion from './rules/schema/MESH105-unsupported-api-version.js';

export interface SchemaCheckResult {
  valid: TypedDocument[];
  invalid: NamedInvalidDocument[];
  findings: Finding[];
}

export function checkDocuments(documents: readonly SourceDocument[]): SchemaCheckResult {
  const result: SchemaCheckResult = { valid: [], invalid: [], findings: [] };
  for (const document of documents) {
    if (document.value === undefined) {
      // Unparsable: the loader has reported it. What it declares is not "missing" elsewhere.
      if (document.recovered) registerUnreadable(result, document.recovered.kind, document.recovered.name, document.recovered.namespace);
      continue;
    }
    const findings = checkDocument(document, result);
    result.findings.push(...findings);
  }
  return result;
}

function checkDocument(document: SourceDocument, result: SchemaCheckResult): Finding[] {
  const at = (path: PathSegment[], part?: 'key'): Location => ({ node: { file: document.file, document: document.index, path, ...(part ? { part } : {}) } });
  const value = document.value;
  if (!isPlainObject(value)) {
    return [createFinding(notAMapping, 'notMapping', { type: describeValue(value) }, at([]))];
  }
  const apiVersion = value.apiVersion;
  const kind = value.kind;
  if (typeof apiVersion === 'string' && !apiVersion.startsWith('meshctl.dev/')) {
    return [foreignFinding(apiVersion, typeof kind === 'string' ? kind : 'object', at(['apiVersion']))];
  }
  const metadata = isPlainObject(value.metadata) ? value.metadata : {};
  const name = typeof metadata.name === 'string' ? metadata.name : undefined;
  const declaredNamespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  if (typeof apiVersion === 'string' && apiVersion !== API_VERSION) {
    registerUnreadable(result, typeof kind === 'string' ? kind : undefined, name, declaredNamespace);
    return [createFinding(unsupportedApiVersion, 'unsupported', { apiVersion }, at(['apiVersion']))];
  }
  if (typeof kind === 'string' && !(KINDS as readonly string[]).includes(kind)) {
    // "kind: Servce" is one error, at the kind: references to the service are not errors too.
    registerUnreadable(result, undefined, name, declaredNamespace);
    return [createFinding(unknownKind, 'unknown', { kind, suggestion: didYouMean(kind, KINDS) }, at(['kind']))];
  }
  if (typeof kind !== 'string') {
    registerUnreadable(result, undefined, name, declaredNamespace);
    if (kind === undefined) {
      const missing = [createFinding(missingField, 'missing', { field: 'kind', where: 'the document' }, at([]))];
      // Neither field: say both at once rather than one per run.
      if (apiVersion === undefined) missing.unshift(createFinding(missingField, 'missing', { field: 'apiVersion', where: 'the document' }, at([])));
      return missing;
    }
    return [createFinding(wrongType, 'type', { field: 'kind', expected: 'a string', received: describeValue(kind) }, at(['kind']))];
  }

  const schema = RESOURCE_SCHEMAS[kind as Kind];
  // A parsed object given the key "__proto__" would change its prototype, not gain an entry: the
  // schema would drop it without a word. It is reported instead, and the document is invalid.
  // The loader proves of most documents, from their text, that they cannot hold one.
  const prototypeKeys = document.noPrototypeKey ? [] : prototypeKeyPaths(value);
  const parsed = schema.safeParse(value);
  if (parsed.success && prototypeKeys.length === 0) {
    result.valid.push({ document, resource: withoutPrototypes(parsed.data) as ValidResource });
    return [];
  }
  registerUnreadable(result, kind, name, declaredNamespace);
  const findings: Finding[] = prototypeKeys.map((path) =>
    createFinding(invalidValue, 'invalid', { field: formatPath(path), detail: 'the key "__proto__" cannot be used: it names the prototype of an object, not an entry' }, at(path, 'key')),
  );
  const issues = parsed.success ? [] : parsed.error.issues;
  for (const issue of issues) {
    // zod bounds every integer by the safe-integer range too: a field with a bound of its own says that one only.
    if (issue.code === 'too_big' && issue.maximum === Number.MAX_SAFE_INTEGER && issues.some((other) => other !== issue && other.code === 'too_big' && formatPath(other.path as PathSegment[]) === formatPath(issue.path as PathSegment[]))) continue;
    findings.push(...issueFindings(issue, [], schema, value, kind, at));
  }
  return withoutMisspeltMissingFields(findings);
}

/**
 * A misspelt required key (`apiVesion`) is both unknown and missing; the unknown-field finding
 * already names the fix ("did you mean apiVersion"), so the missing-field one is only noise.
 */
function withoutMisspeltMissingFields(findings: Finding[]): Finding[] {
  const suggested = new Set<string>();
  for (const finding of findings) {
    if (finding.code !== unknownField.code || !('node' in finding.location)) continue;
    const suggestion = /did you mean "([^"]+)"/.exec(String(finding.data.suggestion))?.[1];
    if (suggestion) suggested.add(`${formatPath(finding.location.node.path.slice(0, -1))}|${suggestion}`);
  }
  if (suggested.size === 0) return findings;
  return findings.filter((finding) => {
    if (finding.code !== missingField.code || !('node' in finding.location)) return true;
    return !suggested.has(`${formatPath(finding.location.node.path)}|${finding.data.field}`);
  });
}

type Issue = z.core.$ZodIssue;

function issueFindings(
  issue: Issue,
  base: PathSegment[],
  rootSchema: z.ZodType,
  root: unknown,
  kind: string,
  at: (path: PathSegment[], part?: 'key') => Location,
): Finding[] {
  const path = [...base, ...(issue.path as PathSegment[])];
  const field = formatPath(path) || kind;
  const actual = valueAt(root, path);
  // zod reports an absent field as the type, literal or union it failed to be; to the author it
  // is simply missing.
  if (actual === undefined && path.length > 0 && (issue.code === 'invalid_type' || issue.code === 'invalid_value' || issue.code === 'invalid_union')) {
    const parent = path.slice(0, -1);
    return [createFinding(missingField, 'missing', { field: String(path[path.length - 1]), where: formatPath(parent) || 'the document' }, parent.length ? at(parent, 'key') : at([]))];
  }
  switch (issue.code) {
    case 'unrecognized_keys': {
      const allowed = objectKeys(schemaAt(rootSchema, path, root));
      const present = isPlainObject(actual) ? new Set(Object.keys(actual)) : new Set<string>();
      const candidates = allowed.filter((key) => !present.has(key));
      return issue.keys.map((key) =>
        createFinding(unknownField, 'unknown', { field: key, where: formatPath(path) || kind, suggestion: didYouMean(key, candidates) }, at([...path, key], 'key')),
      );
    }
    case 'invalid_type': {
      return [createFinding(wrongType, 'type', { field, expected: describeExpected(issue.expected), received: describeValue(actual) }, at(path))];
    }
    case 'invalid_union': {
      const branches = issue.errors.filter((branch) => !branch.some((inner) => inner.path.length === 0 && (inner.code === 'invalid_type' || inner.code === 'invalid_value')));
      const chosen = branches[0];
      if (chosen) return chosen.flatMap((inner) => issueFindings(inner, path, rootSchema, root, kind, at));
      const expected = unionExpectation(issue.errors);
      if (expected.values.length > 0 && typeof actual !== 'object') {
        return [createFinding(invalidValue, 'invalid', { field, detail: `must be ${expected.text}; got ${shown(actual)}${typeof actual === 'string' ? didYouMean(actual, expected.values) : ''}` }, at(path))];
      }
      return [createFinding(wrongType, 'type', { field, expected: expected.text, received: describeValue(actual) }, at(path))];
    }
    case 'invalid_value': {
      const values = issue.values.map((v) => String(v));
      const detail =
        values.length === 1
          ? `must be ${JSON.stringify(issue.values[0])}; got ${shown(actual)}`
          : `must be one of ${values.map((v) => JSON.stringify(v)).join(', ')}; got ${shown(actual)}${typeof actual === 'string' ? didYouMean(actual, values) : ''}`;
      return [createFinding(invalidValue, 'invalid', { field, detail }, at(path))];
    }
    case 'invalid_key': {
      // A key the format refuses (a label key Kubernetes would not accept): said at the key.
      const key = path[path.length - 1];
      const inner = issue.issues.find((candidate) => candidate.code === 'custom') ?? issue.issues[0];
      const message = inner?.message ?? 'is not valid here';
      const detail = message.startsWith('label key') ? message : `key ${JSON.stringify(key)} ${message}`;
      return [createFinding(invalidValue, 'invalid', { field, detail }, at(path, 'key'))];
    }
    case 'too_small':
    case 'too_big': {
      const bound = String(issue.code === 'too_small' ? issue.minimum : issue.maximum);
      let detail: string;
      if (issue.origin === 'array') detail = issue.code === 'too_small' && bound === '1' ? 'must not be empty' : `must have ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} entries`;
      else if (issue.origin === 'string') detail = issue.code === 'too_small' && bound === '1' ? 'must not be empty' : `must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound} characters`;
      else detail = `must be ${issue.code === 'too_small' ? 'at least' : 'at most'} ${bound}; got ${shown(actual)}`;
      return [createFinding(invalidValue, 'invalid', { field, detail }, at(path))];
    }
    default:
      return [createFinding(invalidValue, 'invalid', { field, detail: issue.message.replace(/^Invalid input: /, '') + (actual !== undefined && typeof actual !== 'object' ? `; got ${shown(actual)}` : '') }, at(path))];
  }
}

function unionExpectation(branches: readonly (readonly Issue[])[]): { text: string; values: string[] } {
  const parts: string[] = [];
  const values: string[] = [];
  for (const branch of branches) {
    for (const inner of branch) {
      if (inner.path.length !== 0) continue;
      if (inner.code === 'invalid_type') parts.push(describeExpected(inner.expected));
      if (inner.code === 'invalid_value') {
        for (const value of inner.values) {
          values.push(String(value));
          parts.push(JSON.stringify(value));
        }
      }
    }
  }
  const unique = [...new Set(parts)];
  const text = unique.length <= 1 ? unique[0] ?? 'a valid value' : `${unique.slice(0, -1).join(', ')} or ${unique[unique.length - 1]}`;
  return { text: values.length > 1 ? `one of ${text}` : text, values };
}

function foreignFinding(apiVersion: string, kind: string, location: Location): Finding {
  if (/(^|\.)istio\.io\//.test(apiVersion)) {
    return createFinding(foreignResource, 'istio', { kind, apiVersion, suggestion: ISTIO_EQUIVALENTS[kind] ?? 'mesh document' }, location);
  }
  if (apiVersion === 'v1' || /^(apps|batch|autoscaling|policy)\/|\.k8s\.io\//.test(apiVersion)) {
    return createFinding(foreignResource, 'kubernetes', { kind, apiVersion }, location);
  }
  return createFinding(foreignResource, 'other', { kind, apiVersion }, location);
}

const ISTIO_EQUIVALENTS: Record<string, string> = {
  VirtualService: 'Service (routes, canary, abTest)',
  DestinationRule: 'Service (versions, resilience)',
  AuthorizationPolicy: 'Service (access)',
  PeerAuthentication: 'Service or Mesh (mtls)',
  RequestAuthentication: 'Service (authentication) and Mesh (jwtProviders)',
  ServiceEntry: 'ExternalService',
  WorkloadEntry: 'Service (vms)',
  Gateway: 'Gateway',
  Sidecar: 'Service (dependsOn)',
  EnvoyFilter: 'Service (rateLimit)',
  Telemetry: 'Mesh or Service (telemetry)',
};

/** Walks the schema alongside the data, to find the object schema at a path. */
function schemaAt(schema: z.ZodType, path: readonly PathSegment[], data: unknown): z.ZodType | undefined {
  let current: z.ZodType | undefined = unwrap(schema, data);
  let value = data;
  for (const segment of path) {
    if (!current) return undefined;
    const def = current._zod.def as unknown as Record<string, unknown> & { type: string };
    value = isPlainObject(value) || Array.isArray(value) ? (value as Record<string, unknown>)[segment as string] : undefined;
    if (def.type === 'object') current = (def.shape as Record<string, z.ZodType>)[segment as string];
    else if (def.type === 'array') current = def.element as z.ZodType;
    else if (def.type === 'record') current = def.valueType as z.ZodType;
    else return undefined;
    current = current ? unwrap(current, value) : undefined;
  }
  return current;
}

/** Looks through optional/default wrappers, and picks the union member that fits the data. */
function unwrap(schema: z.ZodType, data: unknown): z.ZodType {
  let current = schema;
  for (;;) {
    const def = current._zod.def as unknown as Record<string, unknown> & { type: string };
    if (def.type === 'optional' || def.type === 'default' || def.type === 'nullable' || def.type === 'prefault') current = def.innerType as z.ZodType;
    else if (def.type === 'pipe') current = def.in as z.ZodType;
    else if (def.type === 'union') {
      const options = def.options as z.ZodType[];
      const wanted = Array.isArray(data) ? 'array' : isPlainObject(data) ? 'object' : undefined;
      const fit = options.find((option) => unwrap(option, undefined)._zod.def.type === wanted);
      if (!fit) return current;
      current = fit;
    } else return current;
  }
}

function objectKeys(schema: z.ZodType | undefined): string[] {
  if (!schema) return [];
  const def = schema._zod.def as unknown as Record<string, unknown> & { type: string };
  return def.type === 'object' ? Object.keys(def.shape as object) : [];
}

function valueAt(root: unknown, path: readonly PathSegment[]): unknown {
  let value = root;
  for (const segment of path) {
    if (value === null || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[segment];
  }
  return value;
}

function describeExpected(expected: string): string {
  switch (expected) {
    case 'object':
    case 'record':
      return 'a mapping';
    case 'array':
      return 'a list';
    case 'boolean':
      return 'true or false';
    case 'int':
      return 'an integer';
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}

export function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `a string (${JSON.stringify(value.length > 40 ? value.slice(0, 40) + '…' : value)})`;
  if (typeof value === 'number') return `a number (${Number.isFinite(value) ? value : yamlNumber(value)})`;
  if (typeof value === 'boolean') return `a boolean (${value})`;
  return typeof value;
}

/**
 * The parsed document with every mapping made a null-prototype object: names from the mesh (port
 * names, JWT providers, claims, versions) are looked up as keys all through meshctl, and one named
 * "constructor" or "hasOwnProperty" must find nothing rather than a member of Object.prototype.
 */
function withoutPrototypes(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutPrototypes);
  if (!isPlainObject(value)) return value;
  // Object.create(null) would give an object in V8's dictionary mode: several times the memory of
  // an ordinary object and slower to read. One whose prototype is set to null before it has keys
  // keeps the fast layout (and shares it with every other copy of the same keys).
  const copy = Object.setPrototypeOf({}, null) as Record<string, unknown>;
  // Object.keys, not Object.entries: every mapping of every document passes here, and the pairs
  // entries() allocates were a tenth of the schema check's time.
  for (const key of Object.keys(value)) copy[key] = withoutPrototypes(value[key]);
  return copy;
}

/** Where a mapping has its own key "__proto__". */
function prototypeKeyPaths(value: unknown, path: PathSegment[] = [], found: PathSegment[][] = []): PathSegment[][] {
  // One path array, extended and shortened on the way down and up, copied only where a key is
  // found: copying it at every node cost more than the rest of the walk.
  if (Array.isArray(value)) {
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      prototypeKeyPaths(value[index], path, found);
      path.pop();
    }
    return found;
  }
  if (!isPlainObject(value)) return found;
  if (Object.hasOwn(value, '__proto__')) found.push([...path, '__proto__']);
  for (const key of Object.keys(value)) {
    if (key === '__proto__') continue;
    path.push(key);
    prototypeKeyPaths(value[key], path, found);
    path.pop();
  }
  return found;
}

/** A value as the author wrote it (JSON would print NaN and the infinities as null). */
function shown(value: unknown): string {
  return typeof value === 'number' && !Number.isFinite(value) ? yamlNumber(value) : JSON.stringify(value);
}

/** NaN and the infinities as a YAML file writes them, not as JavaScript prints them. */
function yamlNumber(value: number): string {
  return Number.isNaN(value) ? '.nan' : value > 0 ? '.inf' : '-.inf';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Records a document that declares something but could not be read as a valid resource, so that
 * references to it are not reported as unresolved: its own finding is the one root cause. With
 * the kind unknown (misspelt, missing, or unparsable), it stands for every kind a reference names.
 */
function registerUnreadable(result: SchemaCheckResult, kind: string | undefined, name: string | undefined, namespace: string | undefined): void {
  if (name === undefined) return;
  // A Mesh is never referenced by name, and an invalid one changes how other rules read the mesh.
  const kinds = kind !== undefined && (KINDS as readonly string[]).includes(kind) ? [kind] : KINDS.filter((each) => each !== 'Mesh');
  for (const each of kinds) result.invalid.push({ kind: each, key: each === 'Mesh' ? name : `${namespace ?? DEFAULT_NAMESPACE}/${name}` });
}
