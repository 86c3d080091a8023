// The YAML writer must produce text that every reader of meshctl's output reads back as the same
// data: YAML 1.2 readers, and YAML 1.1 readers such as the Go parser behind kubectl and Argo CD,
// for which `on`, `yes`, `0777` and `1:30` are not strings.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import jsYaml from 'js-yaml';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { writeYaml } from '../../src/output/yaml-writer.js';

const TRICKY_STRINGS = [
  '', ' ', 'a b', ' leading', 'trailing ', 'yes', 'No', 'ON', 'off', 'y', 'N', 'true', 'False', 'null', 'Null', '~', '=', '<<',
  '0', '-1', '+1', '1.5', '.5', '1e3', '1E-3', '0x1F', '0o17', '0b101', '0777', '1_000', '1:30', '190:20:30', '.inf', '-.Inf', '.NaN',
  '2026-11-25', '2001-12-14t21:59:43.10-05:00', '1.5s', '250ms', '1m30s', 'v1', 'a:b', 'a: b', 'a:', ':a', 'a #b', 'a#b', '#a',
  '- a', '-a', '-', '?', '? a', '*', '*.example.com', '&anchor', '!tag', '%percent', '@type', '`tick', "'single'", '"double"',
  '|', '>', '[a]', '{a: 1}', 'a,b', 'outbound|8081||ratelimit.platform.svc.cluster.local', '^(.*?;\\s*)?(beta)=(1)(;.*)?$',
  'https://[a-z0-9-]+\\.preview\\.example\\.com', 'response.code >= 400', 'request.auth.claims[roles]', 'tab\there', 'new\nline',
  'multi\nline\ntext\n', 'ends with two\n\n', '\nleading newline', 'trailing space \nline', 'ünïcödé', 'emoji 🚀', '\u0000nul', 'cr\r\nlf',
  'a  b', 'istio-system/*', '/reviews/*', 'spiffe://cluster.local/ns/a/sa/b',
];

const readers: [string, (text: string) => unknown][] = [
  ['yaml 1.2', (text) => parse(text)],
  ['yaml 1.1', (text) => parse(text, { version: '1.1' })],
  ['js-yaml', (text) => jsYaml.load(text)],
];

describe.each(readers)('read back by %s', (_, read) => {
  it('every tricky string, as a value, a key and a list item', () => {
    for (const text of TRICKY_STRINGS) {
      const data = { value: text, [text === '' ? 'empty' : text]: 'key', list: [text, { nested: text }] };
      expect(read(writeYaml(data)), JSON.stringify(text)).toEqual(data);
    }
  });

  it('numbers, booleans, null, empty collections and nesting', () => {
    const data = { int: 42, negative: -7, fraction: 0.25, yes: true, no: false, nothing: null, emptyMap: {}, emptyList: [], deep: [[1, [2]], [{ a: [{}] }], { b: { c: [] } }] };
    expect(read(writeYaml(data))).toEqual(data);
  });

  it('every golden object', () => {
    const golden = path.join(import.meta.dirname, '..', 'golden', 'istio');
    for (const name of readdirSync(golden).filter((n) => n.endsWith('.yaml'))) {
      const object = jsYaml.load(readFileSync(path.join(golden, name), 'utf8')) as Record<string, unknown>;
      expect(read(writeYaml(object)), name).toEqual(object);
    }
  });
});

it('writes a multi-line string as a literal block when it reads back exactly', () => {
  expect(writeYaml({ data: { 'config.yaml': 'domain: shop\ndescriptors: []\n' } })).toBe('data:\n  config.yaml: |\n    domain: shop\n    descriptors: []\n');
});

it('refuses values YAML cannot carry', () => {
  expect(() => writeYaml({ n: Number.NaN })).toThrow(TypeError);
  expect(() => writeYaml({ n: Number.POSITIVE_INFINITY })).toThrow(TypeError);
});

it('writes numbers JavaScript prints in exponent form in positional notation, which every YAML reader takes for a number', () => {
  expect(writeYaml({ small: 1e-7, large: 1e21 })).toBe('small: 0.0000001\nlarge: 1000000000000000000000\n');
});

it('escapes DEL, C1 controls and Unicode line separators, which YAML does not allow raw', () => {
  const value = 'a\u007fb\u009bc\u2028d\u0085e';
  const text = writeYaml({ value });
  expect(text).not.toMatch(/[\u007f-\u009f\u2028]/);
  expect(parse(text)).toEqual({ value });
});
