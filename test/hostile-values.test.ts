// Defects the fuzzer (test/fuzz) found, each pinned by a focused test: values that crashed
// meshctl, numbers the YAML writers could not write, and text from a mesh that reached a terminal,
// a CI log or a pull-request comment as it was.
import { describe, expect, it } from 'vitest';
import {
  compile,
  envoyConfigToYaml,
  formatGithub,
  formatJson,
  formatSarif,
  formatStylish,
  loadSources,
  renderReviewMarkdown,
  renderReviewStylish,
  SourceText,
  toYamlStream,
  validate,
} from '../src/index.js';
import { positionalNumber } from '../src/output/yaml-writer.js';
import { baseMesh, DETAILS, reviewFiles } from './review/support.js';
import { validateCoreObject } from './support/crd-validator.js';

const load = (files: Record<string, string>) => loadSources(Object.entries(files).map(([file, text]) => new SourceText(file, text)));

const MESH = `apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec:
  jwtProviders:
    constructor: {issuer: https://login.example.com/, jwksUri: https://login.example.com/keys}
`;

/** Names that are members of Object.prototype, as claim keys, a port name and a JWT provider. */
const PROTOTYPE_NAMES = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, targetPort: 18080, protocol: http, name: constructor}, {port: 9090, protocol: http, name: metrics}]
  versions:
    v1: {labels: {version: v1}}
  authentication:
    jwt: {providers: [constructor]}
  access:
    allow:
      - when: {claims: {toString: [a, b]}}
      - from: {namespaces: [shop]}
    deny:
      - when: {claims: {hasOwnProperty: blocked}}
  envoy:
    inboundPorts: {metrics: 19090}
`;

describe('names of Object.prototype members', () => {
  it('validate, compile and review a mesh whose claims, port and provider are named like them', () => {
    const files = { 'mesh.yaml': MESH, 'web.yaml': PROTOTYPE_NAMES };
    const validation = validate(load(files));
    expect(validation.diagnostics.filter((d) => d.level === 'error').map((d) => d.message)).toEqual([]);
    const istio = compile(load(files), { target: 'istio' });
    expect(istio.ok).toBe(true);
    const yaml = toYamlStream(istio.ok ? istio.objects : []);
    expect(yaml).toContain('hasOwnProperty');
    expect(yaml).toContain('toString');
    const envoy = compile(load(files), { target: 'envoy' });
    expect(envoy.ok).toBe(true);
    const bootstrap = envoy.ok ? envoy.configs.map(envoyConfigToYaml).join('\n') : '';
    // The port named "constructor" has no inboundPorts entry: its sidecar listens on the service
    // port, not on whatever Object.prototype.constructor would give.
    expect(bootstrap).toContain('port_value: 8080');
    expect(bootstrap).toContain('port_value: 19090');
    expect(bootstrap).not.toMatch(/function|\[object/);
    expect(() => renderReviewMarkdown(reviewFiles({ 'mesh.yaml': MESH }, files))).not.toThrow();
  });

  it('report "__proto__" keys instead of dropping them', () => {
    const text = MESH.replace('  jwtProviders:', '  namespaces:\n    __proto__: {mtls: strict}\n  jwtProviders:');
    const result = validate(load({ 'mesh.yaml': text }));
    expect(result.diagnostics.map((d) => `${d.code} ${d.span.line}:${d.span.column} ${d.message}`)).toEqual([
      'MESH103 6:5 spec.namespaces.__proto__: the key "__proto__" cannot be used: it names the prototype of an object, not an entry',
    ]);
  });

  // The loader lets the schema check skip its search for "__proto__" keys in a document whose text
  // has neither "__proto__" nor a backslash; a double-quoted escape spells the key without either.
  it.each([
    ['a hex escape', '  namespaces:\n    "\\x5f_proto__": {mtls: strict}\n'],
    ['a unicode escape', '  namespaces:\n    "\\u005F\\u005fproto__": {mtls: strict}\n'],
    ['an escaped line break', '  namespaces:\n    ? "__pro\\\n      to__"\n    : {mtls: strict}\n'],
    ['an escape in a flow mapping', '  namespaces: {"\\x5f_proto__": {mtls: strict}}\n'],
  ])('report "__proto__" keys written with %s', (_, entry) => {
    const text = MESH.replace('  jwtProviders:', `${entry}  jwtProviders:`);
    expect(text).not.toContain('__proto__');
    const result = validate(load({ 'mesh.yaml': text }));
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([
      'MESH103 spec.namespaces.__proto__: the key "__proto__" cannot be used: it names the prototype of an object, not an entry',
    ]);
  });

  it('the loader marks only documents whose text cannot spell "__proto__" as free of it', () => {
    const documents = load({ 'plain.yaml': MESH, 'key.yaml': MESH.replace('mesh}', '__proto__}'), 'escape.yaml': MESH.replace('mesh}', '"me\\x73h"}') }).documents;
    expect(Object.fromEntries(documents.map((d) => [d.file, d.noPrototypeKey ?? false]))).toEqual({ 'plain.yaml': true, 'key.yaml': false, 'escape.yaml': false });
  });
});

describe('numbers', () => {
  it('a fraction JavaScript writes in exponent form is compiled in positional notation', () => {
    const service = PROTOTYPE_NAMES.replace('  envoy:', '  routes:\n    - name: all\n      fault: {abort: {status: 503, percent: 1e-7}, delay: {duration: 1s, percent: 0.00000015}}\n  envoy:');
    const files = { 'mesh.yaml': MESH.replace('spec:', 'spec:\n  telemetry: {tracing: {samplingPercent: 1e-7}}'), 'web.yaml': service };
    const istio = compile(load(files), { target: 'istio' });
    expect(istio.ok).toBe(true);
    const yaml = toYamlStream(istio.ok ? istio.objects : []);
    expect(yaml).toContain('0.0000001');
    expect(yaml).toContain('0.00000015');
    expect(yaml).not.toMatch(/\de-\d/);
    const envoy = compile(load(files), { target: 'envoy' });
    expect(envoy.ok && envoy.configs.map(envoyConfigToYaml).join('')).not.toMatch(/\de-\d/);
  });

  it('positionalNumber moves the digits and reads back exactly', () => {
    for (const value of [1e-7, -2.345e-10, 1e21, 1.2345e25, 5e-324, 123, 0.5]) {
      const text = positionalNumber(value);
      expect(text).not.toMatch(/e/i);
      expect(Number(text)).toBe(value);
    }
  });

  it('NaN and infinities are shown as YAML writes them, not as JavaScript prints them', () => {
    const result = validate(load({ 'mesh.yaml': MESH.replace('spec:', 'spec:\n  namespaces: {shop: .nan}\n  telemetry: {tracing: {samplingPercent: .inf}}') }));
    const messages = result.diagnostics.map((d) => d.message).join('\n');
    expect(messages).toContain('.nan');
    expect(messages).not.toMatch(/NaN|Infinity|got null/);
  });
});

describe('text from the mesh in human formats', () => {
  // A file name and a value with an escape sequence, a C1 CSI, a bell and a lone carriage return.
  const file = 'mesh\u001b[2J\u009b31m\r.yaml';
  const hostile = MESH.replace('{name: mesh}', '{name: "bad\\e[31m\\u009b1;1H\\x07\\rname"}');
  const result = validate(load({ [file]: hostile }));
  const control = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

  it('the mesh under test does carry control characters into the diagnostics', () => {
    expect(result.diagnostics.length).toBeGreaterThan(0);
    expect(result.diagnostics.some((d) => control.test(d.message))).toBe(true);
  });

  it('stylish and GitHub annotations show them as visible escapes', () => {
    const stylish = formatStylish(result, { color: false });
    expect(stylish).not.toMatch(control);
    expect(stylish).toContain('mesh\\e[2J\\x9b31m\\r.yaml');
    const github = formatGithub(result);
    expect(github).not.toMatch(control);
    expect(github.trimEnd().split('\n')).toHaveLength(result.diagnostics.length);
  });

  it('JSON and SARIF keep the text exact', () => {
    const json = JSON.parse(formatJson(result)) as { diagnostics: { message: string; file: string }[] };
    expect(json.diagnostics.map((d) => d.message)).toEqual(result.diagnostics.map((d) => d.message));
    expect(json.diagnostics[0]!.file).toBe(file);
    const sarif = JSON.parse(formatSarif(result, { toolVersion: '0.0.0' })) as { runs: { results: { message: { text: string } }[] }[] };
    expect(sarif.runs[0]!.results.map((r) => r.message.text)).toEqual(result.diagnostics.map((d) => d.message));
  });

  it('the review comment escapes file names and values: no new block, mention, link or HTML', () => {
    const base = baseMesh();
    // A file name that ends the code span it is shown in, and a value with lone carriage returns.
    const injected = 'x\n\n<img src=x onerror=alert(1)>\n@everyone\n[click](https://evil.example.com)\n# Approved by security team\n.yaml';
    const head = {
      ...base,
      'mesh/details.yaml': DETAILS.replace('      - from: {services: [productpage]}', '      - from: {services: [productpage]}\n      - to: {paths: ["/a\\r\\r# Approved by security team"]}'),
      [injected]: 'apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: extra, namespace: storefront}\nspec: {ports: [{port: 80, protocol: http}], unknownField: 1}\n',
    };
    const review = reviewFiles(base, head);
    const markdown = renderReviewMarkdown(review);
    expect(markdown).not.toMatch(control);
    expect(review.diagnostics.new.map((d) => d.file)).toContain(injected);
    expect(review.access.map((change) => change.message).join('\n')).toContain('\r\r# Approved');
    // What renders: outside code blocks, escapes and code spans (which a blank line ends).
    const rendered = markdown.replace(/^(`{3,})[^\n]*\n[\s\S]*?^\1\n/gm, '').replace(/\\[^\n]/g, '').replace(/(`+)(?:(?!\1)(?!\n[ \t]*\n)[^])*?\1/g, '');
    expect(rendered).not.toMatch(/^\s*#+ Approved/m);
    expect(rendered).not.toContain('<img');
    expect(rendered).not.toMatch(/(^|[^\w])@everyone/);
    expect(rendered).not.toContain('](https://');
    const stylish = renderReviewStylish(review, { color: false });
    expect(stylish).not.toMatch(control);
  });
});

describe('core objects the Istio target emits', () => {
  it('a Namespace name must be an RFC 1123 label, as the API server requires', () => {
    const namespace = (name: string) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } });
    expect(validateCoreObject(namespace('shop'))).toEqual([]);
    expect(validateCoreObject(namespace('Shop')).map((v) => v.path)).toContain('metadata.name');
    expect(validateCoreObject(namespace('a.b')).map((v) => v.path)).toContain('metadata.name');
  });

  it('a Service has an RFC 1035 name and named ports within 1-65535, as the API server requires', () => {
    const service = (name: string, ports: object[]) => ({ apiVersion: 'v1', kind: 'Service', metadata: { name, namespace: 'shop' }, spec: { ports } });
    expect(validateCoreObject(service('inventory', [{ name: 'tcp-mysql', port: 3306, targetPort: 3306 }]))).toEqual([]);
    expect(validateCoreObject(service('1nventory', [{ port: 3306 }])).map((v) => v.path)).toEqual(['metadata.name']);
    expect(validateCoreObject(service('inventory', [{ name: 'a', port: 0 }, { name: 'a', port: 70000 }])).map((v) => v.path)).toEqual(['spec.ports[0].port', 'spec.ports[1].port', 'spec.ports[1].name']);
    expect(validateCoreObject(service('inventory', [{ port: 1 }, { port: 2 }])).map((v) => v.code)).toEqual(['required', 'required']);
  });
});
