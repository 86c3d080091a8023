// The values the fuzzer tries: those at the edges of what the format, Kubernetes, Istio's CRDs
// and Envoy's protos accept, and the hostile text a pull request can carry. A JSON Schema node
// (from the zod schema, the format's one source of truth) gives a value of its own shape, biased
// towards those edges.
import fc from 'fast-check';

export type Plain = null | boolean | number | string | Plain[] | { [key: string]: Plain };

/** Numbers at the edges of ports, percentages, uint32 and int64 fields, and of YAML's number forms. */
export const EDGE_NUMBERS: readonly number[] = [
  0, -0, 1, -1, 2, 0.5, 1e-7, 99.9999, 100, 100.5, 101, 255, 256, 1023, 1024, 65535, 65536, 70000, 2 ** 31 - 1, 2 ** 31, 2 ** 32 - 1, 2 ** 32,
  2 ** 53, 1e21, 1e300, -65535, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY,
];

/** Keys that are members of Object.prototype: a plain object lookup finds them on every map. */
export const PROTOTYPE_KEYS: readonly string[] = ['__proto__', 'constructor', 'hasOwnProperty', 'toString', 'valueOf', 'prototype', 'isPrototypeOf'];

/**
 * Text that must never reach a terminal, a CI log or a pull-request comment as it is: C0 and C1
 * control characters (C1 `\u009b` is a terminal CSI), a lone carriage return, Markdown that
 * mentions, links, embeds HTML or starts a heading.
 */
export const HOSTILE_TEXT: readonly string[] = [
  'a\u001b[31mred',
  'x\u009b2Jclear',
  'bell\u0007',
  'nul\u0000byte',
  'del\u007f',
  'line\nbreak',
  'tab\there',
  '\r\r# INJECTED heading',
  'a\r# INJECTED heading',
  '@everyone INJECTED',
  '<img src=x onerror=alert(1)> INJECTED',
  '[INJECTED](https://evil.example.com)',
  '![INJECTED](https://evil.example.com/x.png)',
  '**INJECTED**\n\n# INJECTED heading',
  '`code` INJECTED ``',
  'zero\u200bwidth',
  'rtl\u202eevil',
];

/** Strings at the edges of names, hosts, label keys and values, URIs and regexes. */
export const EDGE_STRINGS: readonly string[] = [
  '',
  ' ',
  '*',
  '.',
  '..',
  '../x',
  '/',
  'Name',
  'UPPER',
  'a'.repeat(63),
  'a'.repeat(64),
  'a'.repeat(253),
  'a'.repeat(254),
  'a'.repeat(1025),
  `${'a'.repeat(63)}.${'b'.repeat(63)}`,
  'a.b',
  'a_b',
  '-a',
  'a-',
  '0',
  '1e-7',
  'NaN',
  'true',
  'null',
  'ünïcødé',
  '日本語',
  '😀',
  'example.com',
  '*.example.com',
  '*.*.example.com',
  'foo*bar',
  'http://',
  'not a url',
  'https://login.example.com/jwks.json',
  'ftp://x',
  'spiffe://cluster.local/ns/a/sa/b',
  '10.0.0.1',
  '10.0.0.0/8',
  '::1',
  '300.1.1.1',
  'a/b',
  'a/b/c',
  'example.com/app',
  'app.kubernetes.io/name',
  'x'.repeat(64) + '/y',
  '(a+)+$',
  '[',
  '(?i)x',
  '\\',
  '%',
  '"',
  "'",
  '#',
  ':',
  '- x',
  '{}',
  '1ms',
  '0s',
  '1000000h',
  '-1s',
  '9223372036854775807s',
  ...PROTOTYPE_KEYS,
  ...HOSTILE_TEXT,
];

export const edgeNumber = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...EDGE_NUMBERS) },
  { weight: 1, arbitrary: fc.integer({ min: -70000, max: 70000 }) },
  { weight: 1, arbitrary: fc.double({ noNaN: false }) },
);

/** Random regular expressions: what RE2 and ECMAScript disagree on, and what is costly. */
const regexText = fc
  .array(fc.constantFrom('a', '.', '*', '+', '?', '(', ')', '[', ']', '^', '$', '|', '\\d', '\\', '{2,}', '(?i)', '(?P<n>', '\\p{L}', '{1000}', 'x{2,3}'), {
    minLength: 1,
    maxLength: 8,
  })
  .map((parts) => parts.join(''));

export const edgeString = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(...EDGE_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: fc.integer({ min: 0, max: 0x200 }).map((c) => String.fromCharCode(c)), maxLength: 10 }) },
  { weight: 1, arbitrary: regexText },
  { weight: 1, arbitrary: fc.stringMatching(/^[a-z0-9]([-a-z0-9.]{0,70}[a-z0-9])?$/) },
);

/** Any plain value, shallow: what a type swap puts in place of a node. */
export const anyValue: fc.Arbitrary<Plain> = fc.oneof(
  { weight: 3, arbitrary: edgeNumber },
  { weight: 3, arbitrary: edgeString },
  { weight: 1, arbitrary: fc.boolean() },
  { weight: 1, arbitrary: fc.constant(null) },
  { weight: 1, arbitrary: fc.constant([] as Plain[]) },
  { weight: 1, arbitrary: fc.constant({} as Plain) },
  { weight: 1, arbitrary: fc.array(edgeString, { maxLength: 3 }) },
);

export const anyKey: fc.Arbitrary<string> = fc.oneof({ weight: 3, arbitrary: fc.constantFrom(...EDGE_STRINGS) }, { weight: 1, arbitrary: edgeString });

type JsonSchema = Record<string, unknown>;

/** A value of a JSON Schema node's shape, edges first; `depth` bounds nested objects and lists. */
export function valueOfSchema(schema: JsonSchema | undefined, depth = 3): fc.Arbitrary<Plain> {
  if (!schema || typeof schema !== 'object') return anyValue;
  let byDepth = schemaArbitraries.get(schema);
  if (!byDepth) schemaArbitraries.set(schema, (byDepth = new Map()));
  let arbitrary = byDepth.get(depth);
  if (!arbitrary) byDepth.set(depth, (arbitrary = buildValueOfSchema(schema, depth)));
  return arbitrary;
}

const schemaArbitraries = new WeakMap<JsonSchema, Map<number, fc.Arbitrary<Plain>>>();

function buildValueOfSchema(schema: JsonSchema, depth: number): fc.Arbitrary<Plain> {
  const branches = (schema.oneOf ?? schema.anyOf) as JsonSchema[] | undefined;
  if (Array.isArray(branches) && branches.length > 0) return fc.oneof(...branches.map((branch) => valueOfSchema(branch, depth)));
  if ('const' in schema) return fc.constant(schema.const as Plain);
  if (Array.isArray(schema.enum)) return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...(schema.enum as Plain[])) }, { weight: 1, arbitrary: edgeString });
  switch (schema.type) {
    case 'boolean':
      return fc.boolean();
    case 'integer':
      return fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...EDGE_NUMBERS.filter(Number.isInteger)) }, { weight: 2, arbitrary: fc.integer({ min: -10, max: 70000 }) }, { weight: 1, arbitrary: edgeNumber });
    case 'number':
      return edgeNumber;
    case 'string':
      return edgeString;
    case 'array': {
      if (depth <= 0) return fc.constant([]);
      return fc.array(valueOfSchema(schema.items as JsonSchema | undefined, depth - 1), { minLength: 0, maxLength: 3 });
    }
    case 'object': {
      if (depth <= 0) return fc.constant({});
      const properties = (schema.properties ?? {}) as Record<string, JsonSchema>;
      const required = new Set((schema.required ?? []) as string[]);
      const names = Object.keys(properties);
      if (names.length > 0) {
        const record: Record<string, fc.Arbitrary<Plain>> = {};
        for (const name of names) record[name] = valueOfSchema(properties[name], depth - 1);
        return fc.record(record, { requiredKeys: names.filter((name) => required.has(name)) }) as fc.Arbitrary<Plain>;
      }
      const values = schema.additionalProperties as JsonSchema | undefined;
      return fc
        .array(fc.tuple(anyKey, valueOfSchema(values, depth - 1)), { maxLength: 3 })
        .map((entries) => plainObject(entries));
    }
    default:
      return anyValue;
  }
}

/** An object with exactly these own keys, `__proto__` included (a literal would set the prototype). */
export function plainObject(entries: readonly (readonly [string, Plain])[]): { [key: string]: Plain } {
  const object: { [key: string]: Plain } = {};
  for (const [key, value] of entries) Object.defineProperty(object, key, { value, enumerable: true, writable: true, configurable: true });
  return object;
}
