// The Gateway API target's own names and one of its subtler rules, on small meshes: a version's
// Service never takes a name a mesh service (or another version) has and stays a 63-character
// RFC 1035 label; MESH706 reports a route istiod ranks above an earlier overlapping one, and only
// then.
import { describe, expect, it } from 'vitest';
import { compile } from '../../src/pipeline/index.js';
import { loadSources, SourceText, validate } from '../../src/index.js';

const load = (text: string) => loadSources([new SourceText('mesh.yaml', text)]);

function compiled(text: string) {
  const result = compile(load(text), { target: 'gateway-api' });
  if (!result.ok) throw new Error(result.validation.diagnostics.map((d) => `${d.code} ${d.message}`).join('; '));
  return result.objects;
}

const service = (name: string, extra = '') => `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
${extra}`;

describe('version Services', () => {
  it('are <service>-<version> where that name is free', () => {
    const objects = compiled(service('reviews', '  versions:\n    v1: {labels: {version: v1}}\n    v2: {labels: {version: v2}}\n  canary: {stable: v1, canary: v2, weight: 5}\n'));
    expect(objects.filter((o) => o.kind === 'Service').map((o) => o.metadata.name).sort()).toEqual(['reviews-v1', 'reviews-v2']);
  });

  it('never take a mesh service\'s name: the version gets a hashed name instead', () => {
    const text = `${service('reviews', '  versions:\n    v1: {labels: {version: v1}}\n    v2: {labels: {version: v2}}\n  canary: {stable: v1, canary: v2, weight: 5}\n')}---\n${service('reviews-v2')}`;
    const names = compiled(text).filter((o) => o.kind === 'Service').map((o) => o.metadata.name);
    expect(names).toContain('reviews-v1');
    expect(names).not.toContain('reviews-v2');
    const hashed = names.find((name) => name.startsWith('reviews-v2-'))!;
    expect(hashed).toMatch(/^reviews-v2-[0-9a-f]{8}$/);
    // The route sends the canary's share to that Service.
    expect(JSON.stringify(compiled(text).find((o) => o.kind === 'HTTPRoute'))).toContain(`"name":"${hashed}"`);
  });

  it('stay RFC 1035 labels of at most 63 characters', () => {
    const long = 'a'.repeat(40);
    const version = 'v'.repeat(40);
    const names = compiled(service(long, `  versions:\n    ${version}: {labels: {version: x}}\n    b: {labels: {version: b}}\n  canary: {stable: b, canary: ${version}, weight: 5}\n`))
      .filter((o) => o.kind === 'Service')
      .map((o) => o.metadata.name);
    expect(names).toHaveLength(2);
    for (const name of names) expect(name).toMatch(/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/);
  });
});

describe('MESH706 route precedence', () => {
  const precedence = (routes: string) =>
    validate(load(service('catalog', `  routes:\n${routes}`)), { targets: ['gateway-api'] })
      .diagnostics.filter((d) => d.code === 'MESH706')
      .map((d) => `${d.span.line} ${d.message.slice(0, 60)}`);

  it('reports a later exact path that ranks above an earlier header-only route both may match', () => {
    expect(precedence('    - name: plain\n      match: {headers: {x-proto: http}}\n      timeout: 1s\n    - name: exact\n      match: {path: {exact: /a}}\n      timeout: 2s\n')).toEqual([
      '10 route "exact" ranks above the earlier route "plain" under th',
    ]);
  });

  it('says nothing when the routes exclude each other or the file already puts the higher-ranked first', () => {
    expect(precedence('    - name: b\n      match: {path: {exact: /b}}\n      timeout: 1s\n    - name: a\n      match: {path: {exact: /a}}\n      timeout: 2s\n')).toEqual([]);
    expect(precedence('    - name: get\n      match: {methods: [GET]}\n      timeout: 1s\n    - name: post\n      match: {methods: [POST], path: /x}\n      timeout: 2s\n')).toEqual([]);
    expect(precedence('    - name: exact\n      match: {path: {exact: /a}}\n      timeout: 1s\n    - name: plain\n      match: {headers: {x-proto: http}}\n      timeout: 2s\n')).toEqual([]);
  });

  it('is not run by validate', () => {
    const text = service('catalog', '  routes:\n    - name: plain\n      match: {headers: {x-proto: http}}\n      timeout: 1s\n    - name: exact\n      match: {path: {exact: /a}}\n      timeout: 2s\n');
    expect(validate(load(text)).diagnostics.map((d) => d.code)).toEqual([]);
  });
});
