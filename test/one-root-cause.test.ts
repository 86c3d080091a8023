// One root cause, one error: a document that cannot be read is reported where it is broken, and
// references to what it declares do not add errors in other files.
import { describe, expect, it } from 'vitest';
import { loadSources, SourceText, validate } from '../src/index.js';
import { recoverIdentity } from '../src/loader/recover-identity.js';

const CALLER = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
  dependsOn: [ratings]
  routes:
    - name: all
      to: [{service: ratings}]
`;
const RATINGS = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata:
  name: ratings
  namespace: shop
spec:
  ports:
    - port: 9080
      protocol: http
  versions:
    v1: {labels: {version: v1}}
`;

const check = (ratings: string) =>
  validate(loadSources([new SourceText('mesh/reviews.yaml', CALLER), new SourceText('mesh/ratings.yaml', ratings)])).diagnostics.map(
    (d) => `${d.span.file}:${d.span.line} ${d.code}`,
  );

describe('a broken document is one error, not errors in the files that name it', () => {
  it('the intact mesh is clean', () => {
    expect(check(RATINGS)).toEqual([]);
  });

  it('a tab used as indentation', () => {
    expect(check(RATINGS.replace('  ports:', '\tports:'))).toEqual(['mesh/ratings.yaml:7 MESH003']);
  });

  it('a misspelt kind', () => {
    expect(check(RATINGS.replace('kind: Service', 'kind: Servce'))).toEqual(['mesh/ratings.yaml:2 MESH104']);
  });

  it('an unsupported meshctl apiVersion', () => {
    expect(check(RATINGS.replace('meshctl.dev/v1alpha1', 'meshctl.dev/v1'))).toEqual(['mesh/ratings.yaml:1 MESH105']);
  });

  it('a missing kind', () => {
    expect(check(RATINGS.replace('kind: Service\n', ''))).toEqual(['mesh/ratings.yaml:1 MESH102']);
  });

  it('a reference to a service that is not there at all is still reported', () => {
    expect(check(RATINGS.replace('name: ratings', 'name: ratings-v2'))).toContain('mesh/reviews.yaml:6 MESH200');
  });
});

describe('recoverIdentity', () => {
  it('reads the kind, name and namespace of block and flow metadata, tabs included', () => {
    expect(recoverIdentity('kind: Service\nmetadata:\n\tname: a\n  namespace: "b"\n  labels:\n    name: not-this\n')).toEqual({ kind: 'Service', name: 'a', namespace: 'b' });
    expect(recoverIdentity('kind: Gateway\nmetadata: {namespace: edge, name: public}\nspec: [\n')).toEqual({ kind: 'Gateway', name: 'public', namespace: 'edge' });
    expect(recoverIdentity('kind: Service\nspec: {}\n')).toBeUndefined();
  });
});

describe('a Mesh document that does not load', () => {
  it('is one error: what the services take from it (the rate-limit service, JWT providers) is not reported missing', async () => {
    const { readdirSync, readFileSync } = await import('node:fs');
    const path = await import('node:path');
    const dir = path.join(import.meta.dirname, '..', 'examples', 'mesh');
    const sources = readdirSync(dir)
      .filter((name) => name.endsWith('.yaml'))
      .sort()
      .map((name) => {
        const text = readFileSync(path.join(dir, name), 'utf8');
        return new SourceText(`mesh/${name}`, name === 'mesh.yaml' ? text.replace('mtls: strict', 'mtls: strikt') : text);
      });
    const codes = validate(loadSources(sources)).diagnostics.filter((d) => d.level === 'error').map((d) => `${d.span.file} ${d.code}`);
    expect(codes).toEqual(['mesh/mesh.yaml MESH103']);
  });
});
