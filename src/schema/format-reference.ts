// The format reference, read off the JSON Schema that is itself generated from the zod schema:
// docs/format.md (every kind and field, with type, default, allowed values and description) and
// `meshctl explain`. Nothing here describes a field by hand.
import { UserError } from '../diagnostics/user-error.js';
import { didYouMean } from '../common/suggest.js';
import { meshJsonSchema } from './json-schema.js';

type JsonSchema = Record<string, unknown> & {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  items?: JsonSchema;
  additionalProperties?: boolean | JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  description?: string;
  default?: unknown;
  $ref?: string;
};

export interface FieldInfo {
  /** e.g. service.spec.canary */
  path: string;
  type: string;
  required: boolean;
  description?: string;
  default?: unknown;
  values?: readonly unknown[];
  constraints: string[];
  fields: FieldInfo[];
}

export class UnknownFieldPathError extends UserError {}

/** One tree per kind, with the kind's name in lower case as its root. */
export function formatTree(): FieldInfo[] {
  const root = meshJsonSchema() as JsonSchema;
  const resolve = (schema: JsonSchema): JsonSchema => {
    let current = schema;
    for (let depth = 0; current.$ref && depth < 20; depth++) {
      const target = current.$ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], root);
      current = { ...(target as JsonSchema), ...(current.description ? { description: current.description } : {}) };
    }
    return current;
  };
  const branches = (schema: JsonSchema) => schema.anyOf ?? schema.oneOf ?? [];

  const typeOf = (input: JsonSchema): string => {
    const schema = resolve(input);
    if (schema.const !== undefined) return JSON.stringify(schema.const);
    if (schema.enum) return 'enum';
    const union = branches(schema);
    if (union.length > 0) return [...new Set(union.map(typeOf))].join(' | ');
    if (schema.type === 'array') return `list of ${schema.items ? typeOf(schema.items) : 'any'}`;
    if (schema.type === 'object' || schema.properties) {
      if (schema.properties) return 'object';
      if (typeof schema.additionalProperties === 'object') return `map of ${typeOf(schema.additionalProperties)}`;
      return 'object';
    }
    if (Array.isArray(schema.type)) return schema.type.join(' | ');
    return schema.type ?? 'any';
  };

  const constraintsOf = (schema: JsonSchema): string[] => {
    const out: string[] = [];
    const bound = (key: string, text: string) => {
      // zod's integers carry the safe-integer range: no bound worth showing.
      if (schema[key] !== undefined && Math.abs(Number(schema[key])) !== Number.MAX_SAFE_INTEGER) out.push(`${text} ${String(schema[key])}`);
    };
    bound('minimum', '≥');
    bound('exclusiveMinimum', '>');
    bound('maximum', '≤');
    bound('exclusiveMaximum', '<');
    bound('minLength', 'at least characters:');
    bound('maxLength', 'at most characters:');
    bound('minItems', 'at least items:');
    bound('maxItems', 'at most items:');
    if (typeof schema.pattern === 'string') out.push(`pattern ${schema.pattern}`);
    return out;
  };

  const childrenOf = (input: JsonSchema, path: string): FieldInfo[] => {
    const schema = resolve(input);
    // Fields of the object itself, of its list items, of its map values, or of its object branches.
    const objects: JsonSchema[] = [];
    const collect = (node: JsonSchema, depth: number) => {
      const resolved = resolve(node);
      if (depth > 3) return;
      if (resolved.properties) objects.push(resolved);
      else if (resolved.type === 'array' && resolved.items) collect(resolved.items, depth + 1);
      else if (typeof resolved.additionalProperties === 'object') collect(resolved.additionalProperties, depth + 1);
      for (const branch of branches(resolved)) collect(branch, depth + 1);
      for (const part of resolved.allOf ?? []) collect(part, depth + 1);
    };
    collect(schema, 0);
    const fields = new Map<string, FieldInfo>();
    for (const object of objects) {
      for (const [name, child] of Object.entries(object.properties ?? {})) {
        if (fields.has(name)) continue;
        fields.set(name, field(child, `${path}.${name}`, object.required?.includes(name) ?? false));
      }
    }
    return [...fields.values()];
  };

  const field = (input: JsonSchema, path: string, required: boolean): FieldInfo => {
    const schema = resolve(input);
    const values = schema.enum ?? (branches(schema).every((b) => resolve(b).const !== undefined) && branches(schema).length > 0 ? branches(schema).map((b) => resolve(b).const) : undefined);
    const depth = path.split('.').length;
    return {
      path,
      type: values && !schema.enum ? 'enum' : typeOf(schema),
      required,
      ...(schema.description ? { description: schema.description } : {}),
      ...(schema.default !== undefined ? { default: schema.default } : {}),
      ...(values ? { values } : {}),
      constraints: constraintsOf(schema),
      // Deep enough for every field the format has; a guard against a recursive schema.
      fields: depth > 12 ? [] : childrenOf(schema, path),
    };
  };

  const kinds = Object.values((root.$defs ?? {}) as Record<string, JsonSchema>).filter((each) => each.properties?.kind);
  return kinds.map((kindSchema) => {
    const resolved = resolve(kindSchema);
    const kind = String(resolve(resolved.properties!.kind!).const);
    return { ...field(resolved, kind.toLowerCase(), true), type: kind };
  });
}

/** The field at a dotted path such as service.spec.canary (the kind in any case; list items are transparent). */
export function findField(path: string, tree: readonly FieldInfo[] = formatTree()): FieldInfo {
  const [kind = '', ...rest] = path.split('.').filter(Boolean);
  let node = tree.find((each) => each.path === kind.toLowerCase());
  if (!node) throw new UnknownFieldPathError(`unknown kind "${kind}"${didYouMean(kind, tree.map((each) => each.path))}; the kinds are ${tree.map((each) => each.path).join(', ')}`);
  for (const name of rest) {
    const next: FieldInfo | undefined = node.fields.find((each) => each.path.endsWith(`.${name}`));
    if (!next) {
      const names = node.fields.map((each) => each.path.slice(each.path.lastIndexOf('.') + 1));
      throw new UnknownFieldPathError(`${node.path} has no field "${name}"${didYouMean(name, names)}${names.length > 0 ? `; its fields are ${names.join(', ')}` : ''}`);
    }
    node = next;
  }
  return node;
}

const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** `meshctl explain`: a field, its type and description, and its fields one level down. */
export function explainText(info: FieldInfo): string {
  const lines = [`FIELD: ${info.path} <${info.type}>${info.required ? ' (required)' : ''}`, ''];
  lines.push('DESCRIPTION:', `  ${info.description ?? '(none)'}`);
  if (info.values) lines.push('', `VALUES: ${info.values.map(show).join(', ')}`);
  if (info.default !== undefined) lines.push('', `DEFAULT: ${show(info.default)}`);
  if (info.constraints.length > 0) lines.push('', `CONSTRAINTS: ${info.constraints.join('; ')}`);
  if (info.fields.length > 0) {
    lines.push('', 'FIELDS:');
    for (const child of info.fields) {
      lines.push(`  ${child.path.slice(child.path.lastIndexOf('.') + 1)} <${child.type}>${child.required ? ' (required)' : ''}`);
      if (child.description) lines.push(`    ${child.description}`);
    }
  }
  return `${lines.join('\n')}\n`;
}

/** docs/format.md: every kind, every field, one table per object. */
export function formatReferenceMarkdown(examples: Readonly<Record<string, string>> = {}): string {
  const tree = formatTree();
  const out: string[] = [
    '# The mesh file format (meshctl.dev/v1alpha1)',
    '',
    '<!-- Generated from the zod schema in src/schema/ by `npm run docs:format`; do not edit. -->',
    '',
    'Every field of every kind: its type, whether it is required, its default, its allowed values and',
    'bounds. `meshctl explain KIND.FIELD...` (e.g. `meshctl explain service.spec.canary`) prints the same',
    'for one field. Kinds: ' + tree.map((kind) => `[${kind.type}](#${kind.type.toLowerCase()})`).join(', ') + '.',
    '',
  ];
  const escape = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');
  const table = (node: FieldInfo) => {
    if (node.fields.length === 0) return;
    out.push(`#### \`${node.path}\``, '');
    if (node.description && node.path.includes('.')) out.push(escape(node.description), '');
    out.push('| field | type | required | default | allowed values, bounds | description |', '| --- | --- | --- | --- | --- | --- |');
    for (const child of node.fields) {
      const name = child.path.slice(child.path.lastIndexOf('.') + 1);
      const allowed = [...(child.values ? [child.values.map((v) => `\`${show(v)}\``).join(', ')] : []), ...child.constraints.map((c) => `\`${c}\``)].join('; ');
      out.push(`| \`${name}\` | ${escape(child.type)} | ${child.required ? 'yes' : ''} | ${child.default !== undefined ? `\`${escape(show(child.default))}\`` : ''} | ${escape(allowed)} | ${escape(child.description ?? '')} |`);
    }
    out.push('');
    for (const child of node.fields) table(child);
  };
  for (const kind of tree) {
    out.push(`## ${kind.type}`, '');
    if (kind.description) out.push(kind.description, '');
    const example = examples[kind.type];
    if (example) out.push('Example:', '', '```yaml', example.trimEnd(), '```', '');
    table(kind);
  }
  return `${out.join('\n').trimEnd()}\n`;
}
