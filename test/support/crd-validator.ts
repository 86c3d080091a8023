// Checks Kubernetes objects against CustomResourceDefinitions the way kube-apiserver admits a
// create: the structural schema of the served version named by the object's apiVersion (defaults,
// pruning, types, formats, value validations, list types), the CEL rules in
// `x-kubernetes-validations`, and ObjectMeta. Whatever the API server would silently drop (unknown fields, nulls in
// non-nullable fields, status under a status subresource, server-populated metadata) is reported
// as a violation: an object that only validates because parts of it vanish is not what was meant.
// A CEL rule this checker cannot evaluate is never counted as passed: it is listed in
// `unevaluated` on the result and in the catalog's `unevaluableRules`.
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import {
  CelScalar,
  celEnv,
  celFunc,
  celMap,
  celMethod,
  isCelError,
  isCelMap,
  listType,
  mapType,
  parse as parseCel,
  plan as planCel,
  type CelInput,
  type CelMap,
  type CelResult,
  type CelValue,
} from '@bufbuild/cel';
import { strings as celStringsExtension } from '@bufbuild/cel/ext';
import { create } from '@bufbuild/protobuf';
import { DurationSchema, timestampFromDate, type Duration } from '@bufbuild/protobuf/wkt';
import { RE2JS } from 're2js';
import { parseAllDocuments } from 'yaml';

// ---------------------------------------------------------------------------------------------
// Public shapes

export type ViolationCode =
  | 'not-an-object'
  | 'unserved'
  | 'metadata'
  | 'unknown-field'
  | 'dropped-null'
  | 'dropped-status'
  | 'type'
  | 'format'
  | 'required'
  | 'enum'
  | 'min-length'
  | 'max-length'
  | 'min-items'
  | 'max-items'
  | 'min-properties'
  | 'max-properties'
  | 'minimum'
  | 'maximum'
  | 'multiple-of'
  | 'pattern'
  | 'duplicate'
  | 'one-of'
  | 'any-of'
  | 'not'
  | 'rule'
  | 'rules-skipped';

export interface CrdViolation {
  /** From the object's root, e.g. `spec.http[0].route[0].weight`; map keys that are not plain
   * identifiers are bracketed: `metadata.labels["app.kubernetes.io/name"]`. Empty for the object
   * as a whole. */
  path: string;
  code: ViolationCode;
  message: string;
  /** The CEL expression, for `rule` violations. */
  rule?: string;
}

export interface UnevaluatedRule {
  path: string;
  rule: string;
  reason: string;
}

/** The violations, plus the CEL rules that applied to the object but could not be evaluated and
 * how many were evaluated. Those two are not enumerable, so `toEqual([])` compares violations
 * only; read them explicitly. */
export type CrdViolations = CrdViolation[] & {
  readonly unevaluated: readonly UnevaluatedRule[];
  readonly evaluatedRules: number;
};

export interface CatalogRule {
  apiVersion: string;
  kind: string;
  /** Where the rule sits in the schema; `[*]` stands for any list item or map value. */
  schemaPath: string;
  rule: string;
  reason: string;
}

export interface ServedResource {
  group: string;
  version: string;
  apiVersion: string;
  kind: string;
  namespaced: boolean;
  statusSubresource: boolean;
  readonly schema: SchemaNode;
}

export interface CrdCatalog {
  readonly source: string;
  /** Keyed by `${apiVersion} ${kind}`; only served versions. */
  readonly resources: ReadonlyMap<string, ServedResource>;
  /** Every CEL rule in the served schemas that cannot be evaluated here, with the reason. */
  readonly unevaluableRules: readonly CatalogRule[];
  /** How many CEL rules (occurrences, not distinct expressions) the served schemas carry. */
  readonly ruleCount: number;
}

// ---------------------------------------------------------------------------------------------
// Compiled schema

type SchemaType = 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';

interface AttachedRule {
  rule: string;
  message: string | undefined;
  messageExpression: CompiledCel | undefined;
  fieldPath: string | undefined;
  optionalOldSelf: boolean;
  compiled: CompiledCel;
}

export interface SchemaNode {
  type: SchemaType | undefined;
  format: string | undefined;
  nullable: boolean;
  intOrString: boolean;
  preserveUnknownFields: boolean;
  embeddedResource: boolean;
  properties: Map<string, SchemaNode> | undefined;
  additionalProperties: SchemaNode | undefined;
  items: SchemaNode | undefined;
  required: string[];
  enum: unknown[] | undefined;
  minimum: number | undefined;
  maximum: number | undefined;
  exclusiveMinimum: boolean;
  exclusiveMaximum: boolean;
  multipleOf: number | undefined;
  minLength: number | undefined;
  maxLength: number | undefined;
  minItems: number | undefined;
  maxItems: number | undefined;
  minProperties: number | undefined;
  maxProperties: number | undefined;
  pattern: { source: string; regex: RE2JS } | undefined;
  listType: string | undefined;
  listMapKeys: string[] | undefined;
  oneOf: SchemaNode[] | undefined;
  anyOf: SchemaNode[] | undefined;
  allOf: SchemaNode[] | undefined;
  not: SchemaNode | undefined;
  /** Set when the schema has `default`; kube-apiserver fills it in before validating. */
  default: { value: unknown } | undefined;
  defaultsBelow: boolean;
  rules: AttachedRule[];
  rulesBelow: boolean;
}

type RawSchema = Record<string, unknown>;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalNumber(raw: RawSchema, key: string): number | undefined {
  const value = raw[key];
  return typeof value === 'number' ? value : undefined;
}

function compileSchema(
  raw: RawSchema,
  schemaPath: string,
  onRule: (schemaPath: string, rule: AttachedRule) => void,
): SchemaNode {
  const child = (value: unknown, childPath: string): SchemaNode | undefined =>
    isRecord(value) ? compileSchema(value, childPath, onRule) : undefined;
  const junction = (value: unknown, name: string): SchemaNode[] | undefined =>
    Array.isArray(value)
      ? value.filter(isRecord).map((branch, index) => compileSchema(branch, `${schemaPath}.${name}[${index}]`, onRule))
      : undefined;

  let properties: Map<string, SchemaNode> | undefined;
  if (isRecord(raw.properties)) {
    properties = new Map();
    for (const [name, property] of Object.entries(raw.properties)) {
      const compiled = child(property, joinPath(schemaPath, name));
      if (compiled) properties.set(name, compiled);
    }
  }
  const type = typeof raw.type === 'string' ? (raw.type as SchemaType) : undefined;
  const pattern = typeof raw.pattern === 'string' ? { source: raw.pattern, regex: compileRe2(raw.pattern) } : undefined;
  const rules: AttachedRule[] = [];
  for (const entry of Array.isArray(raw['x-kubernetes-validations']) ? raw['x-kubernetes-validations'] : []) {
    if (!isRecord(entry) || typeof entry.rule !== 'string') continue;
    const attached: AttachedRule = {
      rule: entry.rule,
      message: typeof entry.message === 'string' ? entry.message : undefined,
      messageExpression:
        typeof entry.messageExpression === 'string' ? compileCel(entry.messageExpression) : undefined,
      fieldPath: typeof entry.fieldPath === 'string' ? entry.fieldPath : undefined,
      optionalOldSelf: entry.optionalOldSelf === true,
      compiled: compileCel(entry.rule),
    };
    rules.push(attached);
    onRule(schemaPath, attached);
  }
  const node: SchemaNode = {
    type,
    format: typeof raw.format === 'string' ? raw.format : undefined,
    nullable: raw.nullable === true,
    intOrString: raw['x-kubernetes-int-or-string'] === true,
    preserveUnknownFields: raw['x-kubernetes-preserve-unknown-fields'] === true,
    embeddedResource: raw['x-kubernetes-embedded-resource'] === true,
    properties,
    additionalProperties: child(raw.additionalProperties, `${schemaPath}[*]`),
    items: child(raw.items, `${schemaPath}[*]`),
    required: Array.isArray(raw.required) ? raw.required.filter((name): name is string => typeof name === 'string') : [],
    enum: Array.isArray(raw.enum) ? raw.enum : undefined,
    minimum: optionalNumber(raw, 'minimum'),
    maximum: optionalNumber(raw, 'maximum'),
    exclusiveMinimum: raw.exclusiveMinimum === true,
    exclusiveMaximum: raw.exclusiveMaximum === true,
    multipleOf: optionalNumber(raw, 'multipleOf'),
    minLength: optionalNumber(raw, 'minLength'),
    maxLength: optionalNumber(raw, 'maxLength'),
    minItems: optionalNumber(raw, 'minItems'),
    maxItems: optionalNumber(raw, 'maxItems'),
    minProperties: optionalNumber(raw, 'minProperties'),
    maxProperties: optionalNumber(raw, 'maxProperties'),
    pattern,
    listType: typeof raw['x-kubernetes-list-type'] === 'string' ? raw['x-kubernetes-list-type'] : undefined,
    listMapKeys: Array.isArray(raw['x-kubernetes-list-map-keys'])
      ? raw['x-kubernetes-list-map-keys'].filter((key): key is string => typeof key === 'string')
      : undefined,
    oneOf: junction(raw.oneOf, 'oneOf'),
    anyOf: junction(raw.anyOf, 'anyOf'),
    allOf: junction(raw.allOf, 'allOf'),
    not: child(raw.not, `${schemaPath}.not`),
    default: 'default' in raw ? { value: raw.default } : undefined,
    defaultsBelow: false,
    rules,
    rulesBelow: false,
  };
  const children = [...(properties?.values() ?? []), node.additionalProperties, node.items].filter(
    (sub): sub is SchemaNode => sub !== undefined,
  );
  node.rulesBelow = children.some((sub) => sub.rules.length > 0 || sub.rulesBelow);
  node.defaultsBelow = children.some((sub) => sub.default !== undefined || sub.defaultsBelow);
  return node;
}

// ---------------------------------------------------------------------------------------------
// Loading

export function loadCrds(file: string): CrdCatalog {
  const resources = new Map<string, ServedResource>();
  const unevaluableRules: CatalogRule[] = [];
  let ruleCount = 0;
  for (const document of parseAllDocuments(readFileSync(file, 'utf8'))) {
    if (document.errors.length > 0) {
      throw new Error(`${file}: ${document.errors[0]?.message ?? 'YAML error'}`);
    }
    const crd: unknown = document.toJS({ maxAliasCount: -1 });
    if (!isRecord(crd) || crd.kind !== 'CustomResourceDefinition' || !isRecord(crd.spec)) continue;
    const spec = crd.spec;
    const group = typeof spec.group === 'string' ? spec.group : '';
    const kind = isRecord(spec.names) && typeof spec.names.kind === 'string' ? spec.names.kind : '';
    const versions = Array.isArray(spec.versions) ? spec.versions.filter(isRecord) : [];
    for (const version of versions) {
      if (version.served !== true || typeof version.name !== 'string') continue;
      const apiVersion = group === '' ? version.name : `${group}/${version.name}`;
      const raw = isRecord(version.schema) && isRecord(version.schema.openAPIV3Schema) ? version.schema.openAPIV3Schema : {};
      const schema = compileSchema(raw, '', (schemaPath, rule) => {
        ruleCount += 1;
        const reason = unevaluableReason(rule);
        if (reason !== undefined) unevaluableRules.push({ apiVersion, kind, schemaPath, rule: rule.rule, reason });
      });
      resources.set(`${apiVersion} ${kind}`, {
        group,
        version: version.name,
        apiVersion,
        kind,
        namespaced: spec.scope !== 'Cluster',
        statusSubresource: isRecord(version.subresources) && isRecord(version.subresources.status),
        schema,
      });
    }
  }
  return { source: file, resources, unevaluableRules, ruleCount };
}

// ---------------------------------------------------------------------------------------------
// Validation entry point

interface Walk {
  violations: CrdViolation[];
  unevaluated: UnevaluatedRule[];
  evaluatedRules: number;
}

export function validateAgainstCrd(catalog: CrdCatalog, object: unknown): CrdViolations {
  const walk: Walk = { violations: [], unevaluated: [], evaluatedRules: 0 };
  const result = (): CrdViolations =>
    Object.defineProperties(walk.violations, {
      unevaluated: { value: walk.unevaluated, enumerable: false },
      evaluatedRules: { value: walk.evaluatedRules, enumerable: false },
    }) as CrdViolations;
  if (!isRecord(object)) {
    walk.violations.push({ path: '', code: 'not-an-object', message: 'a Kubernetes object must be a mapping' });
    return result();
  }
  const resource = resolveResource(catalog, object, walk.violations);
  if (!resource) return result();

  validateMetadata(object.metadata, resource, walk.violations);

  const root = resource.schema;
  let body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(object)) {
    if (key === 'apiVersion' || key === 'kind' || key === 'metadata') continue;
    if (key === 'status' && resource.statusSubresource) {
      walk.violations.push({
        path: 'status',
        code: 'dropped-status',
        message: `${resource.kind} has a status subresource: the API server discards status on create`,
      });
      continue;
    }
    body[key] = value;
  }
  if (root.defaultsBelow) {
    body = structuredClone(body);
    applyDefaults(root, body);
  }
  validateValue(root, body, '', { violations: walk.violations, strict: true });

  // kube-apiserver runs no CEL rule once a type, required, enum, too-long or too-many error is
  // found (ObjectMeta's included): the rules were type-checked against the schema and could
  // misfire on other shapes.
  if (walk.violations.some((violation) => BLOCKING_CODES.has(violation.code))) {
    if (root.rules.length > 0 || root.rulesBelow) {
      walk.violations.push({
        path: '',
        code: 'rules-skipped',
        message: 'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      });
    }
    return result();
  }
  evaluateRules(root, body, '', false, walk);
  return result();
}

const BLOCKING_CODES = new Set<ViolationCode>(['type', 'required', 'enum', 'max-length', 'max-items', 'max-properties']);

function resolveResource(catalog: CrdCatalog, object: Record<string, unknown>, violations: CrdViolation[]): ServedResource | undefined {
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || apiVersion === '') {
    violations.push({ path: 'apiVersion', code: 'required', message: 'apiVersion is required' });
  }
  if (typeof kind !== 'string' || kind === '') {
    violations.push({ path: 'kind', code: 'required', message: 'kind is required' });
  }
  if (typeof apiVersion !== 'string' || typeof kind !== 'string' || apiVersion === '' || kind === '') return undefined;
  const resource = catalog.resources.get(`${apiVersion} ${kind}`);
  if (resource) return resource;
  const group = apiVersion.includes('/') ? apiVersion.slice(0, apiVersion.indexOf('/')) : '';
  const sameKind = [...catalog.resources.values()].filter((candidate) => candidate.group === group && candidate.kind === kind);
  violations.push(
    sameKind.length > 0
      ? {
          path: 'apiVersion',
          code: 'unserved',
          message: `${apiVersion} is not a served version of ${kind}; served: ${sameKind.map((candidate) => candidate.apiVersion).join(', ')}`,
        }
      : {
          path: 'kind',
          code: 'unserved',
          message: `no CustomResourceDefinition in ${basename(catalog.source)} serves kind ${kind} in group ${group === '' ? '(core)' : group}`,
        },
  );
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// Defaulting, in place, as kube-apiserver does it before validation: a missing field, or a null
// in a non-nullable one, takes the schema's default; defaults are then defaulted themselves.

/**
 * The object as the API server stores it: the CRD's defaults filled in (a route match's path, a
 * backend's weight...). Programs that read objects from a cluster (istiod) see them so; one given
 * the object as written may take an absent field for a bug. Unknown kinds are returned unchanged.
 */
export function withCrdDefaults<T extends Record<string, unknown>>(catalog: CrdCatalog, object: T): T {
  const resource = resolveResource(catalog, object, []);
  if (!resource || !resource.schema.defaultsBelow) return object;
  const copy = structuredClone(object);
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(copy)) if (key !== 'apiVersion' && key !== 'kind' && key !== 'metadata') body[key] = value;
  applyDefaults(resource.schema, body);
  return { ...copy, ...body };
}

function isNonNullableNull(value: unknown, node: SchemaNode): boolean {
  return value === null && !node.nullable;
}

function applyDefaults(node: SchemaNode, value: unknown): void {
  if (Array.isArray(value)) {
    const items = node.items;
    if (!items) return;
    value.forEach((item, index) => {
      if (items.default !== undefined && isNonNullableNull(item, items)) value[index] = structuredClone(items.default.value);
      else if (items.defaultsBelow) applyDefaults(items, item);
    });
    return;
  }
  if (!isRecord(value)) return;
  for (const [name, property] of node.properties ?? []) {
    if (property.default === undefined) continue;
    if (!Object.hasOwn(value, name) || isNonNullableNull(value[name], property)) value[name] = structuredClone(property.default.value);
  }
  for (const [key, child] of Object.entries(value)) {
    const property = node.properties?.get(key);
    if (property) {
      if (property.defaultsBelow) applyDefaults(property, child);
      continue;
    }
    const values = node.additionalProperties;
    if (!values) continue;
    if (values.default !== undefined && isNonNullableNull(child, values)) value[key] = structuredClone(values.default.value);
    else if (values.defaultsBelow) applyDefaults(values, child);
  }
}

// ---------------------------------------------------------------------------------------------
// Structural schema validation (kube-openapi's validators, plus pruning reported as errors)

interface SchemaPass {
  violations: CrdViolation[];
  /** Off inside oneOf/anyOf/allOf/not branches: those only constrain values and prune nothing. */
  strict: boolean;
}

function joinPath(base: string, key: string): string {
  if (/^[A-Za-z_$][A-Za-z0-9_$-]*$/.test(key)) return base === '' ? key : `${base}.${key}`;
  return `${base}[${JSON.stringify(key)}]`;
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function quote(value: unknown): string {
  return typeof value === 'string' ? JSON.stringify(value) : String(JSON.stringify(value));
}

function matchesType(node: SchemaNode, value: unknown): boolean {
  if (node.intOrString) return typeof value === 'string' || (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
  switch (node.type) {
    case undefined:
      return true;
    case 'object':
      return isRecord(value);
    case 'array':
      return Array.isArray(value);
    case 'string':
      return typeof value === 'string';
    case 'integer':
      return (typeof value === 'number' && Number.isInteger(value)) || typeof value === 'bigint';
    case 'number':
      return (typeof value === 'number' && Number.isFinite(value)) || typeof value === 'bigint';
    case 'boolean':
      return typeof value === 'boolean';
  }
}

function validateValue(node: SchemaNode, value: unknown, path: string, pass: SchemaPass): void {
  const { violations } = pass;
  if (value === null) {
    if (!node.nullable && (node.type !== undefined || node.intOrString)) {
      violations.push({ path, code: 'type', message: `must be of type ${node.intOrString ? 'integer or string' : node.type}, not null` });
    }
    if (node.enum && !node.enum.some((allowed) => allowed === null)) {
      violations.push({ path, code: 'enum', message: `Unsupported value: null: supported values: ${node.enum.map(quote).join(', ')}` });
    }
    return;
  }
  if (!matchesType(node, value)) {
    violations.push({
      path,
      code: 'type',
      message: `must be of type ${node.intOrString ? 'integer or string' : node.type}, not ${jsonType(value)}`,
    });
    return;
  }

  if (node.allOf || node.anyOf || node.oneOf || node.not) validateJunctions(node, value, path, pass);

  if (typeof value === 'string') validateString(node, value, path, violations);
  else if (typeof value === 'number' || typeof value === 'bigint') validateNumber(node, value, path, violations);

  if (node.enum && !enumIncludes(node.enum, value)) {
    violations.push({
      path,
      code: 'enum',
      message: `Unsupported value: ${quote(value)}: supported values: ${node.enum.map(quote).join(', ')}`,
    });
  }

  if (Array.isArray(value)) validateArray(node, value, path, pass);
  else if (isRecord(value)) validateObject(node, value, path, pass);
}

function validateString(node: SchemaNode, value: string, path: string, violations: CrdViolation[]): void {
  const length = node.minLength !== undefined || node.maxLength !== undefined ? [...value].length : 0;
  if (node.maxLength !== undefined && length > node.maxLength) {
    violations.push({ path, code: 'max-length', message: `Too long: may not be more than ${node.maxLength} characters (has ${length})` });
  }
  if (node.minLength !== undefined && length < node.minLength) {
    violations.push({ path, code: 'min-length', message: `should be at least ${node.minLength} characters long (has ${length})` });
  }
  if (node.pattern && !node.pattern.regex.test(value)) {
    violations.push({ path, code: 'pattern', message: `${quote(value)} should match '${node.pattern.source}'` });
  }
  if (node.format !== undefined) {
    const problem = checkStringFormat(node.format, value);
    if (problem !== undefined) violations.push({ path, code: 'format', message: `${quote(value)} ${problem}` });
  }
}

const INTEGER_FORMAT_RANGES: Record<string, [bigint, bigint]> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n],
};

function validateNumber(node: SchemaNode, value: number | bigint, path: string, violations: CrdViolation[]): void {
  const range = node.type === 'integer' && node.format !== undefined ? INTEGER_FORMAT_RANGES[node.format] : undefined;
  if (range) {
    const integer = BigInt(value);
    if (integer < range[0] || integer > range[1]) {
      violations.push({ path, code: 'format', message: `${value} is out of range for format ${node.format} (${range[0]}..${range[1]})` });
    }
  }
  const numeric = Number(value);
  if (node.maximum !== undefined && (node.exclusiveMaximum ? numeric >= node.maximum : numeric > node.maximum)) {
    violations.push({
      path,
      code: 'maximum',
      message: `${value} should be less than ${node.exclusiveMaximum ? '' : 'or equal to '}${node.maximum}`,
    });
  }
  if (node.minimum !== undefined && (node.exclusiveMinimum ? numeric <= node.minimum : numeric < node.minimum)) {
    violations.push({
      path,
      code: 'minimum',
      message: `${value} should be greater than ${node.exclusiveMinimum ? '' : 'or equal to '}${node.minimum}`,
    });
  }
  if (node.multipleOf !== undefined && node.multipleOf > 0 && !Number.isInteger(numeric / node.multipleOf)) {
    violations.push({ path, code: 'multiple-of', message: `${value} should be a multiple of ${node.multipleOf}` });
  }
}

function validateArray(node: SchemaNode, value: unknown[], path: string, pass: SchemaPass): void {
  const { violations } = pass;
  if (node.maxItems !== undefined && value.length > node.maxItems) {
    violations.push({ path, code: 'max-items', message: `Too many: ${value.length}: must have at most ${node.maxItems} items` });
  }
  if (node.minItems !== undefined && value.length < node.minItems) {
    violations.push({ path, code: 'min-items', message: `should have at least ${node.minItems} items (has ${value.length})` });
  }
  if (node.items) {
    value.forEach((item, index) => validateValue(node.items as SchemaNode, item, `${path}[${index}]`, pass));
  }
  if (node.listType === 'set' || (node.listType === 'map' && node.listMapKeys && node.listMapKeys.length > 0)) {
    const seen = new Map<string, number>();
    value.forEach((item, index) => {
      const identity =
        node.listType === 'set'
          ? canonicalJson(item)
          : canonicalJson((node.listMapKeys as string[]).map((key) => (isRecord(item) ? item[key] : undefined) ?? null));
      const first = seen.get(identity);
      if (first === undefined) {
        seen.set(identity, index);
        return;
      }
      const shown = node.listType === 'set' ? quote(item) : `{${(node.listMapKeys as string[]).map((key) => `${key}: ${quote(isRecord(item) ? item[key] : undefined)}`).join(', ')}}`;
      violations.push({ path: `${path}[${index}]`, code: 'duplicate', message: `Duplicate value: ${shown} (same as item ${first})` });
    });
  }
}

function validateObject(node: SchemaNode, value: Record<string, unknown>, path: string, pass: SchemaPass): void {
  const { violations, strict } = pass;
  const size = Object.keys(value).length;
  if (node.maxProperties !== undefined && size > node.maxProperties) {
    violations.push({ path, code: 'max-properties', message: `Too many: ${size}: must have at most ${node.maxProperties} properties` });
  }
  if (node.minProperties !== undefined && size < node.minProperties) {
    violations.push({ path, code: 'min-properties', message: `should have at least ${node.minProperties} properties (has ${size})` });
  }
  for (const name of node.required) {
    if (!Object.hasOwn(value, name)) violations.push({ path: joinPath(path, name), code: 'required', message: 'Required value' });
  }
  for (const [key, child] of Object.entries(value)) {
    const childPath = joinPath(path, key);
    const schema = node.properties?.get(key) ?? node.additionalProperties;
    if (!schema) {
      if (strict && !node.preserveUnknownFields && !(node.embeddedResource && EMBEDDED_RESOURCE_FIELDS.has(key))) {
        violations.push({
          path: childPath,
          code: 'unknown-field',
          message: `unknown field ${JSON.stringify(key)}: the schema does not declare it, so the API server would prune it`,
        });
      }
      continue;
    }
    if (child === null && strict && !schema.nullable) {
      violations.push({
        path: childPath,
        code: 'dropped-null',
        message: 'null in a non-nullable field: the API server drops the field instead of storing it',
      });
      continue;
    }
    validateValue(schema, child, childPath, pass);
  }
}

const EMBEDDED_RESOURCE_FIELDS = new Set(['apiVersion', 'kind', 'metadata']);

function branchMatches(branch: SchemaNode, value: unknown, path: string): boolean {
  const probe: SchemaPass = { violations: [], strict: false };
  validateValue(branch, value, path, probe);
  return probe.violations.length === 0;
}

function validateJunctions(node: SchemaNode, value: unknown, path: string, pass: SchemaPass): void {
  if (node.allOf) {
    for (const branch of node.allOf) {
      validateValue(branch, value, path, { violations: pass.violations, strict: false });
    }
  }
  if (node.anyOf && !node.intOrString) {
    let matchedAny = false;
    for (const branch of node.anyOf) {
      if (branchMatches(branch, value, path)) {
        matchedAny = true;
        break;
      }
    }
    if (!matchedAny) {
      pass.violations.push({ path, code: 'any-of', message: `must match at least one schema in anyOf${describeBranches(node.anyOf, value)}` });
    }
  }
  if (node.oneOf) {
    let matched = 0;
    for (const branch of node.oneOf) if (branchMatches(branch, value, path)) matched += 1;
    if (matched !== 1) {
      pass.violations.push({ path, code: 'one-of', message: describeOneOf(node.oneOf, value, matched) });
    }
  }
  if (node.not && branchMatches(node.not, value, path)) {
    pass.violations.push({ path, code: 'not', message: 'must not match the schema in not' });
  }
}

// Istio's generated CRDs say "at most one of these fields" as
// oneOf: [{not: {anyOf: [{required: [a]}, {required: [b]}]}}, {required: [a]}, {required: [b]}].
function exclusiveFields(branches: SchemaNode[]): string[] | undefined {
  const fields: string[] = [];
  for (const branch of branches) {
    if (branch.not?.anyOf) continue;
    if (branch.required.length !== 1 || branch.properties || branch.oneOf || branch.anyOf || branch.allOf) return undefined;
    fields.push(branch.required[0] as string);
  }
  return fields.length === branches.length - 1 ? fields : undefined;
}

function describeOneOf(branches: SchemaNode[], value: unknown, matched: number): string {
  const fields = exclusiveFields(branches);
  if (fields && isRecord(value)) {
    const present = fields.filter((field) => Object.hasOwn(value, field));
    return `only one of ${fields.join(', ')} may be set, found ${present.join(' and ')}`;
  }
  return `must match exactly one schema in oneOf, matched ${matched}${describeBranches(branches, value)}`;
}

function describeBranches(branches: SchemaNode[], value: unknown): string {
  const required = branches.map((branch) => branch.required.join('+')).filter((text) => text !== '');
  return required.length > 0 && isRecord(value) ? ` (branches require: ${required.join(' | ')})` : '';
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson(value[key])}`)
      .join(',')}}`;
  }
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value) ?? 'null';
}

function enumIncludes(allowed: unknown[], value: unknown): boolean {
  if (typeof value !== 'object') return allowed.includes(value);
  const wanted = canonicalJson(value);
  return allowed.some((candidate) => canonicalJson(candidate) === wanted);
}

// ---------------------------------------------------------------------------------------------
// String formats kube-apiserver validates (apiextensions' supported set; others are ignored)

const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$/;
const UUID = /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i;
const HOSTNAME_LABEL = /^[a-zA-Z0-9\p{S}\p{L}]([a-zA-Z0-9\p{S}\p{L}-]{0,61}[a-zA-Z0-9\p{S}\p{L}])?$/u;
const MAC = /^([0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^([0-9A-Fa-f]{4}\.){2}[0-9A-Fa-f]{4}$/;

function checkStringFormat(format: string, value: string): string | undefined {
  switch (format) {
    case 'date-time':
    case 'datetime':
      return DATE_TIME.test(value) && !Number.isNaN(Date.parse(value.replace(' ', 'T'))) ? undefined : 'is not an RFC 3339 date-time';
    case 'date':
      return /^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(value)) ? undefined : 'is not a full-date (YYYY-MM-DD)';
    case 'byte':
      return value === '' || BASE64.test(value) ? undefined : 'is not base64 (standard alphabet, padded)';
    case 'ipv4':
      return parseIp(value) !== undefined && value.includes('.') ? undefined : 'is not an IPv4 address';
    case 'ipv6':
      return parseIp(value) !== undefined && value.includes(':') ? undefined : 'is not an IPv6 address';
    case 'cidr': {
      const slash = value.indexOf('/');
      const address = slash < 0 ? undefined : parseIp(value.slice(0, slash));
      const bits = slash < 0 ? NaN : Number(value.slice(slash + 1));
      const ok = address !== undefined && /^\d{1,3}$/.test(value.slice(slash + 1)) && bits <= (address === 4 ? 32 : 128);
      return ok ? undefined : 'is not a CIDR';
    }
    case 'uuid':
      return UUID.test(value) ? undefined : 'is not a UUID';
    case 'hostname':
      return value.length <= 255 && value.split('.').every((label) => HOSTNAME_LABEL.test(label)) ? undefined : 'is not a hostname';
    case 'uri':
      return parseGoUrl(value, true).error === undefined ? undefined : 'is not a request URI';
    case 'mac':
      return MAC.test(value) ? undefined : 'is not a MAC address';
    default:
      return undefined;
  }
}

/** 4 or 6 when Go's net.ParseIP accepts the text, else undefined. */
function parseIp(text: string): 4 | 6 | undefined {
  const isIpv4 = (part: string): boolean => {
    const octets = part.split('.');
    return octets.length === 4 && octets.every((octet) => /^(0|[1-9]\d{0,2})$/.test(octet) && Number(octet) <= 255);
  };
  if (isIpv4(text)) return 4;
  if (!text.includes(':')) return undefined;
  const lastColon = text.lastIndexOf(':');
  const embeddedIpv4 = text.slice(lastColon + 1).includes('.');
  if (embeddedIpv4 && !isIpv4(text.slice(lastColon + 1))) return undefined;
  const groups = embeddedIpv4 ? `${text.slice(0, lastColon + 1)}0:0` : text;
  const halves = groups.split('::');
  if (halves.length > 2) return undefined;
  let total = 0;
  for (const half of halves) {
    if (half === '') continue;
    const parts = half.split(':');
    if (!parts.every((part) => /^[0-9A-Fa-f]{1,4}$/.test(part))) return undefined;
    total += parts.length;
  }
  return (halves.length === 2 ? total < 8 : total === 8) ? 6 : undefined;
}

// ---------------------------------------------------------------------------------------------
// ObjectMeta, as apimachinery validates it for a custom resource (name: DNS-1123 subdomain)

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const QUALIFIED_NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const LABEL_VALUE = /^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$/;
const TOTAL_ANNOTATION_BYTES = 256 * 1024;

const SERVER_POPULATED_METADATA = new Set([
  'uid',
  'generation',
  'creationTimestamp',
  'deletionTimestamp',
  'deletionGracePeriodSeconds',
  'selfLink',
  'managedFields',
]);
const CLIENT_METADATA = new Set(['name', 'generateName', 'namespace', 'labels', 'annotations', 'finalizers', 'ownerReferences', 'resourceVersion']);

function dns1123Subdomain(value: string): string | undefined {
  if (value.length > 253) return `must be no more than 253 characters (has ${value.length})`;
  if (!DNS1123_SUBDOMAIN.test(value)) {
    return "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

function qualifiedName(value: string): string | undefined {
  const parts = value.split('/');
  if (parts.length > 2) return "a qualified name must be an optional DNS subdomain prefix and '/' followed by a name";
  const name = parts.length === 2 ? (parts[1] as string) : value;
  if (parts.length === 2) {
    const prefix = parts[0] as string;
    if (prefix === '') return 'prefix part must be non-empty';
    const problem = dns1123Subdomain(prefix);
    if (problem !== undefined) return `prefix part ${problem}`;
  }
  if (name === '') return 'name part must be non-empty';
  if (name.length > 63) return `name part must be no more than 63 characters (has ${name.length})`;
  if (!QUALIFIED_NAME_PART.test(name)) {
    return "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
  }
  return undefined;
}

function validateMetadata(metadata: unknown, resource: ServedResource, violations: CrdViolation[]): void {
  const problem = (path: string, message: string): void => {
    violations.push({ path, code: 'metadata', message });
  };
  if (!isRecord(metadata)) {
    violations.push({ path: 'metadata', code: 'required', message: 'metadata with a name is required' });
    return;
  }
  for (const [key, value] of Object.entries(metadata)) {
    const path = joinPath('metadata', key);
    if (SERVER_POPULATED_METADATA.has(key)) {
      if (value !== null) problem(path, `${key} is set by the API server; a value sent on create is discarded`);
    } else if (!CLIENT_METADATA.has(key)) {
      violations.push({ path, code: 'unknown-field', message: `unknown field ${JSON.stringify(key)} in ObjectMeta` });
    }
  }

  const { name, generateName, namespace } = metadata;
  if (name === undefined || name === '') {
    if (typeof generateName === 'string' && generateName !== '') {
      const prefixProblem = dns1123Subdomain(generateName.endsWith('-') ? `${generateName}a` : generateName);
      if (prefixProblem !== undefined) problem('metadata.generateName', prefixProblem);
    } else {
      violations.push({ path: 'metadata.name', code: 'required', message: 'name or generateName is required' });
    }
  } else if (typeof name !== 'string') {
    violations.push({ path: 'metadata.name', code: 'type', message: `must be a string, not ${jsonType(name)}` });
  } else {
    const nameProblem = dns1123Subdomain(name);
    if (nameProblem !== undefined) problem('metadata.name', `${JSON.stringify(name)}: ${nameProblem}`);
  }

  if (resource.namespaced) {
    if (namespace === undefined || namespace === '') {
      violations.push({ path: 'metadata.namespace', code: 'required', message: `${resource.kind} is namespaced: namespace is required` });
    } else if (typeof namespace !== 'string') {
      violations.push({ path: 'metadata.namespace', code: 'type', message: `must be a string, not ${jsonType(namespace)}` });
    } else if (namespace.length > 63 || !DNS1123_LABEL.test(namespace)) {
      problem('metadata.namespace', `${JSON.stringify(namespace)}: a namespace must be an RFC 1123 label (at most 63 lower case alphanumeric characters or '-', starting and ending alphanumeric)`);
    }
  } else if (namespace !== undefined && namespace !== '') {
    problem('metadata.namespace', `${resource.kind} is cluster-scoped: namespace is not allowed`);
  }

  if (metadata.resourceVersion !== undefined && metadata.resourceVersion !== '') {
    problem('metadata.resourceVersion', 'resourceVersion should not be set on objects to be created');
  }

  validateStringMap(metadata.labels, 'metadata.labels', violations, (key, value, path) => {
    const keyProblem = qualifiedName(key);
    if (keyProblem !== undefined) problem(path, `label key ${JSON.stringify(key)}: ${keyProblem}`);
    if (value.length > 63) problem(path, `label value must be no more than 63 characters (has ${value.length})`);
    else if (!LABEL_VALUE.test(value)) {
      problem(path, `label value ${JSON.stringify(value)} must be empty or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character`);
    }
  });

  let annotationBytes = 0;
  validateStringMap(metadata.annotations, 'metadata.annotations', violations, (key, value, path) => {
    const keyProblem = qualifiedName(key.toLowerCase());
    if (keyProblem !== undefined) problem(path, `annotation key ${JSON.stringify(key)}: ${keyProblem}`);
    annotationBytes += Buffer.byteLength(key) + Buffer.byteLength(value);
  });
  if (annotationBytes > TOTAL_ANNOTATION_BYTES) {
    problem('metadata.annotations', `Too long: must have at most ${TOTAL_ANNOTATION_BYTES} bytes (has ${annotationBytes})`);
  }

  if (metadata.finalizers !== undefined) {
    if (!Array.isArray(metadata.finalizers)) {
      violations.push({ path: 'metadata.finalizers', code: 'type', message: `must be a list of strings, not ${jsonType(metadata.finalizers)}` });
    } else {
      metadata.finalizers.forEach((finalizer, index) => {
        const path = `metadata.finalizers[${index}]`;
        if (typeof finalizer !== 'string') violations.push({ path, code: 'type', message: `must be a string, not ${jsonType(finalizer)}` });
        else {
          const finalizerProblem = qualifiedName(finalizer);
          if (finalizerProblem !== undefined) problem(path, `${JSON.stringify(finalizer)}: ${finalizerProblem}`);
        }
      });
    }
  }

  if (metadata.ownerReferences !== undefined) {
    if (!Array.isArray(metadata.ownerReferences)) {
      violations.push({ path: 'metadata.ownerReferences', code: 'type', message: `must be a list, not ${jsonType(metadata.ownerReferences)}` });
    } else {
      metadata.ownerReferences.forEach((reference, index) => {
        const path = `metadata.ownerReferences[${index}]`;
        if (!isRecord(reference)) {
          violations.push({ path, code: 'type', message: `must be an object, not ${jsonType(reference)}` });
          return;
        }
        for (const field of ['apiVersion', 'kind', 'name', 'uid']) {
          if (typeof reference[field] !== 'string' || reference[field] === '') {
            violations.push({ path: `${path}.${field}`, code: 'required', message: 'Required value' });
          }
        }
        for (const [field, value] of Object.entries(reference)) {
          if (field === 'controller' || field === 'blockOwnerDeletion') {
            if (typeof value !== 'boolean') violations.push({ path: `${path}.${field}`, code: 'type', message: `must be a boolean, not ${jsonType(value)}` });
          } else if (!['apiVersion', 'kind', 'name', 'uid'].includes(field)) {
            violations.push({ path: joinPath(path, field), code: 'unknown-field', message: `unknown field ${JSON.stringify(field)} in OwnerReference` });
          }
        }
      });
    }
  }
}

function validateStringMap(
  value: unknown,
  path: string,
  violations: CrdViolation[],
  check: (key: string, value: string, path: string) => void,
): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) {
    violations.push({ path, code: 'type', message: `must be a map of strings, not ${jsonType(value)}` });
    return;
  }
  for (const [key, entry] of Object.entries(value)) {
    const entryPath = joinPath(path, key);
    if (typeof entry !== 'string') {
      violations.push({ path: entryPath, code: 'type', message: `must be a string, not ${jsonType(entry)}` });
      continue;
    }
    check(key, entry, entryPath);
  }
}

// ---------------------------------------------------------------------------------------------
// CEL: values as Kubernetes presents them to rules

// Kubernetes exposes a property to CEL under an escaped name when the plain one is a CEL keyword
// or contains characters CEL identifiers cannot.
const CEL_RESERVED = new Set([
  'true', 'false', 'null', 'in', 'as', 'break', 'const', 'continue', 'else', 'for', 'function', 'if',
  'import', 'let', 'loop', 'package', 'namespace', 'return', 'var', 'void', 'while',
]);

const celPropertyNames = new Map<string, string | undefined>();

function celPropertyName(name: string): string | undefined {
  if (celPropertyNames.has(name)) return celPropertyNames.get(name);
  let escaped: string | undefined;
  if (CEL_RESERVED.has(name)) escaped = `__${name}__`;
  else if (/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) {
    escaped = name
      .replace(/__/g, '__underscores__')
      .replace(/\./g, '__dot__')
      .replace(/-/g, '__dash__')
      .replace(/\//g, '__slash__');
  }
  celPropertyNames.set(name, escaped);
  return escaped;
}

function stringAsCel(node: SchemaNode | undefined, value: string): CelInput {
  switch (node?.format) {
    case 'byte':
      return BASE64.test(value) ? new Uint8Array(Buffer.from(value, 'base64')) : value;
    case 'date-time':
    case 'datetime': {
      const time = Date.parse(value);
      return Number.isNaN(time) ? value : timestampFromDate(new Date(time));
    }
    case 'duration': {
      const parsed = parseGoDuration(value);
      return typeof parsed === 'bigint' ? durationMessage(parsed) : value;
    }
    default:
      return value;
  }
}

/** The value of a subtree that no rule of its own needs, converted for a rule higher up. */
function plainAsCel(node: SchemaNode | undefined, value: unknown): CelInput {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return stringAsCel(node, value);
  if (typeof value === 'number') {
    if (node?.type === 'number') return value;
    return Number.isInteger(value) ? BigInt(value) : value;
  }
  if (typeof value === 'boolean' || typeof value === 'bigint') return value;
  if (Array.isArray(value)) return value.map((item) => plainAsCel(node?.items, item));
  if (isRecord(value)) {
    const entries = new Map<string, CelInput>();
    for (const [key, child] of Object.entries(value)) {
      const property = node?.properties?.get(key);
      if (property) {
        const name = celPropertyName(key);
        if (name !== undefined && (child !== null || property.nullable)) entries.set(name, plainAsCel(property, child));
      } else if (node?.additionalProperties) {
        if (child !== null || node.additionalProperties.nullable) entries.set(key, plainAsCel(node.additionalProperties, child));
      } else if (node === undefined || node.preserveUnknownFields || (node.embeddedResource && EMBEDDED_RESOURCE_FIELDS.has(key))) {
        entries.set(key, plainAsCel(undefined, child));
      }
    }
    return entries;
  }
  return null;
}

/**
 * Evaluates the rules of this node and below; returns the node's CEL value when `wanted` (a rule
 * above needs it) so each subtree is converted once.
 */
function evaluateRules(node: SchemaNode, value: unknown, path: string, wanted: boolean, walk: Walk): CelInput | undefined {
  const needValue = wanted || node.rules.length > 0;
  if (!needValue && !node.rulesBelow) return undefined;
  if (value === null || value === undefined) return null;

  let celValue: CelInput | undefined;
  if (Array.isArray(value)) {
    const items = node.items;
    const itemsHaveRules = items !== undefined && (items.rules.length > 0 || items.rulesBelow);
    const converted = value.map((item, index) =>
      itemsHaveRules ? evaluateRules(items, item, `${path}[${index}]`, needValue, walk) : undefined,
    );
    celValue = needValue ? value.map((item, index) => converted[index] ?? plainAsCel(items, item)) : undefined;
  } else if (isRecord(value)) {
    const entries = needValue ? new Map<string, CelInput>() : undefined;
    for (const [key, child] of Object.entries(value)) {
      const property = node.properties?.get(key);
      const schema = property ?? node.additionalProperties;
      if (!schema) {
        if (entries && (node.preserveUnknownFields || (node.embeddedResource && EMBEDDED_RESOURCE_FIELDS.has(key)))) {
          entries.set(key, plainAsCel(undefined, child));
        }
        continue;
      }
      // A null in a non-nullable field is pruned before rules run.
      if (child === null && !schema.nullable) continue;
      const childValue =
        schema.rules.length > 0 || schema.rulesBelow
          ? evaluateRules(schema, child, joinPath(path, key), needValue, walk)
          : undefined;
      if (!entries) continue;
      const celKey = property ? celPropertyName(key) : key;
      if (celKey !== undefined) entries.set(celKey, childValue ?? plainAsCel(schema, child));
    }
    celValue = entries;
  } else if (needValue) {
    celValue = plainAsCel(node, value);
  }

  for (const attached of node.rules) {
    runRule(attached, celValue ?? plainAsCel(node, value), path, walk);
  }
  return needValue ? (celValue ?? plainAsCel(node, value)) : undefined;
}

function rulePath(path: string, fieldPath: string | undefined): string {
  if (fieldPath === undefined || fieldPath === '') return path;
  const relative = fieldPath.startsWith('.') ? fieldPath.slice(1) : fieldPath;
  if (relative.startsWith('[')) return `${path}${relative}`;
  return path === '' ? relative : `${path}.${relative}`;
}

function runRule(attached: AttachedRule, self: CelInput, path: string, walk: Walk): void {
  const { compiled } = attached;
  // A transition rule (one that reads oldSelf) is only run on updates, as kube-apiserver does.
  if (compiled.kind === 'transition' && !attached.optionalOldSelf) return;
  if (compiled.kind !== 'ready') {
    walk.unevaluated.push({ path, rule: attached.rule, reason: unevaluableReason(attached) ?? 'cannot be evaluated' });
    return;
  }
  const outcome = compiled.evaluate(self);
  if (isCelError(outcome) && isImplementationGap(outcome.message)) {
    walk.unevaluated.push({ path, rule: attached.rule, reason: `the evaluator has no implementation for a call: ${outcome.message}` });
    return;
  }
  walk.evaluatedRules += 1;
  if (isCelError(outcome)) {
    walk.violations.push({
      path: rulePath(path, attached.fieldPath),
      code: 'rule',
      message: `${outcome.message} evaluating rule: ${attached.message ?? `failed rule: ${attached.rule}`}`,
      rule: attached.rule,
    });
    return;
  }
  if (outcome === true) return;
  walk.violations.push({
    path: rulePath(path, attached.fieldPath),
    code: 'rule',
    message: outcome === false ? ruleMessage(attached, self) : `rule evaluated to ${String(outcome)}, not a boolean`,
    rule: attached.rule,
  });
}

function ruleMessage(attached: AttachedRule, self: CelInput): string {
  const expression = attached.messageExpression;
  if (expression?.kind === 'ready') {
    const text = expression.evaluate(self);
    if (typeof text === 'string' && text.trim() !== '' && !text.includes('\n')) return text;
  }
  return attached.message ?? `failed rule: ${attached.rule}`;
}

function isImplementationGap(message: string): boolean {
  return message.startsWith('unbound function') || message.startsWith('found no matching overload');
}

// ---------------------------------------------------------------------------------------------
// CEL: compilation, cached by expression text, and the Kubernetes libraries Istio's rules use

type CompiledCel =
  | { kind: 'ready'; evaluate: (self: CelInput) => CelResult }
  | { kind: 'transition' }
  | { kind: 'unevaluable'; reason: string };

const compiledExpressions = new Map<string, CompiledCel>();

/** How many distinct CEL expressions have been compiled in this process. */
export function compiledCelExpressionCount(): number {
  return compiledExpressions.size;
}

function compileCel(expression: string): CompiledCel {
  const cached = compiledExpressions.get(expression);
  if (cached) return cached;
  let compiled: CompiledCel;
  try {
    const parsed = parseCel(expression);
    const usage = analyseExpression(parsed.expr);
    // Creates never run a transition rule, so what it calls does not matter here.
    if (usage.readsOldSelf) {
      compiled = { kind: 'transition' };
    } else if (usage.unsupported.length > 0) {
      compiled = {
        kind: 'unevaluable',
        reason: `calls ${usage.unsupported.map((name) => `${name}()`).join(', ')}, which this checker does not implement`,
      };
    } else {
      const program = planCel(kubernetesCelEnv, parsed);
      compiled = { kind: 'ready', evaluate: (self) => program({ self }) };
    }
  } catch (error) {
    compiled = { kind: 'unevaluable', reason: `cannot be compiled: ${error instanceof Error ? error.message : String(error)}` };
  }
  compiledExpressions.set(expression, compiled);
  return compiled;
}

function unevaluableReason(attached: AttachedRule): string | undefined {
  if (attached.compiled.kind === 'unevaluable') return attached.compiled.reason;
  if (attached.compiled.kind === 'transition' && attached.optionalOldSelf) {
    return 'optionalOldSelf rules see oldSelf as optional.none() on create, and CEL optional types are not implemented';
  }
  return undefined;
}

type ParsedExpr = ReturnType<typeof parseCel>['expr'];

const PLANNER_OPERATORS = new Set(['_[_]', '_[?_]', '_?._', '_?_:_', '_&&_', '_||_', '@not_strictly_false', '__not_strictly_false__']);

function* subexpressions(expr: ParsedExpr | undefined): Generator<ParsedExpr> {
  if (!expr) return;
  yield expr;
  const kind = expr.exprKind;
  switch (kind.case) {
    case 'selectExpr':
      yield* subexpressions(kind.value.operand);
      return;
    case 'callExpr':
      yield* subexpressions(kind.value.target);
      for (const arg of kind.value.args) yield* subexpressions(arg);
      return;
    case 'listExpr':
      for (const element of kind.value.elements) yield* subexpressions(element);
      return;
    case 'structExpr':
      for (const entry of kind.value.entries) {
        if (entry.keyKind.case === 'mapKey') yield* subexpressions(entry.keyKind.value);
        yield* subexpressions(entry.value);
      }
      return;
    case 'comprehensionExpr':
      for (const part of [kind.value.iterRange, kind.value.accuInit, kind.value.loopCondition, kind.value.loopStep, kind.value.result]) {
        yield* subexpressions(part);
      }
      return;
    default:
      return;
  }
}

function qualifiedIdentifier(expr: ParsedExpr | undefined): string | undefined {
  if (!expr) return undefined;
  if (expr.exprKind.case === 'identExpr') return expr.exprKind.value.name;
  if (expr.exprKind.case === 'selectExpr' && !expr.exprKind.value.testOnly) {
    const operand = qualifiedIdentifier(expr.exprKind.value.operand);
    return operand === undefined ? undefined : `${operand}.${expr.exprKind.value.field}`;
  }
  return undefined;
}

function analyseExpression(root: ParsedExpr): { unsupported: string[]; readsOldSelf: boolean } {
  const nodes = [...subexpressions(root)];
  const variables = new Set(['self', 'oldSelf']);
  for (const expr of nodes) {
    if (expr.exprKind.case !== 'comprehensionExpr') continue;
    const { iterVar, iterVar2, accuVar } = expr.exprKind.value;
    for (const name of [iterVar, iterVar2, accuVar]) if (name !== '') variables.add(name);
  }
  const unsupported = new Set<string>();
  let readsOldSelf = false;
  for (const expr of nodes) {
    if (expr.exprKind.case === 'identExpr' && expr.exprKind.value.name === 'oldSelf') readsOldSelf = true;
    if (expr.exprKind.case !== 'callExpr') continue;
    const call = expr.exprKind.value;
    const qualified = qualifiedIdentifier(call.target);
    // `format.dns1123Label()` names a function; `self.zones.isSorted()` calls a method.
    const namespace = qualified !== undefined && !variables.has(qualified.split('.')[0] as string) ? qualified : undefined;
    const known =
      PLANNER_OPERATORS.has(call.function) ||
      kubernetesCelEnv.funcs.find(call.function) !== undefined ||
      (namespace !== undefined && kubernetesCelEnv.funcs.find(`${namespace}.${call.function}`) !== undefined);
    if (!known) unsupported.add(namespace !== undefined ? `${namespace}.${call.function}` : call.function);
  }
  return { unsupported: [...unsupported].sort(), readsOldSelf };
}

const compiledRe2 = new Map<string, RE2JS>();
function compileRe2(pattern: string): RE2JS {
  let regex = compiledRe2.get(pattern);
  if (!regex) {
    regex = RE2JS.compile(pattern);
    compiledRe2.set(pattern, regex);
  }
  return regex;
}

// Go's time.ParseDuration, which cel-go's duration(string) uses: nanoseconds, or an error text.
const DURATION_UNITS: Record<string, bigint> = {
  ns: 1n,
  us: 1_000n,
  // Go takes both micro signs: U+00B5 and the Greek letter mu, U+03BC.
  '\u00b5s': 1_000n,
  '\u03bcs': 1_000n,
  ms: 1_000_000n,
  s: 1_000_000_000n,
  m: 60_000_000_000n,
  h: 3_600_000_000_000n,
};
const MAX_DURATION = 2n ** 63n;

function parseGoDuration(text: string): bigint | string {
  const invalid = `time: invalid duration ${JSON.stringify(text)}`;
  let rest = text;
  let negative = false;
  if (rest.startsWith('-') || rest.startsWith('+')) {
    negative = rest.startsWith('-');
    rest = rest.slice(1);
  }
  if (rest === '0') return 0n;
  if (rest === '') return invalid;
  let total = 0n;
  while (rest !== '') {
    const number = /^(\d*)(?:\.(\d*))?/.exec(rest);
    const whole = number?.[1] ?? '';
    const fraction = number?.[2];
    if (whole === '' && (fraction === undefined || fraction === '')) return invalid;
    rest = rest.slice(number?.[0].length ?? 0);
    const unitMatch = /^[^\d.]+/.exec(rest);
    if (!unitMatch) return `time: missing unit in duration ${JSON.stringify(text)}`;
    const unit = DURATION_UNITS[unitMatch[0]];
    if (unit === undefined) return `time: unknown unit ${JSON.stringify(unitMatch[0])} in duration ${JSON.stringify(text)}`;
    rest = rest.slice(unitMatch[0].length);
    let value = whole === '' ? 0n : BigInt(whole);
    if (value > MAX_DURATION / unit) return invalid;
    value *= unit;
    if (fraction !== undefined && fraction !== '') {
      // Go stops accumulating fraction digits before they overflow; 18 keeps the same precision.
      const digits = fraction.slice(0, 18);
      value += BigInt(Math.floor(Number(BigInt(digits)) * (Number(unit) / 10 ** digits.length)));
      if (value > MAX_DURATION) return invalid;
    }
    total += value;
    if (total > MAX_DURATION) return invalid;
  }
  if (negative) return -total;
  if (total > MAX_DURATION - 1n) return invalid;
  return total;
}

function durationMessage(nanoseconds: bigint): Duration {
  return create(DurationSchema, {
    seconds: nanoseconds / 1_000_000_000n,
    nanos: Number(nanoseconds % 1_000_000_000n),
  });
}

// Kubernetes' URL library (url(), isURL(), getScheme() ...) parses with Go's net/url. The library
// has no custom value types, so a URL travels as a map holding its text, with the parsed parts
// kept on the side.
const URL_PARTS = Symbol('parsed URL');
interface GoUrl {
  scheme: string;
  opaque: string;
  host: string;
  path: string;
  rawPath: string;
  rawQuery: string;
}
type CelUrl = CelMap & { [URL_PARTS]: GoUrl };

function urlParts(value: CelValue): GoUrl {
  if (isCelMap(value) && URL_PARTS in value) return (value as CelUrl)[URL_PARTS];
  throw new Error(`found no matching overload: not a URL`);
}

const GO_URL_EMPTY: GoUrl = { scheme: '', opaque: '', host: '', path: '', rawPath: '', rawQuery: '' };

function isHex(char: string | undefined): boolean {
  return char !== undefined && /^[0-9A-Fa-f]$/.test(char);
}

type UrlEncoding = 'path' | 'pathSegment' | 'host' | 'zone' | 'userPassword' | 'queryComponent' | 'fragment';

function shouldEscape(code: number, mode: UrlEncoding): boolean {
  const char = String.fromCharCode(code);
  if (/[A-Za-z0-9]/.test(char)) return false;
  if ((mode === 'host' || mode === 'zone') && `!$&'()*+,;=:[]<>"`.includes(char)) return false;
  if ('-_.~'.includes(char)) return false;
  if ('$&+,/:;=?@'.includes(char)) {
    switch (mode) {
      case 'path':
        return char === '?';
      case 'pathSegment':
        return '/;,?'.includes(char);
      case 'userPassword':
        return '@/?:'.includes(char);
      case 'queryComponent':
        return true;
      case 'fragment':
        return false;
      default:
        break;
    }
  }
  if (mode === 'fragment' && '!()*'.includes(char)) return false;
  return true;
}

/** Go's url.unescape on the UTF-8 bytes of the text. */
function urlUnescape(text: string, mode: UrlEncoding): { value: string } | { error: string } {
  const bytes = Buffer.from(text, 'utf8');
  const out: number[] = [];
  for (let index = 0; index < bytes.length; ) {
    const byte = bytes[index] as number;
    if (byte === 0x25) {
      const hi = String.fromCharCode(bytes[index + 1] ?? 0);
      const lo = String.fromCharCode(bytes[index + 2] ?? 0);
      if (index + 2 >= bytes.length || !isHex(hi) || !isHex(lo)) {
        return { error: `invalid URL escape ${JSON.stringify(bytes.subarray(index, index + 3).toString('latin1'))}` };
      }
      const decoded = parseInt(hi + lo, 16);
      const escape = bytes.subarray(index, index + 3).toString('latin1');
      if (mode === 'host' && parseInt(hi, 16) < 8 && escape !== '%25') return { error: `invalid URL escape ${JSON.stringify(escape)}` };
      if (mode === 'zone' && escape !== '%25' && decoded !== 0x20 && shouldEscape(decoded, 'host')) {
        return { error: `invalid URL escape ${JSON.stringify(escape)}` };
      }
      out.push(decoded);
      index += 3;
      continue;
    }
    if ((mode === 'host' || mode === 'zone') && byte < 0x80 && shouldEscape(byte, mode)) {
      return { error: `invalid character ${JSON.stringify(String.fromCharCode(byte))} in host name` };
    }
    out.push(byte === 0x2b && mode === 'queryComponent' ? 0x20 : byte);
    index += 1;
  }
  return { value: Buffer.from(out).toString('utf8') };
}

function urlEscape(text: string, mode: UrlEncoding): string {
  let out = '';
  for (const byte of Buffer.from(text, 'utf8')) {
    if (byte === 0x20 && mode === 'queryComponent') out += '+';
    else if (shouldEscape(byte, mode)) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
    else out += String.fromCharCode(byte);
  }
  return out;
}

function validOptionalPort(port: string): boolean {
  return port === '' || /^:\d*$/.test(port);
}

function parseHost(host: string): { value: string } | { error: string } {
  if (host.startsWith('[')) {
    const close = host.lastIndexOf(']');
    if (close < 0) return { error: "missing ']' in host" };
    const colonPort = host.slice(close + 1);
    if (!validOptionalPort(colonPort)) return { error: `invalid port ${JSON.stringify(colonPort)} after host` };
    const zone = host.slice(0, close).indexOf('%25');
    if (zone >= 0) {
      const parts = [urlUnescape(host.slice(0, zone), 'host'), urlUnescape(host.slice(zone, close), 'zone'), urlUnescape(host.slice(close), 'host')];
      let joined = '';
      for (const part of parts) {
        if ('error' in part) return part;
        joined += part.value;
      }
      return { value: joined };
    }
  } else {
    const colon = host.lastIndexOf(':');
    if (colon !== -1 && !validOptionalPort(host.slice(colon))) {
      return { error: `invalid port ${JSON.stringify(host.slice(colon))} after host` };
    }
  }
  return urlUnescape(host, 'host');
}

/** Go's url.parse(rawURL, viaRequest): ParseRequestURI when viaRequest, Parse otherwise. */
function parseGoUrl(raw: string, viaRequest: boolean): { url: GoUrl; error?: undefined } | { error: string } {
  let text = raw;
  if (!viaRequest) {
    const hash = text.indexOf('#');
    if (hash >= 0) {
      const fragment = urlUnescape(text.slice(hash + 1), 'fragment');
      if ('error' in fragment) return fragment;
      text = text.slice(0, hash);
    }
  }
  if (/[\u0000-\u001f\u007f]/.test(text)) return { error: 'net/url: invalid control character in URL' };
  if (text === '' && viaRequest) return { error: 'empty url' };
  const url: GoUrl = { ...GO_URL_EMPTY };
  if (text === '*') return { url: { ...url, path: '*' } };

  let rest = text;
  const schemeMatch = /^([A-Za-z][A-Za-z0-9+.-]*):/.exec(text);
  if (text.startsWith(':')) return { error: 'missing protocol scheme' };
  if (schemeMatch) {
    url.scheme = (schemeMatch[1] as string).toLowerCase();
    rest = text.slice(schemeMatch[0].length);
  }
  if (rest.endsWith('?') && rest.split('?').length === 2) {
    rest = rest.slice(0, -1);
  } else {
    const question = rest.indexOf('?');
    if (question >= 0) {
      url.rawQuery = rest.slice(question + 1);
      rest = rest.slice(0, question);
    }
  }
  if (!rest.startsWith('/')) {
    if (url.scheme !== '') return { url: { ...url, opaque: rest } };
    if (viaRequest) return { error: 'invalid URI for request' };
    const segment = rest.split('/')[0] ?? '';
    if (segment.includes(':')) return { error: 'first path segment in URL cannot contain colon' };
  }
  if ((url.scheme !== '' || (!viaRequest && !rest.startsWith('///'))) && rest.startsWith('//')) {
    let authority = rest.slice(2);
    rest = '';
    const slash = authority.indexOf('/');
    if (slash >= 0) {
      rest = authority.slice(slash);
      authority = authority.slice(0, slash);
    }
    const at = authority.lastIndexOf('@');
    const host = parseHost(at < 0 ? authority : authority.slice(at + 1));
    if ('error' in host) return host;
    if (at >= 0) {
      const userinfo = authority.slice(0, at);
      if (!/^[A-Za-z0-9\-._:~!$&'()*+,;=%@]*$/.test(userinfo)) return { error: 'net/url: invalid userinfo' };
      const colon = userinfo.indexOf(':');
      for (const part of colon < 0 ? [userinfo] : [userinfo.slice(0, colon), userinfo.slice(colon + 1)]) {
        const decoded = urlUnescape(part, 'userPassword');
        if ('error' in decoded) return decoded;
      }
    }
    url.host = host.value;
  }
  const path = urlUnescape(rest, 'path');
  if ('error' in path) return path;
  url.path = path.value;
  url.rawPath = urlEscape(path.value, 'path') === rest ? '' : rest;
  return { url };
}

function escapedPath(url: GoUrl): string {
  if (url.rawPath !== '') {
    const decoded = urlUnescape(url.rawPath, 'path');
    const validEncoded = [...url.rawPath].every((char) => `!$&'()*+,;=:@[]%`.includes(char) || !shouldEscape(char.charCodeAt(0), 'path'));
    if (validEncoded && 'value' in decoded && decoded.value === url.path) return url.rawPath;
  }
  if (url.path === '*') return '*';
  return urlEscape(url.path, 'path');
}

function splitHostPort(hostPort: string): [string, string] {
  let host = hostPort;
  let port = '';
  const colon = host.lastIndexOf(':');
  if (colon !== -1 && validOptionalPort(host.slice(colon))) {
    port = host.slice(colon + 1);
    host = host.slice(0, colon);
  }
  if (host.startsWith('[') && host.endsWith(']')) host = host.slice(1, -1);
  return [host, port];
}

function queryValues(rawQuery: string): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const pair of rawQuery.split('&')) {
    if (pair === '' || pair.includes(';')) continue;
    const equals = pair.indexOf('=');
    const key = urlUnescape(equals < 0 ? pair : pair.slice(0, equals), 'queryComponent');
    const value = urlUnescape(equals < 0 ? '' : pair.slice(equals + 1), 'queryComponent');
    if ('error' in key || 'error' in value) continue;
    values.set(key.value, [...(values.get(key.value) ?? []), value.value]);
  }
  return values;
}

const { BOOL, DYN, INT, STRING } = CelScalar;

const kubernetesLibrary = [
  // cel-go converts with strconv.ParseInt(s, 10, 64): no blanks, no hex, no empty string.
  celFunc('int', [STRING], INT, (text: string) => {
    if (!/^[+-]?\d+$/.test(text)) throw new Error(`cannot convert ${JSON.stringify(text)} to int: invalid syntax`);
    const value = BigInt(text);
    if (value < -(2n ** 63n) || value > 2n ** 63n - 1n) throw new Error(`cannot convert ${JSON.stringify(text)} to int: value out of range`);
    return value;
  }),
  // Go's ParseDuration also takes U+03BC as the micro sign, which the library's parser does not.
  celFunc('duration', [STRING], DYN, (text: string) => {
    const parsed = parseGoDuration(text);
    if (typeof parsed === 'string') throw new Error(parsed);
    return durationMessage(parsed);
  }),
  celFunc('isURL', [STRING], BOOL, (text: string) => parseGoUrl(text, true).error === undefined),
  celFunc('url', [STRING], DYN, (text: string) => {
    const requestUri = parseGoUrl(text, true);
    if (requestUri.error !== undefined) throw new Error(`URL parse error during conversion from string: parse ${JSON.stringify(text)}: ${requestUri.error}`);
    // Like Kubernetes: validate as a request URI, then parse with Parse so a #fragment is not
    // folded into the path or query.
    const parsed = parseGoUrl(text, false);
    if (parsed.error !== undefined) throw new Error(`URL parse error during conversion from string: parse ${JSON.stringify(text)}: ${parsed.error}`);
    return Object.assign(celMap(new Map([['url', text]])), { [URL_PARTS]: parsed.url });
  }),
  celMethod('getScheme', DYN, [], STRING, function (this: CelValue) {
    return urlParts(this).scheme;
  }),
  celMethod('getHost', DYN, [], STRING, function (this: CelValue) {
    return urlParts(this).host;
  }),
  celMethod('getHostname', DYN, [], STRING, function (this: CelValue) {
    return splitHostPort(urlParts(this).host)[0];
  }),
  celMethod('getPort', DYN, [], STRING, function (this: CelValue) {
    return splitHostPort(urlParts(this).host)[1];
  }),
  celMethod('getEscapedPath', DYN, [], STRING, function (this: CelValue) {
    return escapedPath(urlParts(this));
  }),
  celMethod('getQuery', DYN, [], mapType(STRING, listType(STRING)), function (this: CelValue) {
    return queryValues(urlParts(this).rawQuery);
  }),
];

const kubernetesCelEnv = celEnv({
  variables: { self: DYN },
  funcs: [...celStringsExtension, ...kubernetesLibrary],
  re2: { compile: (pattern: string) => compileRe2(pattern) },
});

// ---------------------------------------------------------------------------------------------
// Core kinds served without a CRD

const CONFIG_MAP_KEY = /^[-._a-zA-Z0-9]+$/;

/**
 * The API server's own checks of the core kinds meshctl emits (Namespace, ConfigMap): ObjectMeta
 * as for every object, a Namespace's name as an RFC 1123 label, a ConfigMap's data keys.
 */
/** Service names are RFC 1035 labels (Kubernetes' ValidateServiceName): a letter first. */
const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/**
 * The checks the API server makes of the core objects meshctl writes (Namespace, ConfigMap,
 * Service), the parts of them meshctl fills in: names, keys, ports.
 */
export function validateCoreObject(object: { kind: string; metadata?: unknown; data?: unknown; spec?: unknown }): CrdViolation[] {
  const violations: CrdViolation[] = [];
  const namespaced = object.kind !== 'Namespace';
  const resource = { group: '', version: 'v1', apiVersion: 'v1', kind: object.kind, namespaced, statusSubresource: false } as ServedResource;
  validateMetadata(object.metadata, resource, violations);
  const name = isRecord(object.metadata) ? object.metadata.name : undefined;
  if (object.kind === 'Namespace' && typeof name === 'string' && (name.length > 63 || !DNS1123_LABEL.test(name))) {
    violations.push({ path: 'metadata.name', code: 'metadata', message: `${JSON.stringify(name)}: a namespace name must be an RFC 1123 label` });
  }
  if (object.kind === 'Service') {
    if (typeof name === 'string' && (name.length > 63 || !DNS1035_LABEL.test(name))) {
      violations.push({ path: 'metadata.name', code: 'metadata', message: `${JSON.stringify(name)}: a Service name must be an RFC 1035 label` });
    }
    const ports = isRecord(object.spec) && Array.isArray(object.spec.ports) ? object.spec.ports : [];
    const portNames = new Set<string>();
    ports.forEach((port: unknown, index: number) => {
      if (!isRecord(port)) return;
      const at = (field: string) => `spec.ports[${index}].${field}`;
      for (const field of ['port', 'targetPort'] as const) {
        const value = port[field];
        if (typeof value === 'number' && !(Number.isInteger(value) && value >= 1 && value <= 65535)) violations.push({ path: at(field), code: value < 1 ? 'minimum' : 'maximum', message: `${value}: must be between 1 and 65535` });
      }
      if (typeof port.name === 'string') {
        if (port.name.length > 63 || !DNS1123_LABEL.test(port.name)) violations.push({ path: at('name'), code: 'metadata', message: `${JSON.stringify(port.name)}: a port name must be an RFC 1123 label` });
        if (portNames.has(port.name)) violations.push({ path: at('name'), code: 'duplicate', message: `${JSON.stringify(port.name)}: port names must be unique` });
        portNames.add(port.name);
      } else if (ports.length > 1) violations.push({ path: at('name'), code: 'required', message: 'a Service with several ports must name each' });
    });
  }
  if (object.kind === 'ConfigMap' && isRecord(object.data)) {
    for (const key of Object.keys(object.data)) {
      if (key.length > 253 || !CONFIG_MAP_KEY.test(key)) violations.push({ path: joinPath('data', key), code: 'metadata', message: `${JSON.stringify(key)}: a valid config key must consist of alphanumeric characters, '-', '_' or '.'` });
    }
  }
  return violations;
}
