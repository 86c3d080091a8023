// Ingress: the Gateway and the VirtualServices that bind exposed services to it, one per host of a
// gateway (Istio merges several VirtualServices for one host unreliably). A gateway reads only the
// VirtualServices bound to it, so what matters is which requests it accepts for which host and
// path, which service each goes to, and that they meet the service's own routes on the way in.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compileIstio, loadMesh, validate } from '../../src/index.js';
import type { IstioGatewaySpec, IstioHttpRoute, IstioVirtualServiceSpec } from '../../src/compiler/istio/traffic/istio-types.js';
import { cookieRegex } from '../../src/model/conditions.js';
import { compiledName, compiledObjects } from '../../src/compiler/istio/compiled-names.js';
import { isDnsLabel } from '../../src/model/names.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { validateText } from '../helpers/validate-text.js';
import { HEADER, compileTraffic, expectAccepted } from './istio-traffic-support.js';




function object(objects: KubernetesObject[], kind: string, namespace: string, name: string): KubernetesObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${namespace}/${name} among ${objects.map((o) => `${o.kind} ${o.metadata.namespace}/${o.metadata.name}`).join(', ')}`);
  return found;
}

/** The VirtualServices bound to a gateway (`namespace/name`), as a gateway reads them. */
const boundTo = (objects: readonly KubernetesObject[], gateway: string) =>
  objects.filter((o) => o.kind === 'VirtualService' && ((o.spec as IstioVirtualServiceSpec).gateways ?? []).includes(gateway));

/** The one VirtualService a gateway has for a host: it must exist and be the only one. */
function ingressObject(objects: readonly KubernetesObject[], gateway: string, host: string): KubernetesObject {
  const forHost = boundTo(objects, gateway).filter((o) => (o.spec as IstioVirtualServiceSpec).hosts.includes(host));
  expect(forHost.map((o) => o.metadata.name), `VirtualServices of ${gateway} for ${host}`).toHaveLength(1);
  const found = forHost[0]!;
  expect(found.metadata.namespace).toBe(gateway.split('/')[0]);
  expect((found.spec as IstioVirtualServiceSpec).hosts).toEqual([host]);
  expect((found.spec as IstioVirtualServiceSpec).gateways).toEqual([gateway]);
  return found;
}

const ingress = (objects: readonly KubernetesObject[], gateway: string, host: string) => ingressObject(objects, gateway, host).spec as IstioVirtualServiceSpec;

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
    - {name: mtls, port: 9443, protocol: https, hosts: ["*"], tls: {mode: mutual, credentialName: partner-cert}}
    - {port: 5432, protocol: tcp, hosts: ["*"]}
---
${HEADER}kind: Gateway
metadata: {name: partners, namespace: edge}
spec:
  listeners:
    - {port: 443, protocol: https, hosts: [api.example.com], tls: {mode: simple, credentialName: partner-cert}}
`;

describe('the Gateway', () => {
  const gateways = compileTraffic(GATEWAYS);

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
      { port: { number: 9443, name: 'mtls', protocol: 'HTTPS' }, hosts: ['*'], tls: { mode: 'MUTUAL', credentialName: 'partner-cert' } },
      { port: { number: 5432, name: 'tcp-5432', protocol: 'TCP' }, hosts: ['*'] },
    ]);
  });

  it('the selector defaults to Istio\'s ingress gateway pods', () => {
    expect((object(gateways, 'Gateway', 'edge', 'partners').spec as IstioGatewaySpec).selector).toEqual({ istio: 'ingressgateway' });
  });
});


describe('the ingress VirtualService of a gateway host', () => {
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

  it('lives in the gateway\'s namespace, is named after the gateway and the host, and names the Gateway as its source', () => {
    const objects = compileTraffic(SHOP('  expose: [{gateway: edge/public, hosts: [Shop.Example.com]}]\n'));
    const vs = ingressObject(objects, 'edge/public', 'shop.example.com');
    expect(vs.metadata.name).toBe('public-shop-example-com');
    expect(vs.metadata.annotations).toEqual(object(objects, 'Gateway', 'edge', 'public').metadata.annotations);
    expect(objects.filter((o) => o.kind === 'VirtualService' && o.metadata.namespace === 'shop')).toEqual([]);
  });

  it('binds the exposed host (lower case) to the gateway and sends to the service\'s first HTTP port', () => {
    const spec = ingress(compileTraffic(SHOP('  expose: [{gateway: edge/public, hosts: [Shop.Example.com]}]\n')), 'edge/public', 'shop.example.com');
    expect(spec.http).toEqual([{ name: 'default', route: [{ destination: { host: 'web.shop.svc.cluster.local', port: { number: 8080 } } }] }]);
  });

  it('paths are prefixes; every route of the service is narrowed to them and keeps its order', () => {
    const spec = ingress(
      compileTraffic(
        SHOP(`  routes:
    - {name: exact-inside, match: {path: {exact: /api/me}}, to: v2}
    - {name: exact-outside, match: {path: {exact: /admin}}, to: v2}
    - {name: narrower, match: {path: /api/v2}, to: v2}
    - {name: wider, match: {path: /a, methods: [GET]}, to: v2}
    - {name: regex, match: {path: {regex: "/[a-z]+/[0-9]+"}}, to: v2}
    - {name: by-header, match: {headers: {x-beta: "1"}}, to: v2}
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [/api]}]
`),
      ),
      'edge/public',
      'api.example.com',
    );
    expect(spec.http?.map((r) => r.name)).toEqual(['exact-inside', 'narrower', 'wider', 'regex', 'by-header', 'default']);
    expect(route(spec, 'exact-inside').match).toEqual([{ uri: { exact: '/api/me' } }]);
    expect(route(spec, 'wider').match).toEqual([{ uri: { prefix: '/api' }, method: { exact: 'GET' } }]);
    expect(route(spec, 'narrower').match).toEqual([{ uri: { prefix: '/api/v2' } }]);
    expect(route(spec, 'regex').match).toEqual([{ uri: { regex: '/[a-z]+/[0-9]+' }, headers: { ':path': { prefix: '/api' } } }]);
    expect(route(spec, 'by-header').match).toEqual([{ uri: { prefix: '/api' }, headers: { 'x-beta': { exact: '1' } } }]);
    expect(route(spec, 'default').match).toEqual([{ uri: { prefix: '/api' } }]);
    for (const httpRoute of spec.http ?? []) for (const d of httpRoute.route ?? []) expect(d.destination.port).toEqual({ number: 8080 });
  });

  it('leaves out a route whose every request, narrowed to the exposed prefixes, an earlier route already takes (Istio reports it unused: IST0130)', () => {
    const spec = ingress(
      compileTraffic(
        SHOP(`  routes:
    - {name: exact-inside, match: {path: {exact: /api/me}}, to: v2}
    - {name: wider, match: {path: /a}, to: v2}
    - {name: by-header, match: {headers: {x-beta: "1"}}, to: v2}
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [/api]}]
`),
      ),
      'edge/public',
      'api.example.com',
    );
    // /a narrowed to /api takes every request under /api: by-header and the default route would never match.
    expect(spec.http?.map((r) => r.name)).toEqual(['exact-inside', 'wider']);
    expect(route(spec, 'wider').match).toEqual([{ uri: { prefix: '/api' } }]);
  });

  it('a prefix rewrite keeps replacing the route\'s own prefix when the exposure is narrower', () => {
    const spec = ingress(
      compileTraffic(SHOP(`  routes:
    - {name: strip, match: {path: /v1/}, rewrite: {prefix: /}, to: v1}
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [/v1/public/]}]
`)),
      'edge/public',
      'api.example.com',
    );
    expect(route(spec, 'strip').match).toEqual([{ uri: { prefix: '/v1/' }, headers: { ':path': { prefix: '/v1/public/' } } }]);
    expect(route(spec, 'strip').rewrite).toEqual({ uri: '/' });
  });

  it('leaves out routes by caller: at a gateway the caller is the gateway', () => {
    const spec = ingress(
      compileTraffic(SHOP(`  routes:
    - {name: from-probe, match: {from: [probe]}, to: v2}
  expose: [{gateway: edge/public, hosts: [shop.example.com]}]
`)),
      'edge/public',
      'shop.example.com',
    );
    expect(spec.http?.map((r) => r.name)).toEqual(['default']);
  });

  it('carries the canary split and the A/B cohort, with explicit ports on every destination and mirror', () => {
    const spec = ingress(
      compileTraffic(SHOP(`  canary: {stable: v1, canary: v2, weight: 5}
  abTest: {name: beta, cohort: {cookie: {name: beta, value: "1"}}, variant: v2}
  routes:
    - {name: shadowed, match: {path: /s}, mirror: {version: v3, percent: 1}}
  expose: [{gateway: edge/public, hosts: [shop.example.com]}]
`)),
      'edge/public',
      'shop.example.com',
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

  it('several gateways: one VirtualService per gateway host, each with only the paths exposed there and no gateway condition', () => {
    const objects = compileTraffic(SHOP(`  expose:
    - {gateway: edge/public, hosts: [shop.example.com], paths: [/shop]}
    - {gateway: edge/partners, hosts: [api.example.com], paths: [/partner]}
`));
    expect(boundTo(objects, 'edge/public')).toHaveLength(1);
    expect(boundTo(objects, 'edge/partners')).toHaveLength(1);
    expect(route(ingress(objects, 'edge/public', 'shop.example.com'), 'default').match).toEqual([{ uri: { prefix: '/shop' } }]);
    expect(route(ingress(objects, 'edge/partners', 'api.example.com'), 'default').match).toEqual([{ uri: { prefix: '/partner' } }]);
  });

  it('one gateway, different paths per host: each host\'s VirtualService has only its own paths, with no authority match', () => {
    const objects = compileTraffic(SHOP(`  expose:
    - {gateway: edge/public, hosts: [shop.example.com], paths: [/shop]}
    - {gateway: edge/public, hosts: ["*.example.org"], paths: [/org]}
`));
    expect(route(ingress(objects, 'edge/public', 'shop.example.com'), 'default').match).toEqual([{ uri: { prefix: '/shop' } }]);
    const wildcard = ingressObject(objects, 'edge/public', '*.example.org');
    expect(wildcard.metadata.name).toBe('public-wildcard-example-org');
    expect(route(wildcard.spec as IstioVirtualServiceSpec, 'default').match).toEqual([{ uri: { prefix: '/org' } }]);
  });

  it('one service, several entries for one host: their paths add up in one VirtualService', () => {
    const objects = compileTraffic(SHOP(`  expose:
    - {gateway: edge/public, hosts: [shop.example.com, api.example.com], paths: [/a]}
    - {gateway: edge/public, hosts: [SHOP.example.com], paths: [/b, /a]}
`));
    expect(boundTo(objects, 'edge/public')).toHaveLength(2);
    expect(route(ingress(objects, 'edge/public', 'shop.example.com'), 'default').match).toEqual([{ uri: { prefix: '/a' } }, { uri: { prefix: '/b' } }]);
    expect(route(ingress(objects, 'edge/public', 'api.example.com'), 'default').match).toEqual([{ uri: { prefix: '/a' } }]);
  });

  it('a TLS service is exposed by SNI to its TLS port, a TCP service by a TCP route', () => {
    const objects = compileTraffic(`${GATEWAYS}---
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
    expect(ingressObject(objects, 'edge/public', 'db.example.com').metadata.name).toBe('public-db-example-com');
    expect(ingress(objects, 'edge/public', 'db.example.com')).toEqual({
      hosts: ['db.example.com'],
      gateways: ['edge/public'],
      tls: [{ match: [{ sniHosts: ['db.example.com'] }], route: [{ destination: { host: 'db.data.svc.cluster.local', port: { number: 5432 } } }] }],
    });
    expect(ingress(objects, 'edge/public', 'feed.example.com').tcp).toEqual([{ route: [{ destination: { host: 'feed.data.svc.cluster.local', port: { number: 7000 } } }] }]);
  });

  it('a service that is not exposed adds nothing at the gateway', () => {
    const objects = compileTraffic(SHOP('  canary: {stable: v1, canary: v2, weight: 5}\n'));
    expect(boundTo(objects, 'edge/public')).toEqual([]);
    expect(boundTo(objects, 'edge/partners')).toEqual([]);
  });
});

describe('several services on one gateway host', () => {
  const TWO = (extra = '') => `${GATEWAYS}---
${HEADER}kind: Service
metadata: {name: orders, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  routes:
    - {name: list, match: {path: {exact: /orders}, methods: [GET]}, timeout: 2s}
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [/orders]}]
---
${HEADER}kind: Service
metadata: {name: accounts, namespace: users}
spec:
  ports: [{port: 9000, protocol: http}]
  routes:
    - {name: list, match: {path: /accounts/list}, timeout: 1s}
  expose: [{gateway: edge/public, hosts: [API.example.com], paths: [/accounts, /me]}]
${extra}`;

  it('share one VirtualService: each service\'s routes in turn, in the model\'s order, each narrowed to its own prefixes', () => {
    const objects = compileTraffic(TWO());
    const vs = ingressObject(objects, 'edge/public', 'api.example.com');
    expect(vs.metadata.name).toBe('public-api-example-com');
    const spec = vs.spec as IstioVirtualServiceSpec;
    // The model orders services by namespace/name: shop/orders before users/accounts.
    expect(spec.http?.map((r) => r.name)).toEqual(['orders-list', 'orders-default', 'accounts-list', 'accounts-default']);
    const to = (r: IstioHttpRoute) => r.route?.map((d) => d.destination.host);
    expect(route(spec, 'orders-list').match).toEqual([{ uri: { exact: '/orders' }, method: { exact: 'GET' } }]);
    expect(route(spec, 'orders-default').match).toEqual([{ uri: { prefix: '/orders' } }]);
    expect(to(route(spec, 'orders-default'))).toEqual(['orders.shop.svc.cluster.local']);
    expect(route(spec, 'accounts-list').match).toEqual([{ uri: { prefix: '/accounts/list' } }]);
    expect(route(spec, 'accounts-default').match).toEqual([{ uri: { prefix: '/accounts' } }, { uri: { prefix: '/me' } }]);
    expect(to(route(spec, 'accounts-default'))).toEqual(['accounts.users.svc.cluster.local']);
    expect(route(spec, 'accounts-default').route?.[0]?.destination.port).toEqual({ number: 9000 });
  });

  it('route names stay distinct: only names that several services use get the service\'s name, and a clash after that a number', () => {
    const objects = compileTraffic(TWO(`---
${HEADER}kind: Service
metadata: {name: zeta, namespace: users}
spec:
  ports: [{port: 8080, protocol: http}]
  routes:
    - {name: orders-default, match: {path: /zeta/old}, redirect: {uri: /zeta, status: 301}}
    - {name: unique, match: {path: /zeta/x}}
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [/zeta]}]
`));
    const names = ingress(objects, 'edge/public', 'api.example.com').http?.map((r) => r.name);
    expect(names).toEqual(['orders-list', 'orders-default-2', 'accounts-list', 'accounts-default', 'orders-default', 'unique', 'zeta-default']);
    expect(new Set(names).size).toBe(names?.length);
  });

  it('an HTTP service and a TLS service on one host share the VirtualService, each on its own protocol', () => {
    const objects = compileTraffic(`${GATEWAYS}---
${HEADER}kind: Service
metadata: {name: db, namespace: data}
spec:
  ports: [{port: 5432, protocol: tls}]
  expose: [{gateway: edge/public, hosts: ["*"]}]
---
${HEADER}kind: Service
metadata: {name: web, namespace: data}
spec:
  ports: [{port: 8080, protocol: http}]
  expose: [{gateway: edge/public, hosts: ["*"]}]
`);
    const vs = ingressObject(objects, 'edge/public', '*');
    expect(vs.metadata.name).toBe('public-wildcard');
    const spec = vs.spec as IstioVirtualServiceSpec;
    expect(spec.http?.map((r) => r.route?.[0]?.destination.host)).toEqual(['web.data.svc.cluster.local']);
    expect(spec.tls).toEqual([{ match: [{ sniHosts: ['*'] }], route: [{ destination: { host: 'db.data.svc.cluster.local', port: { number: 5432 } } }] }]);
  });

  it('overlapping prefixes are refused (MESH227): whichever service sorts first would take the other\'s requests', () => {
    const result = validateText(`${GATEWAYS}---
${HEADER}kind: Service
metadata: {name: cart, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [/cart]}]
---
${HEADER}kind: Service
metadata: {name: cartography, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [/cartography]}]
---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  expose: [{gateway: edge/public, hosts: [api.example.com, shop.example.com]}]
`);
    const mesh227 = result.diagnostics.filter((d) => d.code === 'MESH227').map((d) => d.message);
    expect(mesh227).toHaveLength(2);
    expect(mesh227[0]).toContain('path prefix "/cartography" on host "api.example.com" of gateway edge/public overlaps prefix "/cart", under which service cart is exposed there');
    expect(mesh227[0]).toContain('take every request under "/cartography"');
    expect(mesh227[1]).toContain('path prefix "/" (the default) on host "api.example.com"');
  });

  it('exact paths share requests only with the same path or a prefix that starts them (MESH227)', () => {
    const result = validateText(`${GATEWAYS}---
${HEADER}kind: Service
metadata: {name: cart, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [{exact: /cart}, {prefix: /cart/}]}]
---
${HEADER}kind: Service
metadata: {name: cartography, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [/cartography, {exact: /cart/items}]}]
`);
    const mesh227 = result.diagnostics.filter((d) => d.code === 'MESH227').map((d) => d.message);
    // "/cartography" is no longer under cart's paths; "/cart/items" is, under its prefix "/cart/".
    expect(mesh227).toHaveLength(1);
    expect(mesh227[0]).toContain('path exact "/cart/items" on host "api.example.com" of gateway edge/public overlaps prefix "/cart/"');
    expect(mesh227[0]).toContain('take every request to "/cart/items"');
  });

  it('an exposed path object sets exactly one of exact and prefix (MESH305)', () => {
    const result = validateText(`${GATEWAYS}---
${HEADER}kind: Service
metadata: {name: cart, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [{exact: /cart, prefix: /cart/}, {}]}]
`);
    const line = result.diagnostics.find((d) => d.code === 'MESH305')?.span.line;
    expect(result.diagnostics.filter((d) => d.code === 'MESH305').map((d) => `${d.span.line}:${d.span.column} ${d.message}`)).toEqual([
      `${line}:69 the exposed path sets exact and prefix: set exactly one of exact, prefix`,
      `${line}:101 the exposed path sets none of exact, prefix: set exactly one`,
    ]);
  });

  it('narrows a route that rewrites its own prefix to an exact path by a :path condition, which carries the query string too', () => {
    const objects = compileTraffic(`${GATEWAYS}---
${HEADER}kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  routes:
    - name: v1
      match: {path: /v1/}
      rewrite: {prefix: /}
  expose: [{gateway: edge/public, hosts: [api.example.com], paths: [{exact: /v1/status}]}]
`);
    const spec = ingressObject(objects, 'edge/public', 'api.example.com').spec as IstioVirtualServiceSpec;
    expect(spec.http?.[0]?.match).toEqual([{ uri: { prefix: '/v1/' }, headers: { ':path': { regex: '/v1/status(\\?.*)?' } } }]);
    expect(spec.http?.[0]?.rewrite).toEqual({ uri: '/' });
  });

  it('Istio\'s ingress task: exact /productpage, /login and /logout, prefixes /static and /api/v1/products', () => {
    const objects = compileTraffic(`${GATEWAYS}---
${HEADER}kind: Service
metadata: {name: productpage, namespace: bookinfo}
spec:
  ports: [{port: 9080, protocol: http}]
  routes:
    - name: legacy
      match: {path: /api/v1/legacy}
      rewrite: {prefix: /api/v2/legacy}
  expose:
    - gateway: edge/public
      hosts: [bookinfo.example.com]
      paths: [{exact: /productpage}, {prefix: /static}, {exact: /login}, {exact: /logout}, {prefix: /api/v1/products}]
`);
    const spec = ingressObject(objects, 'edge/public', 'bookinfo.example.com').spec as IstioVirtualServiceSpec;
    expect(spec.http?.map((route) => [route.name, route.match])).toEqual([
      // The legacy route's prefix is under none of the exposed paths: it is left out.
      ['default', [{ uri: { exact: '/productpage' } }, { uri: { prefix: '/static' } }, { uri: { exact: '/login' } }, { uri: { exact: '/logout' } }, { uri: { prefix: '/api/v1/products' } }]],
    ]);
  });
});

describe('ingress VirtualService names', () => {
  it('are DNS labels: lower case, dots and * replaced; a long host is shortened with a stable hash of gateway and host', () => {
    expect(compiledName.ingressVirtualService('public', 'Shop.Example.com')).toBe('public-shop-example-com');
    expect(compiledName.ingressVirtualService('public', '*.example.org')).toBe('public-wildcard-example-org');
    const host = 'a-very-long-subdomain-for-the-customer-portal.eu-west-1.shop.example.com';
    const name = compiledName.ingressVirtualService('public', host);
    expect(name).toHaveLength(63);
    expect(isDnsLabel(name)).toBe(true);
    expect(name).toMatch(/^public-a-very-long-subdomain-for-the-customer-portal-e-[0-9a-f]{8}$/);
    expect(compiledName.ingressVirtualService('public', host.toUpperCase())).toBe(name);
    expect(compiledName.ingressVirtualService('public', `${host}.`)).not.toBe(name);
  });

  it('two hosts whose readable names meet both take the hashed form, and the naming rules predict exactly what is emitted', () => {
    const mesh = `${HEADER}kind: Gateway
metadata: {name: edge, namespace: gw}
spec:
  listeners: [{port: 80, protocol: http, hosts: ["*"]}]
---
${HEADER}kind: Gateway
metadata: {name: edge-a, namespace: gw}
spec:
  listeners: [{port: 80, protocol: http, hosts: ["*"]}]
---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  expose:
    - {gateway: gw/edge, hosts: [a.b.example.com, a-b.example.com, a.example.com, c.example.com]}
    - {gateway: gw/edge-a, hosts: [example.com]}
`;
    const names = compileTraffic(mesh).filter((o) => o.kind === 'VirtualService').map((o) => o.metadata.name).sort();
    // a.b / a-b meet on one gateway; edge + a.example.com and edge-a + example.com meet across two.
    expect(names).toEqual([
      compiledName.ingressVirtualService('edge', 'a-b.example.com', true),
      compiledName.ingressVirtualService('edge', 'a.b.example.com', true),
      compiledName.ingressVirtualService('edge', 'a.example.com', true),
      'edge-c-example-com',
      compiledName.ingressVirtualService('edge-a', 'example.com', true),
    ].sort());
    expect(new Set(names).size).toBe(5);
    for (const name of names) expect(isDnsLabel(name), name).toBe(true);
    const predicted = compiledObjects(validateText(mesh).model).filter((o) => o.kind === 'VirtualService');
    expect(predicted.map((o) => o.name).sort()).toEqual(names);
    for (const o of predicted) expect(o.source.kind).toBe('Gateway');
  });
});

describe('the example mesh', () => {
  it('has one VirtualService per gateway host, carrying both cart\'s and checkout\'s routes, each narrowed to its prefix', async () => {
    const result = validate(await loadMesh([path.join(import.meta.dirname, '..', '..', 'examples', 'mesh')]));
    expect(result.errorCount).toBe(0);
    const objects = compileIstio(result.model);
    expectAccepted(objects.filter((o) => o.kind === 'VirtualService'));
    const gateway = 'istio-ingress/bookstore-gateway';
    const bound = boundTo(objects, gateway);
    const hosts = bound.flatMap((o) => (o.spec as IstioVirtualServiceSpec).hosts);
    expect(hosts.sort()).toEqual(['api.shop.example.com', 'shop.example.com']);

    const api = ingressObject(objects, gateway, 'api.shop.example.com');
    expect(api.metadata.name).toBe('bookstore-gateway-api-shop-example-com');
    const spec = api.spec as IstioVirtualServiceSpec;
    const byService = (host: string) => (spec.http ?? []).filter((r) => r.route?.some((d) => d.destination.host === host));
    const cart = byService('cart.orders.svc.cluster.local');
    const checkout = byService('checkout.orders.svc.cluster.local');
    // cart's default route would take only /cart, which cart-api already takes all of: left out.
    expect(cart.map((r) => r.name)).toEqual(['current-cart-alias', 'cart-api']);
    expect(checkout.map((r) => r.name)).toEqual(['legacy-web-shop', 'place-order-one-page-checkout', 'place-order', 'default-one-page-checkout', 'default']);
    expect(cart.length + checkout.length).toBe(spec.http?.length);
    // cart's routes come first (orders/cart sorts before orders/checkout), and neither reaches into the other's prefix.
    expect(spec.http?.slice(0, cart.length)).toEqual(cart);
    const uris = (routes: IstioHttpRoute[]) => routes.flatMap((r) => (r.match ?? [{}]).map((m) => JSON.stringify(m.uri)));
    for (const uri of uris(cart)) expect(uri).toMatch(/^\{"(exact|prefix)":"\/cart/);
    for (const uri of uris(checkout)) expect(uri).toMatch(/^\{"(exact|prefix)":"\/checkout/);
    expect(route(spec, 'cart-api').corsPolicy?.allowOrigins).toContainEqual({ exact: 'https://shop.example.com' });
    expect(route(spec, 'default').route).toEqual([
      { destination: { host: 'checkout.orders.svc.cluster.local', subset: 'v1', port: { number: 8080 } } },
    ]);
    expect(route(spec, 'default-one-page-checkout').match).toEqual([{ uri: { prefix: '/checkout' }, headers: { 'x-checkout-experiment': { exact: 'one-page' } } }]);

    const web = ingressObject(objects, gateway, 'shop.example.com');
    expect(web.metadata.name).toBe('bookstore-gateway-shop-example-com');
    expect((web.spec as IstioVirtualServiceSpec).http?.every((r) => r.route === undefined || r.route.every((d) => d.destination.host === 'productpage.storefront.svc.cluster.local'))).toBe(true);
  });
});
