// The mesh VirtualService, judged by what Istio does with it: which subsets get which share of
// traffic, which route a request meets first, what each match entry requires, and what the
// cookie and query regexes really match when Envoy runs them (RE2, whole value).
import { describe, expect, it } from 'vitest';
import type { IstioHttpMatchRequest, IstioHttpRoute, IstioVirtualServiceSpec } from '../../src/compiler/istio/traffic/istio-types.js';
import { toHeaderMaps } from '../../src/compiler/istio/traffic/string-match.js';
import { cookieRegex, queryParameterPresentRegex } from '../../src/model/conditions.js';
import { re2FullMatch } from '../../src/common/re2-regex.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { HEADER, compileTraffic } from './istio-traffic-support.js';




function virtualService(objects: KubernetesObject[], name: string, namespace = 'shop'): IstioVirtualServiceSpec {
  const found = objects.find((o) => o.kind === 'VirtualService' && o.metadata.name === name && o.metadata.namespace === namespace);
  if (!found) throw new Error(`no VirtualService ${namespace}/${name} among ${objects.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')}`);
  return found.spec as IstioVirtualServiceSpec;
}

function route(spec: IstioVirtualServiceSpec, name: string): IstioHttpRoute {
  const found = spec.http?.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no route ${name} among ${spec.http?.map((r) => r.name).join(', ')}`);
  return found;
}

/** subset (or host when there is none) -> weight, for a route's destinations. */
function split(httpRoute: IstioHttpRoute): Record<string, number | undefined> {
  return Object.fromEntries((httpRoute.route ?? []).map((d) => [d.destination.subset ?? d.destination.host, d.weight]));
}

const REVIEWS = (extra: string) => `${HEADER}kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
  versions:
    v1: {labels: {version: v1}}
    v2: {labels: {version: v2}}
    v3: {labels: {version: v3}}
${extra}`;

describe('the default split', () => {
  it('a 90/10 canary gives weights 90 and 10 on subsets v1 and v3, for routes without `to` and the default route', () => {
    const spec = virtualService(
      compileTraffic(REVIEWS(`  canary: {stable: v1, canary: v3, weight: 10, steps: [10, 50, 100]}
  routes:
    - name: reads
      match: {path: /reviews}
      timeout: 2s
`)),
      'reviews',
    );
    expect(spec.hosts).toEqual(['reviews.shop.svc.cluster.local']);
    expect(spec.gateways).toBeUndefined();
    expect(spec.http?.map((r) => r.name)).toEqual(['reads', 'default']);
    for (const name of ['reads', 'default']) {
      expect(split(route(spec, name))).toEqual({ v1: 90, v3: 10 });
      for (const destination of route(spec, name).route ?? []) expect(destination.destination.host).toBe('reviews.shop.svc.cluster.local');
    }
    const weights = (route(spec, 'default').route ?? []).map((d) => d.weight ?? 0);
    expect(weights.reduce((a, b) => a + b, 0)).toBe(100);
  });

  it('a canary at 0 sends everything to the stable version, at 100 to the canary, with no zero-weight destination', () => {
    const atZero = virtualService(compileTraffic(REVIEWS('  canary: {stable: v1, canary: v3, weight: 0}\n')), 'reviews');
    expect(atZero.http).toEqual([{ name: 'default', route: [{ destination: { host: 'reviews.shop.svc.cluster.local', subset: 'v1' } }] }]);
    const atFull = virtualService(compileTraffic(REVIEWS('  canary: {stable: v1, canary: v3, weight: 100}\n')), 'reviews');
    expect(atFull.http).toEqual([{ name: 'default', route: [{ destination: { host: 'reviews.shop.svc.cluster.local', subset: 'v3' } }] }]);
  });

  it('without a canary, routes without `to` go to the whole service: its host, no subset, no weight', () => {
    const spec = virtualService(compileTraffic(REVIEWS('  routes:\n    - match: {path: /a}\n      timeout: 1s\n')), 'reviews');
    expect(route(spec, 'route-0').route).toEqual([{ destination: { host: 'reviews.shop.svc.cluster.local' } }]);
    expect(route(spec, 'default').route).toEqual([{ destination: { host: 'reviews.shop.svc.cluster.local' } }]);
  });

  it('keeps a zero weight the mesh file writes in a split (Istio sends it nothing) and drops the weight of a lone destination', () => {
    const spec = virtualService(
      compileTraffic(REVIEWS(`  routes:
    - name: dark
      match: {path: /dark}
      to: [{version: v1, weight: 100}, {version: v2, weight: 0}]
    - name: pinned
      match: {path: /pinned}
      to: [{version: v2, weight: 100}]
    - name: short
      match: {path: /short}
      to: v3
`)),
      'reviews',
    );
    expect(split(route(spec, 'dark'))).toEqual({ v1: 100, v2: 0 });
    expect(route(spec, 'pinned').route).toEqual([{ destination: { host: 'reviews.shop.svc.cluster.local', subset: 'v2' } }]);
    expect(route(spec, 'short').route).toEqual([{ destination: { host: 'reviews.shop.svc.cluster.local', subset: 'v3' } }]);
  });
});

describe('route order', () => {
  it('keeps the mesh order and ends with a default route, so unmatched requests do not get a 404', () => {
    const spec = virtualService(
      compileTraffic(REVIEWS(`  routes:
    - {name: b, match: {path: /b}, to: v2}
    - {match: {path: /a}, to: v1}
    - {name: c, match: {headers: {x-c: "1"}}, to: v3}
`)),
      'reviews',
    );
    expect(spec.http?.map((r) => r.name)).toEqual(['b', 'route-1', 'c', 'default']);
    expect(route(spec, 'default').match).toBeUndefined();
  });

  it('adds no default route after a route that matches every request', () => {
    const spec = virtualService(compileTraffic(REVIEWS('  routes:\n    - {name: a, match: {path: /a}, to: v2}\n    - {name: rest, match: {path: /}, to: v1}\n')), 'reviews');
    expect(spec.http?.map((r) => r.name)).toEqual(['a', 'rest']);
  });

  it('still adds one after a catch-all restricted to one caller', () => {
    const yaml = `${REVIEWS('  routes:\n    - {name: mine, match: {from: [web]}, to: v2}\n')}---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
`;
    const spec = virtualService(compileTraffic(yaml), 'reviews');
    expect(spec.http?.map((r) => r.name)).toEqual(['mine', 'default']);
  });

  it('calls the default route something else when a mesh route is named "default"', () => {
    const spec = virtualService(compileTraffic(REVIEWS('  routes:\n    - {name: default, match: {path: /d}, to: v2}\n')), 'reviews');
    expect(spec.http?.map((r) => r.name)).toEqual(['default', 'default-2']);
  });
});

describe('matches', () => {
  const SERVICES = `---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  selector: {app.kubernetes.io/name: web-frontend, tier: edge}
---
${HEADER}kind: Service
metadata: {name: batch, namespace: jobs}
spec:
  ports: [{port: 8080, protocol: http}]
`;

  it('one entry per method and caller, each with every other condition (Istio ORs the entries)', () => {
    const spec = virtualService(
      compileTraffic(`${REVIEWS(`  routes:
    - name: reads
      match:
        path: {exact: /reviews}
        methods: [GET, HEAD]
        headers: {X-Tenant: acme}
        from: [web, jobs/batch]
      to: v2
`)}${SERVICES}`),
      'reviews',
    );
    const common = { uri: { exact: '/reviews' }, headers: { 'x-tenant': { exact: 'acme' } } };
    const web = { sourceLabels: { 'app.kubernetes.io/name': 'web-frontend', tier: 'edge' }, sourceNamespace: 'shop' };
    const batch = { sourceLabels: { app: 'batch' }, sourceNamespace: 'jobs' };
    expect(route(spec, 'reads').match).toEqual([
      { ...common, method: { exact: 'GET' }, ...web },
      { ...common, method: { exact: 'HEAD' }, ...web },
      { ...common, method: { exact: 'GET' }, ...batch },
      { ...common, method: { exact: 'HEAD' }, ...batch },
    ]);
  });

  it('a plain path string is a prefix; exact and regex paths stay what they are', () => {
    const spec = virtualService(
      compileTraffic(REVIEWS(`  routes:
    - {name: p, match: {path: /p}, to: v1}
    - {name: e, match: {path: {exact: /e}}, to: v1}
    - {name: r, match: {path: {regex: "/r/[0-9]+"}}, to: v1}
`)),
      'reviews',
    );
    expect(route(spec, 'p').match).toEqual([{ uri: { prefix: '/p' } }]);
    expect(route(spec, 'e').match).toEqual([{ uri: { exact: '/e' } }]);
    expect(route(spec, 'r').match).toEqual([{ uri: { regex: '/r/[0-9]+' } }]);
  });

  it('header matches: exact, prefix, regex; present as Istio\'s empty match; absent under withoutHeaders', () => {
    const spec = virtualService(
      compileTraffic(REVIEWS(`  routes:
    - name: h
      match:
        headers:
          x-plain: "1"
          x-exact: {exact: "2"}
          x-prefix: {prefix: "3"}
          x-regex: {regex: "[0-9]+"}
          x-present: {present: true}
          authorization: {absent: true}
      to: v1
`)),
      'reviews',
    );
    expect(route(spec, 'h').match).toEqual([
      {
        headers: {
          'x-exact': { exact: '2' },
          'x-plain': { exact: '1' },
          'x-prefix': { prefix: '3' },
          'x-present': {},
          'x-regex': { regex: '[0-9]+' },
        },
        withoutHeaders: { authorization: {} },
      },
    ]);
  });

  it('query parameters: values and presence as queryParams, absence as a :path regex under withoutHeaders', () => {
    const spec = virtualService(
      compileTraffic(REVIEWS(`  routes:
    - name: q
      match:
        query:
          lang: en
          page: {regex: "[0-9]+"}
          preview: {present: true}
          debug: {absent: true}
      to: v1
`)),
      'reviews',
    );
    const match = route(spec, 'q').match![0]!;
    expect(match.queryParams).toEqual({ lang: { exact: 'en' }, page: { regex: '[0-9]+' }, preview: {} });
    const absent = (match.withoutHeaders?.[':path'] as { regex: string }).regex;
    expect(absent).toBe(queryParameterPresentRegex('debug'));
    // withoutHeaders inverts the match: the route matches when the regex does not.
    expect(re2FullMatch(absent, '/reviews?debug=1')).toBe(true);
    expect(re2FullMatch(absent, '/reviews?a=1&debug')).toBe(true);
    expect(re2FullMatch(absent, '/reviews?a=1&debug&b=2')).toBe(true);
    expect(re2FullMatch(absent, '/reviews?debugger=1')).toBe(false);
    expect(re2FullMatch(absent, '/reviews?a=debug')).toBe(false);
    expect(re2FullMatch(absent, '/debug/reviews')).toBe(false);
  });

  it('cookies: a regex on the cookie header that finds exactly that cookie with that value', () => {
    const spec = virtualService(compileTraffic(REVIEWS('  routes:\n    - {name: c, match: {cookies: {session.id: "a+b"}}, to: v1}\n')), 'reviews');
    const regex = (route(spec, 'c').match![0]!.headers!.cookie as { regex: string }).regex;
    expect(regex).toBe('^(.*?;\\s*)?(session\\.id)=(a\\+b)(;.*)?$');
    expect(re2FullMatch(regex, 'session.id=a+b')).toBe(true);
    expect(re2FullMatch(regex, 'theme=dark; session.id=a+b; lang=en')).toBe(true);
    expect(re2FullMatch(regex, 'theme=dark;session.id=a+b')).toBe(true);
    expect(re2FullMatch(regex, 'session.id=a+bc')).toBe(false);
    expect(re2FullMatch(regex, 'xsession.id=a+b')).toBe(false);
    expect(re2FullMatch(regex, 'sessionXid=a+b')).toBe(false);
    expect(re2FullMatch(regex, 'session.id=aab')).toBe(false);
  });

  it('cookie prefix, regex and presence stay within one cookie\'s value', () => {
    expect(re2FullMatch(cookieRegex('v', { kind: 'prefix', value: 'be' }), 'a=1; v=beta; b=2')).toBe(true);
    expect(re2FullMatch(cookieRegex('v', { kind: 'prefix', value: 'be' }), 'v=alpha; b=be')).toBe(false);
    expect(re2FullMatch(cookieRegex('v', { kind: 'regex', value: 'new|beta' }), 'v=new')).toBe(true);
    expect(re2FullMatch(cookieRegex('v', { kind: 'regex', value: 'new|beta' }), 'v=newer')).toBe(false);
    expect(re2FullMatch(cookieRegex('v', { kind: 'present' }), 'a=1; v=')).toBe(true);
    expect(re2FullMatch(cookieRegex('v', { kind: 'present' }), 'a=1; vv=2')).toBe(false);
  });

  it('two conditions on one header become two Envoy matchers through distinct spellings of its name', () => {
    const spec = virtualService(
      compileTraffic(REVIEWS('  routes:\n    - {name: two, match: {cookies: {a: "1", b: {absent: true}, c: {present: true}}}, to: v1}\n')),
      'reviews',
    );
    const match = route(spec, 'two').match![0]!;
    expect(Object.keys(match.headers!)).toEqual(['cookie', 'Cookie']);
    expect(Object.values(match.headers!)).toEqual([{ regex: cookieRegex('a', { kind: 'exact', value: '1' }) }, { regex: cookieRegex('c', { kind: 'present' }) }]);
    expect(match.withoutHeaders).toEqual({ cookie: { regex: cookieRegex('b', { kind: 'present' }) } });
    // Envoy lower-cases header matcher names, so every key is the same header, case-insensitively.
    for (const key of Object.keys(match.headers!)) expect(key.toLowerCase()).toBe('cookie');
  });

  it('the order conditions are written in does not change the output', () => {
    const written = (cookies: string) => virtualService(compileTraffic(REVIEWS(`  routes:\n    - {name: r, match: {cookies: ${cookies}, headers: {x-b: "2", x-a: "1"}}, to: v1}\n`)), 'reviews');
    expect(JSON.stringify(written('{b: "2", a: "1"}'))).toBe(JSON.stringify(written('{a: "1", b: "2"}')));
  });

  it('the same condition twice is written once', () => {
    const maps = toHeaderMaps([
      { name: 'x-a', match: { kind: 'exact', value: '1' }, negated: false },
      { name: 'x-a', match: { kind: 'exact', value: '1' }, negated: false },
    ]);
    expect(maps).toEqual({ headers: { 'x-a': { exact: '1' } } });
  });
});

describe('actions and settings', () => {
  const spec = virtualService(
    compileTraffic(`${REVIEWS(`  routes:
    - name: moved
      match: {path: {exact: /old}}
      redirect: {uri: /new, authority: shop.example.com, scheme: https, port: 8443, status: 308}
    - name: gone
      match: {path: /gone}
      redirect: {uri: /}
    - name: teapot
      match: {path: {exact: /tea}}
      directResponse: {status: 418, body: "short and stout"}
    - name: empty
      match: {path: {exact: /empty}}
      directResponse: {status: 204}
    - name: alias
      match: {path: {exact: /me}}
      rewrite: {uri: /users/self}
      to: v1
    - name: whole-path
      match: {path: /legacy}
      rewrite: {uri: /modern, authority: internal.example}
      to: v1
    - name: strip
      match: {path: /api/v1/}
      rewrite: {prefix: /}
      to: v1
    - name: mirrored
      match: {path: /m}
      to: v1
      mirror: {version: v3, percent: 12.5}
    - name: elsewhere
      match: {path: /ratings}
      to: [{service: ratings, weight: 100}]
    - name: outside
      match: {path: /pay}
      to: [{service: payments, port: 443}]
    - name: tuned
      match: {path: /t}
      timeout: 1m30s
      retries: {attempts: 3, perTryTimeout: 1500ms, on: [5xx, reset, "503"]}
      fault:
        delay: {duration: 250ms, percent: 5}
        abort: {status: 503, percent: 0.5}
      headers:
        request: {set: {x-b: "2", x-a: "1"}, add: {x-c: "3"}, remove: [x-d]}
        response: {remove: [server]}
      cors:
        allowOrigins: [https://a.example.com, {prefix: "https://b."}, {regex: "https://[a-z]+\\\\.c\\\\.example"}]
        allowMethods: [GET]
        allowHeaders: [authorization]
        exposeHeaders: [x-request-id]
        maxAge: 24h
        allowCredentials: false
    - name: never-retried
      match: {path: /charge}
      retries: {attempts: 0}
    - name: default-conditions
      match: {path: /d}
      retries: {attempts: 2}
`)}---
${HEADER}kind: Service
metadata: {name: ratings, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
---
${HEADER}kind: ExternalService
metadata: {name: payments, namespace: shop}
spec:
  hosts: [api.payments.example.com, eu.payments.example.com]
  ports: [{port: 443, protocol: tls}]
`),
    'reviews',
  );

  it('redirects with Istio\'s field names and the status as redirectCode (301 by default)', () => {
    const moved = route(spec, 'moved');
    expect(moved.redirect).toEqual({ uri: '/new', authority: 'shop.example.com', scheme: 'https', port: 8443, redirectCode: 308 });
    expect(moved.route).toBeUndefined();
    expect(route(spec, 'gone').redirect).toEqual({ uri: '/', redirectCode: 301 });
  });

  it('answers directly, with the body as a string when there is one', () => {
    expect(route(spec, 'teapot').directResponse).toEqual({ status: 418, body: { string: 'short and stout' } });
    expect(route(spec, 'empty').directResponse).toEqual({ status: 204 });
    expect(route(spec, 'teapot').route).toBeUndefined();
  });

  it('rewrites: a prefix replaces the matched prefix; a whole path on an exact match is rewrite.uri, else a regex over the whole path', () => {
    expect(route(spec, 'strip').rewrite).toEqual({ uri: '/' });
    expect(route(spec, 'alias').rewrite).toEqual({ uri: '/users/self' });
    expect(route(spec, 'whole-path').rewrite).toEqual({ uriRegexRewrite: { match: '^.*$', rewrite: '/modern' }, authority: 'internal.example' });
  });

  it('mirrors to a version with a fractional percentage', () => {
    const mirrored = route(spec, 'mirrored');
    expect(mirrored.mirror).toEqual({ host: 'reviews.shop.svc.cluster.local', subset: 'v3' });
    expect(mirrored.mirrorPercentage).toEqual({ value: 12.5 });
  });

  it('routes to another service by its host, and to an external service by its first host and the written port', () => {
    expect(route(spec, 'elsewhere').route).toEqual([{ destination: { host: 'ratings.shop.svc.cluster.local' } }]);
    expect(route(spec, 'outside').route).toEqual([{ destination: { host: 'api.payments.example.com', port: { number: 443 } } }]);
  });

  it('durations in protobuf form, retry conditions comma-joined with status codes as written, fault percentages', () => {
    const tuned = route(spec, 'tuned');
    expect(tuned.timeout).toBe('90s');
    expect(tuned.retries).toEqual({ attempts: 3, perTryTimeout: '1.5s', retryOn: '5xx,reset,503' });
    expect(tuned.fault).toEqual({ delay: { fixedDelay: '0.25s', percentage: { value: 5 } }, abort: { httpStatus: 503, percentage: { value: 0.5 } } });
  });

  it('attempts 0 switches retries off (no retries block would give Istio\'s default of 2); no `on` keeps Istio\'s default conditions', () => {
    expect(route(spec, 'never-retried').retries).toEqual({ attempts: 0 });
    expect(route(spec, 'default-conditions').retries).toEqual({ attempts: 2 });
    expect(route(spec, 'moved').retries).toBeUndefined();
  });

  it('header changes with sorted keys, and a CORS policy with StringMatch origins and a boolean for credentials', () => {
    const tuned = route(spec, 'tuned');
    expect(tuned.headers).toEqual({ request: { set: { 'x-a': '1', 'x-b': '2' }, add: { 'x-c': '3' }, remove: ['x-d'] }, response: { remove: ['server'] } });
    expect(Object.keys(tuned.headers!.request!.set!)).toEqual(['x-a', 'x-b']);
    expect(tuned.corsPolicy).toEqual({
      allowOrigins: [{ exact: 'https://a.example.com' }, { prefix: 'https://b.' }, { regex: 'https://[a-z]+\\.c\\.example' }],
      allowMethods: ['GET'],
      allowHeaders: ['authorization'],
      exposeHeaders: ['x-request-id'],
      maxAge: '86400s',
      allowCredentials: false,
    });
  });
});

describe('the A/B test', () => {
  const AB = (abTest: string, extra = '') =>
    REVIEWS(`  canary: {stable: v1, canary: v3, weight: 20}
  abTest:
${abTest}
  routes:
    - {name: old, match: {path: /old}, redirect: {uri: /new}}
    - {name: pinned, match: {path: /pinned}, to: v1}
    - {name: reads, match: {path: /reviews, methods: [GET, HEAD]}, timeout: 2s}
${extra}`);

  const cohortCookie = { regex: cookieRegex('layout', { kind: 'exact', value: 'beta' }) };
  const inCohort = (match: IstioHttpMatchRequest | undefined) => match?.headers?.cookie !== undefined && JSON.stringify(match.headers.cookie) === JSON.stringify(cohortCookie);

  it('a cookie cohort route precedes each route that follows the default split, and the default route', () => {
    const spec = virtualService(compileTraffic(AB('    name: new-layout\n    cohort: {cookie: {name: layout, value: beta}}\n    variant: v2\n    control: v1')), 'reviews');
    expect(spec.http?.map((r) => r.name)).toEqual(['old', 'pinned', 'reads-new-layout', 'reads', 'new-layout', 'default']);
    const cohortReads = route(spec, 'reads-new-layout');
    expect(cohortReads.match?.every(inCohort)).toBe(true);
    expect(cohortReads.match?.map((m) => m.method)).toEqual([{ exact: 'GET' }, { exact: 'HEAD' }]);
    expect(cohortReads.match?.every((m) => JSON.stringify(m.uri) === JSON.stringify({ prefix: '/reviews' }))).toBe(true);
    expect(split(cohortReads)).toEqual({ v2: undefined });
    // The cohort keeps the route's settings.
    expect(cohortReads.timeout).toBe('2s');
    expect(route(spec, 'new-layout').match).toEqual([{ headers: { cookie: cohortCookie } }]);
    expect(split(route(spec, 'new-layout'))).toEqual({ v2: undefined });
  });

  it('everyone else sees the control instead of the default split', () => {
    const spec = virtualService(compileTraffic(AB('    cohort: {cookie: {name: layout, value: beta}}\n    variant: v2\n    control: v1')), 'reviews');
    expect(split(route(spec, 'reads'))).toEqual({ v1: undefined });
    expect(split(route(spec, 'default'))).toEqual({ v1: undefined });
  });

  it('without a control, everyone else follows the default split (here the canary)', () => {
    const spec = virtualService(compileTraffic(AB('    cohort: {header: {name: X-Beta, value: {prefix: "y"}}}\n    variant: v2')), 'reviews');
    expect(spec.http?.map((r) => r.name)).toEqual(['old', 'pinned', 'reads-cohort', 'reads', 'cohort', 'default']);
    expect(route(spec, 'cohort').match).toEqual([{ headers: { 'x-beta': { prefix: 'y' } } }]);
    expect(split(route(spec, 'reads'))).toEqual({ v1: 80, v3: 20 });
    expect(split(route(spec, 'default'))).toEqual({ v1: 80, v3: 20 });
  });

  it('leaves redirects and routes with their own `to` alone: the cohort meets them like everyone else', () => {
    const spec = virtualService(compileTraffic(AB('    cohort: {cookie: {name: layout, value: beta}}\n    variant: v2')), 'reviews');
    expect(route(spec, 'old').match).toEqual([{ uri: { prefix: '/old' } }]);
    expect(route(spec, 'old').redirect).toBeDefined();
    expect(split(route(spec, 'pinned'))).toEqual({ v1: undefined });
    expect(spec.http?.filter((r) => r.match?.some(inCohort)).map((r) => r.name)).toEqual(['reads-cohort', 'cohort']);
  });

  it('a cohort on the same header a route matches adds a second matcher for it', () => {
    const spec = virtualService(
      compileTraffic(AB('    cohort: {cookie: {name: layout, value: beta}}\n    variant: v2', '    - {name: legacy, match: {cookies: {legacy: "1"}}, timeout: 1s}\n')),
      'reviews',
    );
    const headers = route(spec, 'legacy-cohort').match![0]!.headers!;
    expect(headers).toEqual({ cookie: { regex: cookieRegex('legacy', { kind: 'exact', value: '1' }) }, Cookie: cohortCookie });
  });

  it('a cohort on a catch-all route needs no separate cohort default route', () => {
    const spec = virtualService(compileTraffic(AB('    cohort: {cookie: {name: layout, value: beta}}\n    variant: v2', '    - {name: rest, timeout: 3s}\n')), 'reviews');
    expect(spec.http?.map((r) => r.name)).toEqual(['old', 'pinned', 'reads-cohort', 'reads', 'rest-cohort', 'rest']);
    expect(route(spec, 'rest').match).toBeUndefined();
  });
});

describe('TCP and mixed services', () => {
  const LEDGER = (ports: string, extra: string) => `${HEADER}kind: Service
metadata: {name: ledger, namespace: shop}
spec:
  ports: ${ports}
  versions:
    v1: {labels: {version: v1}}
    v2: {labels: {version: v2}}
${extra}---
${HEADER}kind: Service
metadata: {name: billing, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
`;

  it('a TCP service gets TCP routes only: by caller, weighted, then the default split', () => {
    const spec = virtualService(
      compileTraffic(LEDGER('[{port: 5432, protocol: tcp}]', '  routes:\n    - match: {from: [billing]}\n      to: [{version: v1, weight: 90}, {version: v2, weight: 10}]\n')),
      'ledger',
    );
    expect(spec.http).toBeUndefined();
    expect(spec.tcp).toEqual([
      {
        match: [{ sourceLabels: { app: 'billing' }, sourceNamespace: 'shop' }],
        route: [
          { destination: { host: 'ledger.shop.svc.cluster.local', subset: 'v1' }, weight: 90 },
          { destination: { host: 'ledger.shop.svc.cluster.local', subset: 'v2' }, weight: 10 },
        ],
      },
      { route: [{ destination: { host: 'ledger.shop.svc.cluster.local' } }] },
    ]);
  });

  it('a canary on a service with HTTP and TCP ports splits both', () => {
    const spec = virtualService(
      compileTraffic(LEDGER('[{port: 5432, protocol: tcp}, {port: 8080, protocol: http}]', '  canary: {stable: v1, canary: v2, weight: 30}\n')),
      'ledger',
    );
    expect(split(spec.http![0]!)).toEqual({ v1: 70, v2: 30 });
    expect(spec.tcp?.[0]?.route.map((d) => [d.destination.subset, d.weight])).toEqual([['v1', 70], ['v2', 30]]);
  });

  it('HTTP routes on a mixed service leave its TCP port to Istio\'s default routing', () => {
    const spec = virtualService(
      compileTraffic(LEDGER('[{port: 5432, protocol: tcp}, {port: 8080, protocol: http}]', '  routes:\n    - {match: {path: /a}, timeout: 1s}\n    - {timeout: 2s}\n')),
      'ledger',
    );
    expect(spec.http?.map((r) => r.name)).toEqual(['route-0', 'route-1']);
    expect(spec.tcp).toBeUndefined();
  });

  it('a catch-all route applies to streams only when its destination port is a stream port', () => {
    const ports = '[{port: 5432, protocol: tcp}, {port: 8080, protocol: http}]';
    const toHttpPort = virtualService(compileTraffic(LEDGER(ports, '  routes:\n    - {to: [{version: v2, port: 8080}]}\n')), 'ledger');
    expect(toHttpPort.tcp).toBeUndefined();
    const toStreamPort = virtualService(compileTraffic(LEDGER(ports, '  routes:\n    - {to: [{version: v2, port: 5432}]}\n')), 'ledger');
    expect(toStreamPort.tcp).toEqual([{ route: [{ destination: { host: 'ledger.shop.svc.cluster.local', subset: 'v2', port: { number: 5432 } } }] }]);
    expect(toStreamPort.http?.map((r) => r.name)).toEqual(['route-0']);
  });
});

describe('services without a VirtualService', () => {
  it('a service with no routes, canary or A/B test, or an empty route list, gets none', () => {
    const objects = compileTraffic(`${REVIEWS('  routes: []\n')}---
${HEADER}kind: Service
metadata: {name: bare, namespace: shop}
spec:
  ports: [{port: 80, protocol: http}]
`);
    expect(objects.filter((o) => o.kind === 'VirtualService')).toEqual([]);
  });
});

describe('destinations in another service', () => {
  const mesh = (to: string, mirror: string) => `${HEADER}kind: Service
metadata: {name: catalog, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}, {port: 9443, protocol: grpc, name: grpc-api}]
  routes:
    - name: moved
      match: {path: /old}
      to: [${to}]
    - name: shadowed
      mirror: ${mirror}
---
${HEADER}kind: Service
metadata: {name: archive, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
---
${HEADER}kind: Service
metadata: {name: twin, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}, {port: 9443, protocol: grpc}]
`;

  it('name the other service\'s first HTTP port when it lacks one of this service\'s ports (a port-less destination keeps the arrival port, which would lead nowhere)', () => {
    const spec = virtualService(compileTraffic(mesh('{service: archive}', '{service: archive, percent: 5}')), 'catalog');
    expect(route(spec, 'moved').route).toEqual([{ destination: { host: 'archive.shop.svc.cluster.local', port: { number: 8080 } } }]);
    expect(route(spec, 'shadowed').mirror).toEqual({ host: 'archive.shop.svc.cluster.local', port: { number: 8080 } });
  });

  it('stay port-less when the other service has every HTTP port of this one', () => {
    const spec = virtualService(compileTraffic(mesh('{service: twin}', '{service: twin, percent: 5}')), 'catalog');
    expect(route(spec, 'moved').route).toEqual([{ destination: { host: 'twin.shop.svc.cluster.local' } }]);
    expect(route(spec, 'shadowed').mirror).toEqual({ host: 'twin.shop.svc.cluster.local' });
  });
});
