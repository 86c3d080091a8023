// Checks the bodies of EnvoyFilter patches against Envoy's own v3 protos. Istio's CRD types
// `patch.value` as a free object, so a misspelt field (`token_buckets`) or an enum value Envoy does
// not have passes `kubectl apply`, and is only refused when istiod converts the patch (or, worse,
// silently dropped by a lenient conversion). This reads each patch value as protobuf's JSON mapping
// reads it: every key must be a field of its message (proto name or JSON camelCase name), enums must
// name a value, oneofs hold one member, well-known types have their JSON forms, and an `Any`
// (typed_config, typed_per_filter_config entries, transport sockets) is checked as the message its
// `@type` names. Deprecated fields are reported too: Envoy refuses some of them by default.
//
// The protos are the Envoy API snapshot that @grpc/grpc-js-xds ships (deps/envoy-api with its
// xds, googleapis and protoc-gen-validate dependencies), loaded with protobufjs. That snapshot is
// older than the Envoy a current Istio runs; the few fields meshctl needs from later Envoy releases
// are listed in ENVOY_API_ADDITIONS, each with the release that added it, so nothing else newer can
// slip through. protoc-gen-validate constraints (min_len, required, ...) are not checked.
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import protobuf from 'protobufjs';

export interface ProtoViolation {
  /** Where in the object, e.g. spec.configPatches[0].patch.value.typed_config.token_bucket. */
  readonly path: string;
  readonly message: string;
}

/** Fields Envoy added after the shipped API snapshot, with the Envoy release that added them. */
export const ENVOY_API_ADDITIONS: readonly { type: string; field: string; id: number; fieldType: string; since: string }[] = [
  {
    // Dynamic (wildcard) descriptors: a descriptor entry with an empty value gets one token bucket
    // per distinct request value, kept in an LRU cache of this size.
    type: 'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
    field: 'max_dynamic_descriptors',
    id: 18,
    fieldType: '.google.protobuf.UInt32Value',
    since: 'Envoy 1.34',
  },
];

/** The message an EnvoyFilter patch value is, by `applyTo` (Istio's EnvoyFilter reference). */
export const PATCH_VALUE_TYPES: Readonly<Record<string, string>> = {
  LISTENER: 'envoy.config.listener.v3.Listener',
  FILTER_CHAIN: 'envoy.config.listener.v3.FilterChain',
  NETWORK_FILTER: 'envoy.config.listener.v3.Filter',
  HTTP_FILTER: 'envoy.extensions.filters.network.http_connection_manager.v3.HttpFilter',
  ROUTE_CONFIGURATION: 'envoy.config.route.v3.RouteConfiguration',
  VIRTUAL_HOST: 'envoy.config.route.v3.VirtualHost',
  HTTP_ROUTE: 'envoy.config.route.v3.Route',
  CLUSTER: 'envoy.config.cluster.v3.Cluster',
  EXTENSION_CONFIG: 'envoy.config.core.v3.TypedExtensionConfig',
  LISTENER_FILTER: 'envoy.config.listener.v3.ListenerFilter',
  BOOTSTRAP: 'envoy.config.bootstrap.v3.Bootstrap',
};

const TYPE_URL_PREFIX = 'type.googleapis.com/';
const TYPED_STRUCTS = new Set(['udpa.type.v1.TypedStruct', 'xds.type.v3.TypedStruct']);
const DURATION = /^-?\d+(\.\d{1,9})?s$/;

export class EnvoyProtoCatalog {
  /** Proto files of the snapshot that could not be loaded (imports the package does not ship). */
  readonly unloadable: readonly string[];
  private readonly root: protobuf.Root;

  constructor(root: protobuf.Root, unloadable: readonly string[]) {
    this.root = root;
    this.unloadable = unloadable;
  }

  /** The message type of a fully qualified name, or undefined when the snapshot lacks it. */
  messageType(fullName: string): protobuf.Type | undefined {
    const found = this.root.lookup(fullName.replace(/^\./, ''));
    return found instanceof protobuf.Type ? found : undefined;
  }
}

let cached: EnvoyProtoCatalog | undefined;

/** Loads every v3 Envoy proto the package ships (about half a second), once per process. */
export function loadEnvoyProtos(): EnvoyProtoCatalog {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  const xdsPackage = path.dirname(require.resolve('@grpc/grpc-js-xds/package.json'));
  const deps = path.join(xdsPackage, 'deps');
  // protobufjs ships descriptor.proto (imported by the annotation protos) next to its own sources.
  const includes = [
    ...['envoy-api', 'xds', 'googleapis', 'protoc-gen-validate'].map((dir) => path.join(deps, dir)),
    path.dirname(require.resolve('protobufjs/package.json')),
  ];
  const root = new protobuf.Root();
  root.resolvePath = (_origin, target) => {
    if (path.isAbsolute(target) || target in protobuf.common) return target;
    for (const include of includes) {
      const candidate = path.join(include, target);
      if (existsSync(candidate)) return candidate;
    }
    return target;
  };
  const unloadable: string[] = [];
  // v2 and alpha packages import files the package leaves out; patches use v3 only. TypedStruct
  // (a message given as a Struct, common in Istio's examples) is loaded for the Any it wraps.
  const files = [
    ...protoFiles(path.join(deps, 'envoy-api', 'envoy')).filter((name) => /\/v3\//.test(name)),
    path.join(deps, 'xds', 'udpa', 'type', 'v1', 'typed_struct.proto'),
    path.join(deps, 'xds', 'xds', 'type', 'v3', 'typed_struct.proto'),
  ];
  for (const file of files) {
    try {
      root.loadSync(file, { keepCase: true });
    } catch {
      unloadable.push(path.relative(deps, file));
    }
  }
  for (const addition of ENVOY_API_ADDITIONS) {
    const type = root.lookupType(addition.type);
    if (!type.fields[addition.field]) type.add(new protobuf.Field(addition.field, addition.id, addition.fieldType));
  }
  cached = new EnvoyProtoCatalog(root, unloadable);
  return cached;
}

function protoFiles(directory: string): string[] {
  const files: string[] = [];
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) files.push(...protoFiles(full));
    else if (entry.name.endsWith('.proto')) files.push(full);
  }
  return files.sort();
}

/** Checks every patch value of an EnvoyFilter object; other objects give no violations. */
export function checkEnvoyFilter(catalog: EnvoyProtoCatalog, object: unknown): ProtoViolation[] {
  if (!isRecord(object) || object.kind !== 'EnvoyFilter' || !isRecord(object.spec)) return [];
  const patches = object.spec.configPatches;
  if (!Array.isArray(patches)) return [];
  const violations: ProtoViolation[] = [];
  patches.forEach((patch: unknown, index) => {
    const at = `spec.configPatches[${index}]`;
    if (!isRecord(patch) || !isRecord(patch.patch)) return;
    const value = patch.patch.value;
    if (value === undefined) return;
    const applyTo = typeof patch.applyTo === 'string' ? patch.applyTo : '';
    const typeName = PATCH_VALUE_TYPES[applyTo];
    if (!typeName) {
      violations.push({ path: `${at}.applyTo`, message: `no Envoy message is known for applyTo "${applyTo}"` });
      return;
    }
    violations.push(...checkMessage(catalog, typeName, value, `${at}.patch.value`));
  });
  return violations;
}

/** Checks a JSON value as protobuf's JSON mapping would parse it into the named message. */
export function checkMessage(catalog: EnvoyProtoCatalog, typeName: string, value: unknown, at: string): ProtoViolation[] {
  const type = catalog.messageType(typeName);
  if (!type) return [{ path: at, message: `the Envoy API snapshot has no message ${typeName}` }];
  const violations: ProtoViolation[] = [];
  new Walker(catalog, violations).message(type, value, at);
  return violations;
}

class Walker {
  constructor(
    private readonly catalog: EnvoyProtoCatalog,
    private readonly violations: ProtoViolation[],
  ) {}

  private report(path: string, message: string): void {
    this.violations.push({ path, message });
  }

  message(type: protobuf.Type, value: unknown, at: string): void {
    const special = WELL_KNOWN_JSON[type.fullName.replace(/^\./, '')];
    if (special) {
      if (!special(value)) this.report(at, `not a valid JSON ${type.name}: ${preview(value)}`);
      return;
    }
    if (type.fullName === '.google.protobuf.Any') {
      this.any(value, at);
      return;
    }
    if (!isRecord(value)) {
      this.report(at, `${type.name} must be an object, got ${preview(value)}`);
      return;
    }
    this.fields(type, value, at, new Set());
  }

  /** The fields of a message object; `skip` names keys already handled (an Any's "@type"). */
  private fields(type: protobuf.Type, value: Record<string, unknown>, at: string, skip: ReadonlySet<string>): void {
    const byJsonName = new Map<string, protobuf.Field>();
    for (const field of type.fieldsArray) byJsonName.set(jsonName(field), field);
    const oneofMembers = new Map<string, string[]>();
    const keyOfField = new Map<string, string>();
    for (const [key, fieldValue] of Object.entries(value)) {
      if (skip.has(key)) continue;
      const field = type.fields[key] ?? byJsonName.get(key);
      const where = `${at}.${key}`;
      if (!field) {
        this.report(where, `${type.fullName.slice(1)} has no field "${key}"${nearestField(type, key)}`);
        continue;
      }
      const earlierKey = keyOfField.get(field.name);
      if (earlierKey !== undefined) this.report(where, `"${key}" and "${earlierKey}" are both the field ${field.name}: protobuf's JSON parser refuses the duplicate`);
      keyOfField.set(field.name, key);
      if (field.options?.deprecated) this.report(where, `${type.fullName.slice(1)}.${field.name} is deprecated`);
      if (fieldValue === null) continue;
      const oneof = field.partOf;
      // proto3 `optional` fields sit in a synthetic oneof of their own: not a real choice.
      if (oneof && !(oneof.fieldsArray.length === 1 && oneof.name.startsWith('_'))) {
        const members = oneofMembers.get(oneof.name) ?? [];
        members.push(field.name);
        oneofMembers.set(oneof.name, members);
      }
      this.field(field, fieldValue, where);
    }
    for (const [oneof, members] of oneofMembers) {
      if (members.length > 1) this.report(at, `${members.join(' and ')} are alternatives (oneof ${oneof}): set one of them`);
    }
  }

  private field(field: protobuf.Field, value: unknown, at: string): void {
    if (field instanceof protobuf.MapField) {
      if (!isRecord(value)) {
        this.report(at, `map field ${field.name} must be an object, got ${preview(value)}`);
        return;
      }
      for (const [key, entry] of Object.entries(value)) this.single(field, entry, `${at}.${key}`);
      return;
    }
    if (field.repeated) {
      if (!Array.isArray(value)) {
        this.report(at, `repeated field ${field.name} must be a list, got ${preview(value)}`);
        return;
      }
      value.forEach((item, index) => this.single(field, item, `${at}[${index}]`));
      return;
    }
    this.single(field, value, at);
  }

  private single(field: protobuf.Field, value: unknown, at: string): void {
    let resolved: protobuf.Type | protobuf.Enum | null;
    try {
      resolved = field.resolve().resolvedType;
    } catch (error) {
      this.report(at, `cannot resolve the type of ${field.name}: ${(error as Error).message}`);
      return;
    }
    if (resolved instanceof protobuf.Type) this.message(resolved, value, at);
    else if (resolved instanceof protobuf.Enum) this.enumValue(resolved, value, at);
    else if (!scalarAccepts(field.type, value)) this.report(at, `${field.name} is a ${field.type}, got ${preview(value)}`);
  }

  private enumValue(type: protobuf.Enum, value: unknown, at: string): void {
    if (typeof value === 'string') {
      if (!(value in type.values)) this.report(at, `${type.fullName.slice(1)} has no value "${value}" (values: ${Object.keys(type.values).join(', ')})`);
    } else if (typeof value === 'number') {
      if (!Object.values(type.values).includes(value)) this.report(at, `${type.fullName.slice(1)} has no value numbered ${value}`);
    } else {
      this.report(at, `${type.name} must be an enum value name, got ${preview(value)}`);
    }
  }

  private any(value: unknown, at: string): void {
    if (!isRecord(value)) {
      this.report(at, `an Any must be an object with "@type", got ${preview(value)}`);
      return;
    }
    const typeUrl = value['@type'];
    if (typeof typeUrl !== 'string') {
      this.report(at, 'an Any needs "@type"');
      return;
    }
    const type = this.typeOfUrl(typeUrl, `${at}.@type`);
    if (!type) return;
    const fullName = type.fullName.slice(1);
    if (WELL_KNOWN_JSON[fullName] || fullName === 'google.protobuf.Any') {
      // Well-known types with a JSON form of their own are wrapped: {"@type": ..., "value": <form>}.
      this.message(type, value.value, `${at}.value`);
      return;
    }
    if (TYPED_STRUCTS.has(fullName)) {
      this.typedStruct(value, at);
      return;
    }
    this.fields(type, value, at, new Set(['@type']));
  }

  /** udpa/xds TypedStruct: a message given as a Struct, with its type in `type_url`. */
  private typedStruct(value: Record<string, unknown>, at: string): void {
    const typeUrl = value.type_url ?? value.typeUrl;
    const type = typeof typeUrl === 'string' ? this.typeOfUrl(typeUrl, `${at}.type_url`) : undefined;
    if (typeof typeUrl !== 'string') this.report(at, 'a TypedStruct needs type_url');
    for (const key of Object.keys(value)) {
      if (!['@type', 'type_url', 'typeUrl', 'value'].includes(key)) this.report(`${at}.${key}`, `TypedStruct has no field "${key}"`);
    }
    if (type && value.value !== undefined) this.message(type, value.value, `${at}.value`);
  }

  private typeOfUrl(typeUrl: string, at: string): protobuf.Type | undefined {
    if (!typeUrl.startsWith(TYPE_URL_PREFIX)) {
      this.report(at, `type URL "${typeUrl}" does not start with ${TYPE_URL_PREFIX}`);
      return undefined;
    }
    const type = this.catalog.messageType(typeUrl.slice(TYPE_URL_PREFIX.length));
    if (!type) this.report(at, `no message ${typeUrl.slice(TYPE_URL_PREFIX.length)} in the Envoy API snapshot`);
    return type;
  }
}

/** protobuf's JSON name: snake_case to lowerCamelCase, unless json_name says otherwise. */
function jsonName(field: protobuf.Field): string {
  const explicit = field.options?.json_name;
  if (typeof explicit === 'string') return explicit;
  return field.name.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());
}

function nearestField(type: protobuf.Type, key: string): string {
  const wanted = key.replace(/([A-Z])/g, '_$1').toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const name of Object.keys(type.fields)) {
    const distance = editDistance(wanted, name);
    if (distance < bestDistance) {
      best = name;
      bestDistance = distance;
    }
  }
  return best ? ` (did you mean "${best}"?)` : '';
}

function editDistance(a: string, b: string): number {
  const previous = Array.from({ length: b.length + 1 }, (_, index) => index);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = previous[0]!;
    previous[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = previous[j]!;
      previous[j] = Math.min(above + 1, previous[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return previous[b.length]!;
}

const isInteger = (value: unknown, min: number, max: number): boolean => {
  const number = typeof value === 'string' && /^-?\d+$/.test(value) ? Number(value) : value;
  return typeof number === 'number' && Number.isInteger(number) && number >= min && number <= max;
};
const isNumber = (value: unknown): boolean =>
  typeof value === 'number' || (typeof value === 'string' && (/^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value) || ['NaN', 'Infinity', '-Infinity'].includes(value)));
const isBase64 = (value: unknown): boolean => typeof value === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(value);

function scalarAccepts(type: string, value: unknown): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'bool':
      return typeof value === 'boolean';
    case 'bytes':
      return isBase64(value);
    case 'double':
    case 'float':
      return isNumber(value);
    case 'int32':
    case 'sint32':
    case 'sfixed32':
      return isInteger(value, -(2 ** 31), 2 ** 31 - 1);
    case 'uint32':
    case 'fixed32':
      return isInteger(value, 0, 2 ** 32 - 1);
    case 'int64':
    case 'sint64':
    case 'sfixed64':
      return isInteger(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
    case 'uint64':
    case 'fixed64':
      return isInteger(value, 0, Number.MAX_SAFE_INTEGER);
    default:
      return false;
  }
}

/** Well-known types whose JSON form is not an object of their fields. */
const WELL_KNOWN_JSON: Readonly<Record<string, (value: unknown) => boolean>> = {
  'google.protobuf.Duration': (value) => typeof value === 'string' && DURATION.test(value),
  'google.protobuf.Timestamp': (value) => typeof value === 'string' && !Number.isNaN(Date.parse(value)),
  'google.protobuf.FieldMask': (value) => typeof value === 'string',
  'google.protobuf.Struct': isRecord,
  'google.protobuf.Value': () => true,
  'google.protobuf.ListValue': Array.isArray,
  'google.protobuf.Empty': (value) => isRecord(value) && Object.keys(value).length === 0,
  'google.protobuf.BoolValue': (value) => typeof value === 'boolean',
  'google.protobuf.StringValue': (value) => typeof value === 'string',
  'google.protobuf.BytesValue': isBase64,
  'google.protobuf.DoubleValue': isNumber,
  'google.protobuf.FloatValue': isNumber,
  'google.protobuf.Int32Value': (value) => isInteger(value, -(2 ** 31), 2 ** 31 - 1),
  'google.protobuf.UInt32Value': (value) => isInteger(value, 0, 2 ** 32 - 1),
  'google.protobuf.Int64Value': (value) => isInteger(value, Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER),
  'google.protobuf.UInt64Value': (value) => isInteger(value, 0, Number.MAX_SAFE_INTEGER),
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function preview(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? String(value) : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
