// The plan both targets, review and graph read: decisions made once, resolved (references as
// nodes, durations in milliseconds, conditions target-neutral), and what it refuses to guess.
import { describe, expect, it } from 'vitest';
import type { MeshModel, ServiceNode } from '../../src/model/mesh-model.js';
import { accessDecision } from '../../src/plan/access.js';
import { resolveRewrite } from '../../src/plan/route-actions.js';
import { forwardedTo, planHttpRoutes } from '../../src/plan/routes.js';
import { validateText } from '../helpers/validate-text.js';

const MESH = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: productpage, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http, targetPort: 8080}]
  versions:
    v1: {labels: {version: v1}}
    v2: {labels: {version: v2}}
  canary: {stable: v1, canary: v2, weight: 20}
  routes:
    - name: moved
      match: {path: {exact: /old}}
      redirect: {uri: /new, status: 301}
    - name: api
      match: {path: /api, headers: {x-user: {absent: true}}, cookies: {tier: gold}}
      timeout: 1m30s
      retries: {attempts: 3, perTryTimeout: 250ms, on: [5xx, "503"]}
      fault: {delay: {duration: 1.5s, percent: 10}}
      mirror: {service: productpage, percent: 5}
      rewrite: {uri: /v2/api}
      cors: {allowOrigins: [{present: true}, {absent: true}, https://shop.example], maxAge: 10m}
      headers: {request: {set: {b: "2", a: "1"}, remove: [x-debug]}}
  access:
    allow:
      - from: {services: [productpage], principals: ["spiffe://cluster.local/ns/shop/sa/product*"]}
        to: {ports: [9080], methods: [GET]}
      - from: {services: [productpage], principals: ["spiffe://cluster.local/ns/other/*"]}
`;

function model(): { model: MeshModel; reviews: ServiceNode; productpage: ServiceNode } {
  const result = validateText(MESH);
  expect(result.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  const reviews = result.model.findService('shop/reviews', 'shop')!;
  const productpage = result.model.findService('shop/productpage', 'shop')!;
  return { model: result.model, reviews, productpage };
}

describe('planned routes', () => {
  const { model: mesh, reviews, productpage } = model();
  const routes = planHttpRoutes(mesh, reviews);

  it('resolve each action: a redirect forwards nowhere, the rest forward to resolved destinations', () => {
    expect(routes.map((route) => [route.name, route.action.kind])).toEqual([
      ['moved', 'redirect'],
      ['api', 'forward'],
      ['default', 'forward'],
    ]);
    expect(routes[0]!.action).toEqual({ kind: 'redirect', uri: '/new', status: 301 });
    expect(forwardedTo(routes[0]!)).toBeUndefined();
    expect(forwardedTo(routes[2]!)).toEqual([
      { node: reviews, version: 'v1', weight: 80 },
      { node: reviews, version: 'v2', weight: 20 },
    ]);
  });

  it('carry durations in milliseconds, the mirror as a node, and conditions without any target\'s types', () => {
    const api = routes[1]!;
    expect(api.action).toMatchObject({
      kind: 'forward',
      timeoutMs: 90_000,
      retries: { attempts: 3, perTryTimeoutMs: 250, on: ['5xx', '503'] },
      fault: { delay: { ms: 1500, percent: 10 } },
      mirror: { destination: { node: productpage }, percent: 5 },
    });
    expect(api.entries).toEqual([
      {
        path: { kind: 'prefix', value: '/api' },
        headers: [
          { name: 'x-user', match: { kind: 'present' }, negated: true },
          { name: 'cookie', match: { kind: 'regex', value: '^(.*?;\\s*)?(tier)=(gold)(;.*)?$' }, negated: false },
        ],
        query: [],
      },
    ]);
  });

  it('keep CORS origins a proxy can match (present is any origin, absent is left out) and header changes in name order', () => {
    const api = routes[1]!;
    expect(api.cors).toEqual({
      origins: [
        { kind: 'regex', value: '.*' },
        { kind: 'exact', value: 'https://shop.example' },
      ],
      maxAgeMs: 600_000,
    });
    expect(api.headers).toEqual({ request: { set: [['a', '1'], ['b', '2']], remove: ['x-debug'] } });
  });

  it('rewrite a whole path by regex unless every entry matches one exact path', () => {
    const api = routes[1]!;
    if (api.action.kind !== 'forward') throw new Error('api forwards');
    expect(resolveRewrite(api.action.rewrite!, api.entries)).toEqual({ path: { kind: 'regex', pattern: '^.*$', substitution: '/v2/api' } });
    expect(resolveRewrite({ uri: '/v2/api' }, [{ path: { kind: 'exact', value: '/api' }, headers: [], query: [] }])).toEqual({
      path: { kind: 'prefix', value: '/v2/api' },
    });
    expect(resolveRewrite({}, undefined)).toBeUndefined();
  });
});

describe('access decisions', () => {
  const { model: mesh, reviews } = model();
  const rules = reviews.resource.spec.access!.allow!;

  it('name callers by SPIFFE identity (services and principals intersected) and requests by workload port', () => {
    expect(accessDecision(mesh, reviews, rules[0]!)).toEqual({
      callers: { identities: ['cluster.local/ns/shop/sa/productpage'] },
      requests: { methods: ['GET'], ports: [8080] },
    });
  });

  it('make no decision for a rule no caller can satisfy', () => {
    expect(accessDecision(mesh, reviews, rules[1]!)).toBeUndefined();
  });
});
