// Ingress: the Gateway and the VirtualService that binds an exposed service to it. A gateway reads
// only the VirtualServices bound to it, so what matters is which requests it accepts for which
// host and path, and that they meet the service's own routes on the way in.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { TRAFFIC_EMITTERS } from '../../src/compiler/istio/traffic/index.js';
import { authorityMatch } from '../../src/compiler/istio/traffic/ingress-virtual-service.js';
import type { IstioGatewaySpec, IstioHttpRoute, IstioVirtualServiceSpec } from '../../src/compiler/istio/traffic/istio-types.js';
import { cookieRegex } from '../../src/compiler/istio/traffic/string-match.js';
import { re2FullMatch } from '../../src/model/re2-regex.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { validateText } from '../helpers/validate-text.js';
import { loadCrds, validateAgainstCrd } from '../support/crd-validator.js';

const HEADER = 'apiVersion: meshctl.dev/v1alpha1\n';
const catalog = loadCrds(path.join(import.meta.dirname, '..', '..', '..', 'shared', 'crds', 'istio-v1.30.3.yaml'));

/** Whatever a test compiles must also be what Istio's CRDs accept. */
function expectAccepted(objects: readonly KubernetesObject[]): void {
  const problems = objects.flatMap((o) => {
    const violations = validateAgainstCrd(catalog, o);
    return [...violations.map((v) => `${o.kind} ${o.metadata.name}: ${v.path}: ${v.message}`), ...violations.unevaluated.map((u) => `${o.kind} ${o.metadata.name}: unevaluated ${u.rule}`)];
  });
  expect(problems).toEqual([]);
}

function compile(yaml: string): KubernetesObject[] {
  const result = validateText(yaml);
  expect(result.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  const objects = TRAFFIC_EMITTERS.flatMap((emit) => emit(result.model));
  expectAccepted(objects);
  return objects;
}

function object(objects: KubernetesObject[], kind: string, namespace: string, name: string): KubernetesObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${namespace}/${name} among ${objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).join(', ')}`);
  return found;
}

const ingress = (objects: KubernetesObject[], name: string, namespace = 'shop') =>
  object(objects, 'VirtualService', namespace, `${name}-ingress`).spec as IstioVirtualServiceSpec;

function route(spec: IstioVirtualServiceSpec, name: string): IstioHttpRoute {
  const found = spec.http?.find((candidate) => candidate.name === name);
  if (!found) throw new Error(`no route ${name} among ${spec.http?.map((r) => r.name).join(', ')}`);
  return found;
}

const GATEWAYS = `${HEADER}kind: Gateway
metadata: {name: public, namespace: edge}
spec:
  selector: {istio: ingressgateway, app: public-gw}
  listeners:
    - {name: https, port: 443, protocol: https, hosts: [shop.example.com, API.example.com, "*.example.org"], tls: {mode: simple, credentialName: shop-cert}}
    - {port: 80, protocol: http, hosts: [shop.example.com]}
    - {port: 8443, protocol: tls, hosts: [db.example.com], tls: {mode: passthrough}}
    - {name: mtls, port: 9443, protocol: http2, hosts: ["*"], tls: {mode: mutual, credentialName: partner-cert}}
    - {port: 5432, protocol: tcp, hosts: ["*"]}
---
${HEADER}kind: Gateway
metadata: {name: partners, namespace: edge}
spec:
  listeners:
    - {port: 443, protocol: https, hosts: [api.example.com], tls: {mode: simple, credentialName: partner-cert}}
`;

describe('the Gateway', () => {
  const gateways = compile(GATEWAYS);

  it('one server per listener, protocols and TLS modes in Istio\'s upper case, every port named, hosts in lower case', () => {
    const spec = object(gateways, 'Gateway', 'edge', 'public').spec as IstioGatewaySpec;
    expect(spec.selector).toEqual({ app: 'public-gw', istio: 'ingressgateway' });
    expect(spec.servers).toEqual([
      {
        port: { number: 443, name: 'https', protocol: 'HTTPS' },
        hosts: ['shop.example.com', 'api.example.com', '*.example.org'],
        tls: { mode: 'SIMPLE', credentialName: 'shop-cert' },
      },
      { port: { number: 80, name: 'http-80', protocol: 'HTTP' }, hosts: ['shop.example.com'] },
      { port: { number: 8443, name: 'tls-8443', protocol: 'TLS' }, hosts: ['db.example.com'], tls: { mode: 'PASSTHROUGH' } },
      { port: { number: 9443, name: 'mtls', protocol: 'HTTP2' }, hosts: ['*'], tls: { mode: 'MUTUAL', credentialName: 'partner-cert' } },
      { port: { number: 5432, name: 'tcp-5432', protocol: 'TCP' }, hosts: ['*'] },
    ]);
  });

  it('the selector defaults to Istio\'s ingress gateway pods', () => {
    expect((object(gateways, 'Gateway', 'edge', 'partners').spec as IstioGatewaySpec).selector).toEqual({ istio: 'ingressgateway' });
  });
});

describe('the ingress VirtualService', () => {
  const SHOP = (spec: string) => `${GATEWAYS}---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 7000, protocol: tcp}, {name: http, port: 8080, protocol: http}, {port: 9090, protocol: grpc}]
  versions:
    v1: {labels: {version: v1}}
    v2: {labels: {version: v2}}
    v3: {labels: {version: v3}}
${spec}---
${HEADER}kind: Service
metadata: {name: probe, namespace: shop}
spec:
  ports: [{port: 80, protocol: http}]
`;

  it('binds the exposed hosts (lower case) to the gateway and sends to the service\'s first HTTP port', () => {
    const spec = ingress(compile(SHOP('  expose: [{gateway: edge/public, hosts: [Shop.Example.com]}]\n')), 'web');
    expect(spec.gateways).toEqual(['edge/public']);
    expect(spec.hosts).toEqual(['shop.example.com']);
    expect(spec.http).toEqual([{ name: 'default', route: [{ destination: { host: 'web.shop.svc.cluster.local', port: { number: 8080 } } }] }]);
  });

  it('paths are prefixes; every route of the service is narrowed to them and keeps its order', () => {
    const spec = ingress(
      compile(
        SHOP(`  routes:
    - {name: exact-inside, match: {path: {exact: /api/me}}, to: v2}
    - {name: exact-outside, match: {path: {exact: /admin}}, to: v2}
    - {name: narrower, match: {path: /api/v2}, to: v2}
    - {name: wider, match: {path: /a}, to: v2}
    - {name: regex, match: {path: {regex: "/[a-z]+/[0-9]+"}}, to: v2}
    - {name: by-header, match: {headers: {x-beta: "1"}}, to: v2}
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [/api]}]
`),
      ),
      'web',
    );
    expect(spec.http?.map((r) => r.name)).toEqual(['exact-inside', 'narrower', 'wider', 'regex', 'by-header', 'default']);
    expect(route(spec, 'exact-inside').match).toEqual([{ uri: { exact: '/api/me' } }]);
    expect(route(spec, 'wider').match).toEqual([{ uri: { prefix: '/api' } }]);
    expect(route(spec, 'narrower').match).toEqual([{ uri: { prefix: '/api/v2' } }]);
    expect(route(spec, 'regex').match).toEqual([{ uri: { regex: '/[a-z]+/[0-9]+' }, headers: { ':path': { prefix: '/api' } } }]);
    expect(route(spec, 'by-header').match).toEqual([{ uri: { prefix: '/api' }, headers: { 'x-beta': { exact: '1' } } }]);
    expect(route(spec, 'default').match).toEqual([{ uri: { prefix: '/api' } }]);
    for (const httpRoute of spec.http ?? []) for (const d of httpRoute.route ?? []) expect(d.destination.port).toEqual({ number: 8080 });
  });

  it('a prefix rewrite keeps replacing the route\'s own prefix when the exposure is narrower', () => {
    const spec = ingress(
      compile(SHOP(`  routes:
    - {name: strip, match: {path: /v1/}, rewrite: {prefix: /}, to: v1}
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [/v1/public/]}]
`)),
      'web',
    );
    expect(route(spec, 'strip').match).toEqual([{ uri: { prefix: '/v1/' }, headers: { ':path': { prefix: '/v1/public/' } } }]);
    expect(route(spec, 'strip').rewrite).toEqual({ uri: '/' });
  });

  it('leaves out routes by caller: at a gateway the caller is the gateway', () => {
    const spec = ingress(
      compile(SHOP(`  routes:
    - {name: from-probe, match: {from: [probe]}, to: v2}
  expose: [{gateway: edge/public, hosts: [shop.example.com]}]
`)),
      'web',
    );
    expect(spec.http?.map((r) => r.name)).toEqual(['default']);
  });

  it('carries the canary split and the A/B cohort, with explicit ports on every destination and mirror', () => {
    const spec = ingress(
      compile(SHOP(`  canary: {stable: v1, canary: v2, weight: 5}
  abTest: {name: beta, cohort: {cookie: {name: beta, value: "1"}}, variant: v2}
  routes:
    - {name: shadowed, match: {path: /s}, mirror: {version: v3, percent: 1}}
  expose: [{gateway: edge/public, hosts: [shop.example.com]}]
`)),
      'web',
    );
    expect(spec.http?.map((r) => r.name)).toEqual(['shadowed-beta', 'shadowed', 'beta', 'default']);
    expect(route(spec, 'beta').match).toEqual([{ headers: { cookie: { regex: cookieRegex('beta', { kind: 'exact', value: '1' }) } } }]);
    expect(route(spec, 'beta').route).toEqual([{ destination: { host: 'web.shop.svc.cluster.local', subset: 'v2', port: { number: 8080 } } }]);
    expect(route(spec, 'default').route).toEqual([
      { destination: { host: 'web.shop.svc.cluster.local', subset: 'v1', port: { number: 8080 } }, weight: 95 },
      { destination: { host: 'web.shop.svc.cluster.local', subset: 'v2', port: { number: 8080 } }, weight: 5 },
    ]);
    expect(route(spec, 'shadowed').mirror).toEqual({ host: 'web.shop.svc.cluster.local', subset: 'v3', port: { number: 8080 } });
  });

  it('several gateways: each match names the gateway it comes through', () => {
    const spec = ingress(
      compile(SHOP(`  expose:
    - {gateway: edge/public, hosts: [shop.example.com], paths: [/shop]}
    - {gateway: edge/partners, hosts: [api.example.com], paths: [/partner]}
`)),
      'web',
    );
    expect(spec.gateways).toEqual(['edge/public', 'edge/partners']);
    expect(spec.hosts).toEqual(['shop.example.com', 'api.example.com']);
    expect(route(spec, 'default').match).toEqual([
      { uri: { prefix: '/shop' }, gateways: ['edge/public'] },
      { uri: { prefix: '/partner' }, gateways: ['edge/partners'] },
    ]);
  });

  it('one gateway, different paths per host: each match names its hosts, so no host gets another\'s paths', () => {
    const spec = ingress(
      compile(SHOP(`  expose:
    - {gateway: edge/public, hosts: [shop.example.com], paths: [/shop]}
    - {gateway: edge/public, hosts: ["*.example.org"], paths: [/org]}
`)),
      'web',
    );
    expect(spec.gateways).toEqual(['edge/public']);
    expect(route(spec, 'default').match).toEqual([
      { uri: { prefix: '/shop' }, authority: authorityMatch('shop.example.com') },
      { uri: { prefix: '/org' }, authority: authorityMatch('*.example.org') },
    ]);
  });

  it('one gateway, the same paths: the hosts share the routes without authority matches', () => {
    const spec = ingress(
      compile(SHOP(`  expose:
    - {gateway: edge/public, hosts: [shop.example.com]}
    - {gateway: edge/public, hosts: [api.example.com, SHOP.example.com]}
`)),
      'web',
    );
    expect(spec.hosts).toEqual(['shop.example.com', 'api.example.com']);
    expect(route(spec, 'default').match).toBeUndefined();
  });

  it('authority matches are case-insensitive, allow a port, and read a wildcard as one or more labels', () => {
    const exact = (authorityMatch('shop.example.com') as { regex: string }).regex;
    expect(re2FullMatch(exact, 'shop.example.com')).toBe(true);
    expect(re2FullMatch(exact, 'SHOP.Example.com:443')).toBe(true);
    expect(re2FullMatch(exact, 'shopxexample.com')).toBe(false);
    expect(re2FullMatch(exact, 'evil.shop.example.com')).toBe(false);
    const wildcard = (authorityMatch('*.example.org') as { regex: string }).regex;
    expect(re2FullMatch(wildcard, 'a.example.org')).toBe(true);
    expect(re2FullMatch(wildcard, 'a.b.example.org:8443')).toBe(true);
    expect(re2FullMatch(wildcard, 'example.org')).toBe(false);
  });

  it('a TLS service is exposed by SNI to its TLS port, a TCP service by a TCP route', () => {
    const objects = compile(`${GATEWAYS}---
${HEADER}kind: Service
metadata: {name: db, namespace: data}
spec:
  ports: [{port: 6543, protocol: tcp}, {port: 5432, protocol: tls}]
  expose: [{gateway: edge/public, hosts: [db.example.com]}]
---
${HEADER}kind: Service
metadata: {name: feed, namespace: data}
spec:
  ports: [{port: 7000, protocol: tcp}]
  expose: [{gateway: edge/public, hosts: [feed.example.com]}]
`);
    expect(ingress(objects, 'db', 'data')).toEqual({
      hosts: ['db.example.com'],
      gateways: ['edge/public'],
      tls: [{ match: [{ sniHosts: ['db.example.com'] }], route: [{ destination: { host: 'db.data.svc.cluster.local', port: { number: 5432 } } }] }],
    });
    expect(ingress(objects, 'feed', 'data').tcp).toEqual([{ route: [{ destination: { host: 'feed.data.svc.cluster.local', port: { number: 7000 } } }] }]);
  });

  it('a service that is not exposed gets no ingress VirtualService', () => {
    const objects = compile(SHOP('  canary: {stable: v1, canary: v2, weight: 5}\n'));
    expect(objects.filter((o) => o.metadata.name.endsWith('-ingress'))).toEqual([]);
  });
});
