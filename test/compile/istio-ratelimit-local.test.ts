// Local rate limits compile to an EnvoyFilter that Envoy enforces as the mesh file means: the
// bucket sizes and rates written, enabled and enforced for every request, per-header buckets per
// value, route buckets counting exactly the route's requests on top of the service-wide bucket.
// What a request is counted against is checked with a model of Envoy's matching (the simulator).
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMesh, validate } from '../../src/index.js';
import { compileLocalRateLimit, compileLocalRateLimits } from '../../src/compiler/istio/ratelimit/local-rate-limit.js';
import { DYNAMIC_BUCKETS_PER_DESCRIPTOR } from '../../src/plan/rate-limits.js';
import type { MeshModel, ServiceNode } from '../../src/model/mesh-model.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { validateText } from '../helpers/validate-text.js';
import { envoyFilterParts, localBucketsFor } from './istio-ratelimit-simulator.js';

const repo = path.join(import.meta.dirname, '..', '..');

function modelOf(yaml: string): MeshModel {
  return validateText(yaml).model;
}

function service(model: MeshModel, name: string): ServiceNode {
  const found = model.services.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no service ${name}`);
  return found;
}

function localFilter(model: MeshModel, name: string): KubernetesObject {
  const objects = compileLocalRateLimit(model, service(model, name));
  expect(objects).toHaveLength(1);
  return objects[0]!;
}

function serviceYaml(spec: string, name = 'shop', namespace = 'web'): string {
  return `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
  ports: [{port: 8080, protocol: http}]
${spec}`;
}

describe('a service-wide limit', () => {
  const model = modelOf(serviceYaml(`  selector: {app: shop, tier: web}
  rateLimit:
    local: {requests: 500, per: 1s, burst: 1000}`));
  const object = localFilter(model, 'shop');
  const { filter, rateLimits } = envoyFilterParts(object);

  it('is an EnvoyFilter <service>-local-ratelimit selecting the service\'s workloads', () => {
    expect(object.apiVersion).toBe('networking.istio.io/v1alpha3');
    expect(object.kind).toBe('EnvoyFilter');
    expect(object.metadata).toMatchObject({ name: 'shop-local-ratelimit', namespace: 'web', labels: { 'app.kubernetes.io/managed-by': 'meshctl' } });
    expect(object.metadata.annotations?.['meshctl.dev/source']).toBe('mesh.yaml:1');
    expect((object.spec as { workloadSelector: unknown }).workloadSelector).toEqual({ labels: { app: 'shop', tier: 'web' } });
  });

  it('inserts Envoy\'s local_ratelimit filter before the router of the inbound HTTP chain', () => {
    const [patch] = (object.spec as { configPatches: Record<string, unknown>[] }).configPatches;
    expect(patch).toMatchObject({
      applyTo: 'HTTP_FILTER',
      match: {
        context: 'SIDECAR_INBOUND',
        listener: { filterChain: { filter: { name: 'envoy.filters.network.http_connection_manager', subFilter: { name: 'envoy.filters.http.router' } } } },
      },
      patch: { operation: 'INSERT_BEFORE', value: { name: 'envoy.filters.http.local_ratelimit' } },
    });
    expect(filter!['@type']).toBe('type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit');
  });

  it('holds burst tokens and adds requests tokens every interval', () => {
    expect(filter!.token_bucket).toEqual({ max_tokens: 1000, tokens_per_fill: 500, fill_interval: '1s' });
  });

  it('is enabled and enforced for 100% of requests: Envoy enforces nothing without both', () => {
    for (const field of ['filter_enabled', 'filter_enforced']) {
      expect(filter![field], field).toMatchObject({ default_value: { numerator: 100, denominator: 'HUNDRED' } });
      expect((filter![field] as { runtime_key: string }).runtime_key).toMatch(/\S/);
    }
  });

  it('answers 429 with rate-limit headers, and gRPC calls with RESOURCE_EXHAUSTED (not the retried UNAVAILABLE)', () => {
    expect(filter!.status).toEqual({ code: 'TooManyRequests' });
    expect(filter!.enable_x_ratelimit_headers).toBe('DRAFT_VERSION_03');
    expect(filter!.response_headers_to_add).toEqual([{ header: { key: 'x-local-rate-limit', value: 'true' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' }]);
    expect(filter!.rate_limited_as_resource_exhausted).toBe(true);
  });

  it('counts every request in the one shared bucket, with no descriptors or virtual-host actions', () => {
    expect(filter!.descriptors).toBeUndefined();
    expect(rateLimits).toEqual([]);
    expect((object.spec as { configPatches: unknown[] }).configPatches).toHaveLength(1);
    expect(localBucketsFor(object, { path: '/anything' })).toEqual(['default']);
  });
});

describe('token buckets', () => {
  const bucketOf = (limit: string) => envoyFilterParts(localFilter(modelOf(serviceYaml(`  rateLimit:\n    local: ${limit}`)), 'shop')).filter!.token_bucket;

  it('hold requests tokens when no burst is given', () => {
    expect(bucketOf('{requests: 20, per: 1m}')).toEqual({ max_tokens: 20, tokens_per_fill: 20, fill_interval: '60s' });
  });

  it('stretch an interval under Envoy\'s 50ms minimum, keeping the rate written', () => {
    // 1 per 10ms = 100/s: Envoy refuses fill intervals under 50ms, so 5 tokens every 50ms.
    expect(bucketOf('{requests: 1, per: 10ms}')).toEqual({ max_tokens: 5, tokens_per_fill: 5, fill_interval: '0.05s' });
    expect(bucketOf('{requests: 3, per: 30ms, burst: 20}')).toEqual({ max_tokens: 20, tokens_per_fill: 6, fill_interval: '0.06s' });
  });

  it('keep fractional intervals as protobuf durations', () => {
    expect(bucketOf('{requests: 3, per: 1500ms}')).toEqual({ max_tokens: 3, tokens_per_fill: 3, fill_interval: '1.5s' });
  });
});

describe('a per-header service-wide limit', () => {
  const model = modelOf(serviceYaml(`  rateLimit:
    local: {requests: 20, per: 1s, burst: 40, perHeader: X-User-Id}`));
  const object = localFilter(model, 'shop');
  const { filter, rateLimits } = envoyFilterParts(object);

  it('keeps one bucket per header value: a wildcard descriptor with an LRU of dynamic buckets', () => {
    expect(filter!.token_bucket).toBeUndefined();
    expect(filter!.descriptors).toContainEqual({ entries: [{ key: 'header_x-user-id', value: '' }], token_bucket: { max_tokens: 40, tokens_per_fill: 20, fill_interval: '1s' } });
    expect(filter!.max_dynamic_descriptors).toBe(DYNAMIC_BUCKETS_PER_DESCRIPTOR);
  });

  it('builds the descriptor from the header with actions of the filter\'s own stage, merged into the inbound virtual hosts', () => {
    const patches = (object.spec as { configPatches: Record<string, unknown>[] }).configPatches;
    expect(patches[1]).toMatchObject({ applyTo: 'VIRTUAL_HOST', match: { context: 'SIDECAR_INBOUND' }, patch: { operation: 'MERGE' } });
    expect(rateLimits.every((entry) => entry.stage === filter!.stage)).toBe(true);
    expect(filter!.stage).not.toBe(0);
  });

  it('counts each caller in its own bucket, and requests without the header in one more', () => {
    expect(localBucketsFor(object, { path: '/', headers: { 'x-user-id': 'alice' } })).toEqual(['header_x-user-id=alice']);
    expect(localBucketsFor(object, { path: '/', headers: { 'x-user-id': 'bob' } })).toEqual(['header_x-user-id=bob']);
    expect(localBucketsFor(object, { path: '/' })).toEqual(['no_header_x-user-id=true']);
  });
});

describe('route limits', () => {
  // As in test/fixtures/valid/policy-resilience-and-rate-limits.yaml: routes from most to least specific.
  const model = modelOf(serviceYaml(`  rateLimit:
    local: {requests: 100, per: 1s, burst: 150, perHeader: x-tenant-id}
  routes:
    - name: checkout
      match: {path: /cart/checkout}
      rateLimit: {requests: 10, per: 1s, burst: 10}
    - name: items
      match: {path: /cart/items}
      rateLimit: {requests: 1000, per: 1s}
    - name: per-user
      match: {path: /cart}
      rateLimit: {requests: 6000, per: 1m, perHeader: x-user-id}`));
  const object = localFilter(model, 'shop');

  it('count a route\'s requests in its bucket and in the service-wide one', () => {
    expect(localBucketsFor(object, { path: '/cart/checkout', headers: { 'x-tenant-id': 't1' } })).toEqual(['header_x-tenant-id=t1', 'route=checkout']);
  });

  it('leave requests that an earlier route takes out of later routes\' buckets (the first match wins)', () => {
    const buckets = localBucketsFor(object, { path: '/cart/checkout?step=2', headers: { 'x-tenant-id': 't1', 'x-user-id': 'u1' } });
    expect(buckets).toContain('route=checkout');
    expect(buckets.some((bucket) => bucket.startsWith('route=per-user'))).toBe(false);
  });

  it('keep a per-header route bucket per value, and one for requests without the header', () => {
    const withUser = localBucketsFor(object, { path: '/cart/42', headers: { 'x-user-id': 'u1', 'x-tenant-id': 't1' } });
    expect(withUser).toEqual(['header_x-tenant-id=t1', 'route=per-user,not_route=checkout,not_route=items,header_x-user-id=u1']);
    const anonymous = localBucketsFor(object, { path: '/cart/42' });
    expect(anonymous).toEqual(['no_header_x-tenant-id=true', 'route=per-user,not_route=checkout,not_route=items,no_header_x-user-id=true']);
  });

  it('exclude only earlier routes that could take the same requests: /cart/items never matches /cart/checkout', () => {
    const { rateLimits } = envoyFilterParts(object);
    type Action = { header_value_match?: { descriptor_key: string; descriptor_value: string }; generic_key?: { descriptor_value: string } };
    const excluded = (route: string) => {
      const own = rateLimits.filter((entry) => {
        const first = (entry.actions as Action[])[0]!;
        return (first.header_value_match ?? first.generic_key)?.descriptor_value === route;
      });
      const names = own.flatMap((entry) => (entry.actions as Action[]).filter((action) => action.header_value_match?.descriptor_key === 'not_route'));
      return [...new Set(names.map((action) => action.header_value_match!.descriptor_value))];
    };
    expect(excluded('items')).toEqual([]);
    expect(excluded('per-user')).toEqual(['checkout', 'items']);
  });

  it('match paths with a query string, and leave other paths to the service-wide bucket only', () => {
    expect(localBucketsFor(object, { path: '/cart/items?page=2', headers: { 'x-tenant-id': 't1' } })).toEqual(['header_x-tenant-id=t1', 'route=items']);
    expect(localBucketsFor(object, { path: '/catalog', headers: { 'x-tenant-id': 't1' } })).toEqual(['header_x-tenant-id=t1']);
  });

  it('draw from the shared service-wide bucket too when it is not per header', () => {
    const shared = localFilter(
      modelOf(serviceYaml(`  rateLimit:
    local: {requests: 500, per: 1s}
  routes:
    - name: search
      match: {path: /search, methods: [GET]}
      rateLimit: {requests: 10, per: 1s}`)),
      'shop',
    );
    expect(envoyFilterParts(shared).filter!.always_consume_default_token_bucket).toBe(true);
    expect(localBucketsFor(shared, { method: 'GET', path: '/search?q=envoy' })).toEqual(['default', 'route=search']);
    expect(localBucketsFor(shared, { method: 'POST', path: '/search' })).toEqual(['default']);
  });
});

describe('which requests a route bucket counts', () => {
  const bucketsOf = (routes: string, request: Parameters<typeof localBucketsFor>[1]) =>
    localBucketsFor(localFilter(modelOf(serviceYaml(`  versions:\n    v1: {labels: {version: v1}}\n  routes:\n${routes}`)), 'shop'), request);

  it('matches headers, query parameters, cookies and methods as the route does', () => {
    const routes = `    - name: beta
      match:
        path: {exact: /books}
        methods: [GET, HEAD]
        headers: {x-client: {prefix: mobile}}
        query: {preview: "true"}
        cookies: {session: {present: true}}
      rateLimit: {requests: 5, per: 1s}`;
    const request = { method: 'HEAD', path: '/books?preview=true&x=1', headers: { 'x-client': 'mobile-ios', cookie: 'a=1; session=abc' } };
    expect(bucketsOf(routes, request)).toEqual(['route=beta']);
    expect(bucketsOf(routes, { ...request, method: 'POST' })).toEqual([]);
    expect(bucketsOf(routes, { ...request, path: '/books?preview=false' })).toEqual([]);
    expect(bucketsOf(routes, { ...request, path: '/books/1?preview=true' })).toEqual([]);
    expect(bucketsOf(routes, { ...request, headers: { 'x-client': 'mobile-ios', cookie: 'a=1' } })).toEqual([]);
    expect(bucketsOf(routes, { ...request, headers: { 'x-client': 'desktop', cookie: 'session=abc' } })).toEqual([]);
  });

  it('matches absent headers and cookies, also when the request has no cookie header at all', () => {
    const routes = `    - name: anonymous
      match:
        headers: {authorization: {absent: true}}
        cookies: {session: {absent: true}}
      rateLimit: {requests: 5, per: 1s}`;
    expect(bucketsOf(routes, { path: '/' })).toEqual(['route=anonymous']);
    expect(bucketsOf(routes, { path: '/', headers: { cookie: 'theme=dark' } })).toEqual(['route=anonymous']);
    expect(bucketsOf(routes, { path: '/', headers: { cookie: 'session=1' } })).toEqual([]);
    expect(bucketsOf(routes, { path: '/', headers: { authorization: 'Bearer x' } })).toEqual([]);
  });

  it('matches the path the route rewrote the request to, since the server sees that one', () => {
    const routes = `    - name: alias
      match: {path: {exact: /cart/current}}
      rewrite: {uri: /cart/me}
      rateLimit: {requests: 5, per: 1s}`;
    expect(bucketsOf(routes, { path: '/cart/me' })).toEqual(['route=alias']);
  });

  it('matches a header the route sets by its new value, and one it removes as absent', () => {
    const routes = `    - name: internal
      match: {headers: {x-debug: "1", x-env: staging}}
      headers:
        request:
          set: {x-env: prod}
          remove: [x-debug]
      rateLimit: {requests: 5, per: 1s}`;
    expect(bucketsOf(routes, { path: '/', headers: { 'x-env': 'prod' } })).toEqual(['route=internal']);
    expect(bucketsOf(routes, { path: '/', headers: { 'x-env': 'staging', 'x-debug': '1' } })).toEqual([]);
  });

  it('leaves out a path whose regex Envoy would refuse as too large, rather than break the listener', () => {
    const long = `/${'segment/'.repeat(12)}end`;
    const routes = `    - name: long
      match: {path: {exact: ${long}}}
      rateLimit: {requests: 5, per: 1s}`;
    expect(bucketsOf(routes, { path: long })).toEqual(['route=long']);
    expect(bucketsOf(routes, { path: '/elsewhere' })).toEqual(['route=long']);
  });

  it('counts a route limited to some callers for every caller: the server cannot see the caller\'s labels', () => {
    const model = modelOf(`${serviceYaml(`  routes:
    - name: from-web
      match: {path: /api, from: [web]}
      rateLimit: {requests: 5, per: 1s}`)}
---
${serviceYaml('', 'web')}`);
    expect(localBucketsFor(localFilter(model, 'shop'), { path: '/api/x' })).toEqual(['route=from-web']);
  });

  it('does not exclude an earlier route the server cannot tell apart: redirects, other services, callers, rewrites', () => {
    const model = modelOf(`${serviceYaml(`  routes:
    - name: old
      match: {path: /api/old}
      redirect: {uri: /api/new}
    - name: elsewhere
      match: {path: /api/other}
      to: [{service: web}]
    - name: from-web
      match: {path: /api/web, from: [web]}
    - name: renamed
      match: {path: /api/renamed}
      rewrite: {prefix: /api/v2}
    - name: api
      match: {path: /api}
      rateLimit: {requests: 5, per: 1s}`)}
---
${serviceYaml('', 'web')}`);
    const object = localFilter(model, 'shop');
    for (const path of ['/api/old', '/api/other', '/api/web', '/api/renamed', '/api/v2']) {
      expect(localBucketsFor(object, { path }), path).toEqual(['route=api']);
    }
  });

  it('emits no bucket for a route the server never sees: one that redirects, or that an earlier route always takes', () => {
    const model = modelOf(serviceYaml(`  versions:
    v1: {labels: {version: v1}}
  rateLimit:
    local: {requests: 100, per: 1s}
  routes:
    - name: moved
      match: {path: /old}
      redirect: {uri: /new}
      rateLimit: {requests: 1, per: 1s}
    - name: everything
      to: v1
    - name: never
      match: {path: /never}
      rateLimit: {requests: 1, per: 1s}`));
    const { filter, rateLimits } = envoyFilterParts(localFilter(model, 'shop'));
    expect(filter!.descriptors).toBeUndefined();
    expect(rateLimits).toEqual([]);
    expect(filter!.token_bucket).toEqual({ max_tokens: 100, tokens_per_fill: 100, fill_interval: '1s' });
  });
});

describe('services without local limits', () => {
  it('get no local rate-limit EnvoyFilter: no rateLimit, only a global one, no routes or versions', () => {
    const model = modelOf(`apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec:
  rateLimitService: {service: ratelimit/ratelimit, domain: shop}
---
${serviceYaml('', 'ratelimit', 'ratelimit')}
---
${serviceYaml('')}
---
${serviceYaml(`  rateLimit:
    global:
      descriptors: [{key: {value: all}, requests: 5, per: second}]`, 'api')}`);
    expect(compileLocalRateLimits(model)).toEqual([]);
  });

  it('a service with only a route limit gets the filter without a shared bucket', () => {
    const object = localFilter(
      modelOf(serviceYaml(`  routes:
    - name: login
      match: {path: {exact: /login}, methods: [POST]}
      rateLimit: {requests: 5, per: 1m}`)),
      'shop',
    );
    expect(envoyFilterParts(object).filter!.token_bucket).toBeUndefined();
    expect(localBucketsFor(object, { method: 'POST', path: '/login' })).toEqual(['route=login']);
    expect(localBucketsFor(object, { method: 'POST', path: '/login/x' })).toEqual([]);
  });
});

describe('the example mesh', () => {
  it('limits productpage searches per client on top of its service-wide bucket, and carts per user', async () => {
    const model = validate(await loadMesh([path.join(repo, 'examples', 'mesh')])).model;
    const objects = compileLocalRateLimits(model);
    expect(objects.map((object) => `${object.metadata.namespace}/${object.metadata.name}`).sort()).toEqual(['orders/cart-local-ratelimit', 'storefront/productpage-local-ratelimit']);
    const productpage = objects.find((object) => object.metadata.name === 'productpage-local-ratelimit')!;
    expect(localBucketsFor(productpage, { method: 'GET', path: '/search?q=envoy', headers: { 'x-forwarded-for': '203.0.113.7' } })).toEqual([
      'default',
      'route=search,header_x-forwarded-for=203.0.113.7',
    ]);
    expect(localBucketsFor(productpage, { method: 'GET', path: '/books/1' })).toEqual(['default']);
    const cart = objects.find((object) => object.metadata.name === 'cart-local-ratelimit')!;
    expect(localBucketsFor(cart, { path: '/cart', headers: { 'x-user-id': 'u1' } })).toEqual(['header_x-user-id=u1']);
  });
});
