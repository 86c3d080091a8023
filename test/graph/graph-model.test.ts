// The service graph built from small meshes: traffic splits from the route plan, access edges
// with the effective defaults, and the other kinds of nodes and edges.
import { describe, expect, it } from 'vitest';
import { buildServiceGraph, type GraphEdge, type ServiceGraph } from '../../src/graph/index.js';
import { compileModel } from '../compile/istio-traffic-support.js';

const doc = (body: string) => `apiVersion: meshctl.dev/v1alpha1\n${body.trim()}\n`;

const MESH = (spec: string) => doc(`kind: Mesh\nmetadata: {name: mesh}\nspec:\n${spec}`);
const SERVICE = (name: string, namespace: string, spec: string) =>
  doc(`kind: Service\nmetadata: {name: ${name}, namespace: ${namespace}}\nspec:\n  ports: [{port: 9080, protocol: http}]\n${spec}`);

function graphOf(...documents: string[]): ServiceGraph {
  return buildServiceGraph(compileModel(documents.join('---\n')));
}

function edge(graph: ServiceGraph, id: string): GraphEdge {
  const found = graph.edges.find((e) => e.id === id);
  if (!found) throw new Error(`no edge ${id}; edges: ${graph.edges.map((e) => e.id).join(', ')}`);
  return found;
}

function expectEndpointsExist(graph: ServiceGraph): void {
  const ids = new Set(graph.nodes.map((n) => n.id));
  for (const e of graph.edges) {
    expect(ids.has(e.from), `${e.id}: from`).toBe(true);
    expect(ids.has(e.to), `${e.id}: to`).toBe(true);
  }
}

const REVIEWS_CANARY = SERVICE(
  'reviews',
  'shop',
  `  versions: {v1: {labels: {version: v1}}, v3: {labels: {version: v3}}}
  canary: {stable: v1, canary: v3, weight: 10, steps: [10, 50, 100]}
  routes:
    - match: {path: /reviews}
      timeout: 2s`,
);

describe('traffic splits', () => {
  it('draws a canary as service → version edges with the shares the VirtualService gets', () => {
    const graph = graphOf(REVIEWS_CANARY);
    expect(edge(graph, 'split:service:shop/reviews->version:shop/reviews/v1')).toMatchObject({ label: '90%', weight: 90 });
    expect(edge(graph, 'split:service:shop/reviews->version:shop/reviews/v3')).toMatchObject({ label: '10%', weight: 10 });
    expect(graph.nodes.filter((n) => n.kind === 'version').map((n) => n.label)).toEqual(['reviews v1', 'reviews v3']);
    expectEndpointsExist(graph);
  });

  it('labels an A/B cohort by the test\'s name and the routes with their own destination by their names', () => {
    const graph = graphOf(
      SERVICE(
        'checkout',
        'shop',
        `  versions: {v1: {labels: {version: v1}}, v2: {labels: {version: v2}}}
  abTest:
    name: one-page
    cohort: {header: {name: x-exp, value: one-page}}
    variant: v2
    control: v1
  routes:
    - name: legacy
      match: {path: /old}
      to: v1
    - name: split-by-hand
      match: {path: /new}
      to: [{version: v1, weight: 70}, {version: v2, weight: 30}]`,
      ),
    );
    expect(edge(graph, 'split:service:shop/checkout->version:shop/checkout/v2').label).toBe('split-by-hand 30%, cohort one-page: header x-exp = one-page');
    expect(edge(graph, 'split:service:shop/checkout->version:shop/checkout/v1')).toMatchObject({ label: 'legacy, split-by-hand 70%, 100%', weight: 100 });
  });

  it('draws routes to other services, mirrors, dependsOn and the rate-limit service', () => {
    const graph = graphOf(
      MESH('  rateLimitService: {service: platform/ratelimit, port: 9080, domain: shop}'),
      SERVICE('ratelimit', 'platform', ''),
      SERVICE('search', 'shop', '  versions: {v1: {labels: {version: v1}}, v2: {labels: {version: v2}}}'),
      doc(`kind: ExternalService
metadata: {name: payments, namespace: shop}
spec:
  hosts: [api.payments.example.com]
  ports: [{port: 443, protocol: tls}]`),
      SERVICE(
        'front',
        'shop',
        `  routes:
    - name: to-search
      match: {path: /search}
      to: [{service: search, version: v2}]
      mirror: {service: search, version: v1, percent: 5}
  dependsOn: [payments]
  rateLimit:
    global:
      descriptors: [{key: {value: all}, requests: 10, per: second}]`,
      ),
    );
    expect(edge(graph, 'routes-to:service:shop/front->version:shop/search/v2').label).toBe('to-search (v2)');
    expect(edge(graph, 'mirror:service:shop/front->version:shop/search/v1').label).toBe('to-search 5%');
    expect(edge(graph, 'calls:service:shop/front->external:shop/payments').label).toBeUndefined();
    expect(edge(graph, 'calls:service:shop/front->service:platform/ratelimit').label).toBe('rate limit');
    expect(graph.nodes.find((n) => n.id === 'external:shop/payments')).toMatchObject({ kind: 'external', detail: 'api.payments.example.com · tls:443' });
    expectEndpointsExist(graph);
  });

  it('draws gateways, what they expose, and VM workloads', () => {
    const graph = graphOf(
      doc(`kind: Gateway
metadata: {name: edge, namespace: ingress}
spec:
  listeners: [{port: 80, protocol: http, hosts: [shop.example.com]}]`),
      SERVICE(
        'legacy',
        'shop',
        `  vms: [{address: 10.0.0.5, network: dc1}]
  expose: [{gateway: ingress/edge, hosts: [shop.example.com], paths: [/legacy, /old]}]`,
      ),
    );
    expect(edge(graph, 'exposes:gateway:ingress/edge->service:shop/legacy').label).toBe('shop.example.com /legacy /old');
    expect(edge(graph, 'runs-on:service:shop/legacy->vm:shop/legacy/10.0.0.5')).toBeDefined();
    expect(graph.nodes.find((n) => n.kind === 'vm')).toMatchObject({ label: 'VM 10.0.0.5', service: 'service:shop/legacy', detail: 'network dc1' });
    expect(graph.namespaces).toEqual(['ingress', 'shop']);
    expectEndpointsExist(graph);
  });
});

describe('access', () => {
  const services = (spec = '') => [SERVICE('a', 'shop', spec), SERVICE('b', 'shop', ''), SERVICE('c', 'shop', '')];

  it('draws allow-by-default with no rules as one dashed edge per service from "any caller", not N² edges', () => {
    const graph = graphOf(...services());
    const access = graph.edges.filter((e) => e.kind === 'may-call');
    expect(access.map((e) => `${e.from} -> ${e.to}`)).toEqual(['caller:any -> service:shop/a', 'caller:any -> service:shop/b', 'caller:any -> service:shop/c']);
    expect(access.every((e) => e.implicit === true && e.label === 'allow-by-default')).toBe(true);
  });

  it('draws no access edge for deny-by-default services without allow rules, or for an empty allow list', () => {
    const graph = graphOf(
      MESH('  access: allow-by-default\n  namespaces: {locked: {access: deny-by-default}}'),
      SERVICE('a', 'locked', ''),
      SERVICE('b', 'open', '  access: {allow: []}'),
      SERVICE('c', 'open', ''),
    );
    expect(graph.edges.filter((e) => e.kind === 'may-call').map((e) => e.id)).toEqual(['may-call:caller:any->service:open/c']);
  });

  it('draws each caller an allow rule names, with what it may do; a service account that is a service\'s identity is that service', () => {
    const graph = graphOf(
      MESH('  jwtProviders: {idp: {issuer: https://idp.example.com, jwksUri: https://idp.example.com/jwks}}'),
      ...services(`  authentication: {jwt: {providers: [idp], required: false}}
  access:
    allow:
      - from: {services: [b]}
        to: {methods: [GET], paths: [/items/*]}
      - from: {serviceAccounts: [shop/c, other/robot]}
      - from: {principals: [spiffe://cluster.local/ns/x/sa/y], ipBlocks: [10.0.0.0/8]}
        when: {claims: {role: admin}}
    deny:
      - to: {paths: [/admin]}`),
    );
    expect(edge(graph, 'may-call:service:shop/b->service:shop/a').label).toBe('GET /items/*');
    expect(edge(graph, 'may-call:service:shop/c->service:shop/a').label).toBe('any request');
    expect(edge(graph, 'may-call:caller:sa:other/robot->service:shop/a').label).toBe('any request');
    expect(edge(graph, 'may-call:caller:principal:spiffe://cluster.local/ns/x/sa/y->service:shop/a').label).toBe('(ipBlocks 10.0.0.0/8) JWT role');
    expect(edge(graph, 'denied:caller:any->service:shop/a').label).toBe('/admin');
    // b and c have no rules and stay open by default; a lists its callers, so "any caller" may not call it.
    expect(graph.edges.some((e) => e.id === 'may-call:caller:any->service:shop/a')).toBe(false);
    expectEndpointsExist(graph);
  });

  it('shows the effective mTLS mode and a required JWT on the service', () => {
    const graph = graphOf(
      MESH('  mtls: strict\n  jwtProviders: {idp: {issuer: https://idp.example.com, jwksUri: https://idp.example.com/jwks}}'),
      SERVICE('a', 'shop', '  mtls: permissive\n  authentication: {jwt: {providers: [idp]}}'),
      SERVICE('b', 'shop', ''),
    );
    expect(graph.nodes.find((n) => n.id === 'service:shop/a')!.detail).toBe('http:9080 · mTLS permissive · JWT required');
    expect(graph.nodes.find((n) => n.id === 'service:shop/b')!.detail).toBe('http:9080 · mTLS strict');
  });
});

describe('determinism', () => {
  it('gives the same graph whatever order the documents come in', () => {
    const docs = [REVIEWS_CANARY, SERVICE('b', 'alpha', '  dependsOn: [shop/reviews]'), SERVICE('a', 'zeta', '  dependsOn: [alpha/b]')];
    const forward = buildServiceGraph(compileModel(docs.join('---\n')));
    const backward = buildServiceGraph(compileModel(docs.reverse().join('---\n')));
    expect(JSON.stringify(backward)).toBe(JSON.stringify(forward));
    expect(forward.nodes.map((n) => n.id)).toEqual([...forward.nodes.map((n) => n.id)].sort());
    expect(forward.edges.map((e) => e.id)).toEqual([...forward.edges.map((e) => e.id)].sort());
  });
});

describe('service identity', () => {
  it('shows a service account other than the service name, and matches callers\' serviceAccounts rules to it', () => {
    const graph = graphOf(
      SERVICE('productpage', 'shop', '  serviceAccount: bookinfo-productpage'),
      SERVICE('reviews', 'shop', '  access:\n    allow:\n      - from: {serviceAccounts: [bookinfo-productpage]}'),
    );
    expect(graph.nodes.find((n) => n.id === 'service:shop/productpage')?.detail).toContain('sa bookinfo-productpage');
    expect(graph.edges.some((e) => e.kind === 'may-call' && e.from === 'service:shop/productpage' && e.to === 'service:shop/reviews')).toBe(true);
  });
});
