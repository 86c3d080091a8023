// AuthorizationPolicy: what Istio enforces for the mesh's access rules. Istio evaluates DENY
// policies first, then admits a request only if some ALLOW policy of the workload matches it;
// these tests assert that meaning, not just the shape of the objects.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePath, compileText, exampleMesh, find, names, specOf, validFixtures } from './istio-security-support.js';

const MESH_DENY_BY_DEFAULT = `
apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec:
  access: deny-by-default
  jwtProviders:
    corp: {issuer: https://login.example.com/, jwksUri: https://login.example.com/.well-known/jwks.json}
`;

describe('the example mesh', async () => {
  const objects = await compilePath(exampleMesh);

  it('turns a deny rule into a DENY policy, separate from the ALLOW policy (Istio evaluates DENY first)', () => {
    const deny = specOf(objects, 'AuthorizationPolicy', 'storefront', 'productpage-deny');
    expect(deny.action).toBe('DENY');
    expect(deny.selector).toEqual({ matchLabels: { app: 'productpage' } });
    // `from: {anyone: true}` is no condition: the rule refuses /admin to every caller, on the HTTP
    // port it can be told on (Istio warns, IST0133, about a DENY rule of HTTP conditions without ports).
    expect(deny.rules).toEqual([{ to: [{ operation: { paths: ['/admin', '/admin/*'], ports: ['8080'] } }] }]);
    const allow = specOf(objects, 'AuthorizationPolicy', 'storefront', 'productpage-allow');
    expect(allow.action).toBe('ALLOW');
    expect(allow.rules).toEqual([
      { from: [{ source: { principals: ['cluster.local/ns/istio-ingress/sa/bookstore-gateway'] } }], to: [{ operation: { ports: ['8080'] } }] },
    ]);
  });

  it('names calling services by their SPIFFE identity, without the spiffe:// scheme', () => {
    const cart = specOf(objects, 'AuthorizationPolicy', 'orders', 'cart-allow');
    expect(cart.rules.map((rule: any) => rule.from[0].source.principals)).toEqual([
      ['cluster.local/ns/istio-ingress/sa/bookstore-gateway'],
      // productpage's pods run as storefront-web (its serviceAccount).
      ['cluster.local/ns/storefront/sa/storefront-web'],
      ['cluster.local/ns/orders/sa/checkout'],
    ]);
    const checkout = specOf(objects, 'AuthorizationPolicy', 'orders', 'checkout-allow');
    expect(checkout.rules[1].from[0].source.principals).toEqual(['cluster.local/ns/orders/sa/order-reconciler']);
  });

  it('matches JWT claims through `when` on request.auth.claims', () => {
    const checkout = specOf(objects, 'AuthorizationPolicy', 'orders', 'checkout-allow');
    expect(checkout.rules[0].when).toEqual([{ key: 'request.auth.claims[roles]', values: ['customer', 'support-agent'] }]);
    expect(checkout.rules[1].when).toEqual([{ key: 'request.auth.claims[sub]', values: ['order-reconciler'] }]);
    expect(checkout.rules[1].to).toEqual([{ operation: { paths: ['/checkout/orders/*'], methods: ['GET', 'PATCH'] } }]);
  });

  it('makes a required JWT mandatory with a DENY rule on requests without a request principal', () => {
    const deny = specOf(objects, 'AuthorizationPolicy', 'orders', 'checkout-deny');
    expect(deny.action).toBe('DENY');
    expect(deny.rules).toContainEqual({ from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { ports: ['8081'] } }] });
    // productpage verifies tokens but does not require them: no deny rule for it.
    const productpageDeny = specOf(objects, 'AuthorizationPolicy', 'storefront', 'productpage-deny');
    expect(JSON.stringify(productpageDeny)).not.toContain('notRequestPrincipals');
  });

  it('admits the warehouse scanners and Prometheus by address, on the ports their rules name', () => {
    const inventory = specOf(objects, 'AuthorizationPolicy', 'orders', 'inventory-allow');
    // The service's own selector, VMs included, selects the workloads.
    expect(inventory.selector).toEqual({ matchLabels: { app: 'inventory', system: 'warehouse' } });
    // Istio matches the workload's port: the rules name service ports 7000 and 9102, whose targetPorts are 7001 and 9103.
    expect(inventory.rules.slice(1)).toEqual([
      { from: [{ source: { ipBlocks: ['10.40.16.0/20'] } }], to: [{ operation: { ports: ['7001'] } }] },
      { from: [{ source: { ipBlocks: ['10.40.1.10/32', '10.40.1.11/32'] } }], to: [{ operation: { ports: ['9103'] } }] },
    ]);
  });

  it('makes the mesh and the orders namespace deny-by-default with allow-nothing policies', () => {
    expect(names(objects, 'AuthorizationPolicy').filter((name) => name.endsWith('/allow-nothing'))).toEqual(['istio-system/allow-nothing', 'orders/allow-nothing']);
    // An empty spec: action ALLOW (the default) with no rules, which matches no request.
    expect(specOf(objects, 'AuthorizationPolicy', 'istio-system', 'allow-nothing')).toEqual({});
  });

  it('lets requests reach the ingress gateway, which the mesh-wide allow-nothing would refuse before routing', () => {
    expect(specOf(objects, 'AuthorizationPolicy', 'istio-ingress', 'bookstore-gateway-allow')).toEqual({
      selector: { matchLabels: { app: 'bookstore-gateway', istio: 'ingressgateway' } },
      action: 'ALLOW',
      rules: [{}],
    });
  });

  it('matches callers by namespace', () => {
    const ratelimit = specOf(objects, 'AuthorizationPolicy', 'platform', 'ratelimit-allow');
    expect(ratelimit.rules).toEqual([{ from: [{ source: { namespaces: ['storefront', 'orders'] } }], to: [{ operation: { ports: ['8081'] } }] }]);
  });
});

describe('fixtures', () => {
  it('uses the mesh trust domain and the caller namespace for service accounts', async () => {
    const objects = await compilePath(path.join(validFixtures, 'policy-layered-mtls-and-access.yaml'));
    const orders = specOf(objects, 'AuthorizationPolicy', 'shop', 'orders-allow');
    expect(orders.rules[0]).toEqual({
      from: [{ source: { principals: ['prod.example.com/ns/legacy/sa/batch'], namespaces: ['shop', 'legacy'] } }],
      to: [{ operation: { methods: ['GET', 'POST'], ports: ['8080'] } }],
      when: [{ key: 'request.auth.claims[scope]', values: ['orders.read', 'orders.write'] }],
    });
    expect(orders.rules[1].from[0].source.ipBlocks).toEqual(['10.60.0.0/16', 'fd00:60::/32']);
    const batch = specOf(objects, 'AuthorizationPolicy', 'legacy', 'batch-allow');
    expect(batch.rules[0].from[0].source.principals).toEqual(['prod.example.com/ns/shop/sa/orders']);
    // jwt without `required` defaults to required: both of the service's deny rules, then the token rule.
    const deny = specOf(objects, 'AuthorizationPolicy', 'shop', 'orders-deny');
    expect(deny.rules).toEqual([
      { from: [{ source: { namespaces: ['legacy'] } }], to: [{ operation: { methods: ['DELETE'], ports: ['8080', '9090'] } }] },
      { when: [{ key: 'request.auth.claims[groups]', values: ['suspended'] }], to: [{ operation: { ports: ['8080', '9090'] } }] },
      { from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { ports: ['8080', '9090'] } }] },
    ]);
  });

  it('keeps a principal wildcard, and an empty allow rule admits every request', async () => {
    const objects = await compilePath(path.join(validFixtures, 'policy-exposed-public-service.yaml'));
    expect(specOf(objects, 'AuthorizationPolicy', 'shop', 'storefront-allow').rules).toEqual([{}]);
    const reviews = specOf(objects, 'AuthorizationPolicy', 'shop', 'reviews-allow');
    expect(reviews.rules[1]).toEqual({ from: [{ source: { principals: ['cluster.local/ns/shop/sa/*'] } }], to: [{ operation: { methods: ['GET'] } }] });
  });

  it('matches the port the workload listens on (targetPort), which is what the inbound proxy sees', async () => {
    const objects = await compilePath(path.join(validFixtures, 'references-egress-route.yaml'));
    const billing = specOf(objects, 'AuthorizationPolicy', 'shop', 'billing-allow');
    expect(billing.rules).toEqual([{ from: [{ source: { namespaces: ['shop'] } }], to: [{ operation: { ports: ['8080'] } }] }]);
  });
});

describe('edge cases', () => {
  it('compiles a present but empty allow list to an ALLOW policy without rules: allow nothing', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: parked, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  access: {allow: []}
`);
    const spec = specOf(objects, 'AuthorizationPolicy', 'shop', 'parked-allow');
    expect(spec).toEqual({ selector: { matchLabels: { app: 'parked' } }, action: 'ALLOW' });
    expect(spec).not.toHaveProperty('rules');
  });

  it('emits no policy for a service without access rules, and none mesh-wide without a Mesh', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: plain, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
`);
    expect(names(objects, 'AuthorizationPolicy')).toEqual([]);
  });

  it('requires every identity condition of a rule: services and principals together are their intersection', () => {
    const objects = compileText(`${MESH_DENY_BY_DEFAULT}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: admin, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  access:
    allow:
      - from: {services: [web, admin], principals: ["spiffe://cluster.local/ns/shop/sa/w*"]}
      - from: {services: [web], serviceAccounts: [admin]}
`);
    const rules = specOf(objects, 'AuthorizationPolicy', 'shop', 'api-allow').rules;
    // Only web is both one of the services and matched by the principal pattern; no caller is
    // both web and the service account admin, so that rule admits nobody and is left out.
    expect(rules).toEqual([{ from: [{ source: { principals: ['cluster.local/ns/shop/sa/web'] } }] }]);
  });

  it('admits a VM-backed caller by both identities: its pods (the service name) and its VMs', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: legacy, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  vms:
    - {address: 10.0.0.5, serviceAccount: legacy-vm}
    - {address: 10.0.0.6}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  access:
    allow:
      - from: {services: [legacy]}
`);
    expect(specOf(objects, 'AuthorizationPolicy', 'shop', 'api-allow').rules[0].from[0].source.principals).toEqual([
      'cluster.local/ns/shop/sa/legacy',
      'cluster.local/ns/shop/sa/legacy-vm',
    ]);
  });

  it('names a caller by the service account its pods run as (`serviceAccount`), which its VMs share unless they name their own', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: productpage, namespace: bookinfo}
spec:
  ports: [{port: 9080, protocol: http}]
  serviceAccount: bookinfo-productpage
  vms:
    - {address: 10.0.0.5}
    - {address: 10.0.0.6, serviceAccount: productpage-vm}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  ports: [{port: 9080, protocol: http}]
  access:
    allow:
      - from: {services: [productpage]}
`);
    expect(specOf(objects, 'AuthorizationPolicy', 'bookinfo', 'reviews-allow').rules[0].from[0].source.principals).toEqual([
      'cluster.local/ns/bookinfo/sa/bookinfo-productpage',
      'cluster.local/ns/bookinfo/sa/productpage-vm',
    ]);
    const entries = objects.filter((o) => o.kind === 'WorkloadEntry').map((o) => (o.spec as { serviceAccount: string }).serviceAccount);
    expect(entries).toEqual(['bookinfo-productpage', 'productpage-vm']);
  });

  it('limits HTTP-only deny conditions and the token requirement to HTTP ports, since Istio widens them to all of a TCP port', () => {
    const objects = compileText(`${MESH_DENY_BY_DEFAULT}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: mixed, namespace: shop}
spec:
  ports:
    - {port: 80, targetPort: 8080, protocol: http}
    - {port: 5432, protocol: tcp}
  authentication:
    jwt: {providers: [corp]}
  access:
    allow:
      - from: {namespaces: [shop]}
    deny:
      - to: {paths: [/admin/*]}
      - from: {ipBlocks: [203.0.113.0/24]}
      - to: {ports: [5432], methods: [DELETE]}
`);
    const deny = specOf(objects, 'AuthorizationPolicy', 'shop', 'mixed-deny');
    expect(deny.rules).toEqual([
      { to: [{ operation: { paths: ['/admin/*'], ports: ['8080'] } }] },
      // No HTTP condition: the address block is refused on every port, TCP included.
      { from: [{ source: { ipBlocks: ['203.0.113.0/24'] } }] },
      // A method on the TCP port can never match: that rule is dropped rather than widened.
      { from: [{ source: { notRequestPrincipals: ['*'] } }], to: [{ operation: { ports: ['8080'] } }] },
    ]);
  });

  it('lets an allow-by-default namespace in a deny-by-default mesh reach its services that list no callers', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec:
  access: deny-by-default
  namespaces:
    legacy: {access: allow-by-default}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: open, namespace: legacy}
spec:
  ports: [{port: 8080, protocol: tcp}]
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: guarded, namespace: legacy}
spec:
  ports: [{port: 8080, protocol: tcp}]
  access:
    allow:
      - from: {ipBlocks: [10.0.0.0/8]}
`);
    // The root allow-nothing applies to every workload; a rule that matches everything reopens
    // the service, and only that one: ALLOW policies add up, so a namespace-wide one would open
    // "guarded" too.
    expect(specOf(objects, 'AuthorizationPolicy', 'legacy', 'open-allow')).toEqual({ selector: { matchLabels: { app: 'open' } }, action: 'ALLOW', rules: [{}] });
    expect(specOf(objects, 'AuthorizationPolicy', 'legacy', 'guarded-allow').rules).toEqual([{ from: [{ source: { ipBlocks: ['10.0.0.0/8'] } }] }]);
    expect(find(objects, 'AuthorizationPolicy', 'legacy', 'allow-nothing')).toBeUndefined();
  });

  it('writes claims in name order, a single value as a one-element list', () => {
    const objects = compileText(`${MESH_DENY_BY_DEFAULT}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  authentication:
    jwt: {providers: [corp]}
  access:
    allow:
      - from: {namespaces: [shop]}
        when: {claims: {tenant: acme, aud: [api, admin]}}
`);
    expect(specOf(objects, 'AuthorizationPolicy', 'shop', 'api-allow').rules[0].when).toEqual([
      { key: 'request.auth.claims[aud]', values: ['api', 'admin'] },
      { key: 'request.auth.claims[tenant]', values: ['acme'] },
    ]);
  });
});

describe('gateways', () => {
  const GATEWAY = `
apiVersion: meshctl.dev/v1alpha1
kind: Gateway
metadata: {name: edge, namespace: ingress}
spec:
  listeners: [{port: 80, protocol: http, hosts: [shop.example.com]}]
`;
  it('writes no policy for a gateway where requests are allowed by default', () => {
    expect(names(compileText(GATEWAY), 'AuthorizationPolicy')).toEqual([]);
  });

  it('lets requests reach a gateway whose own namespace is deny-by-default', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec:
  namespaces:
    ingress: {access: deny-by-default}
---
${GATEWAY}`);
    expect(names(objects, 'AuthorizationPolicy')).toEqual(['ingress/allow-nothing', 'ingress/edge-allow']);
    expect(specOf(objects, 'AuthorizationPolicy', 'ingress', 'edge-allow').selector).toEqual({ matchLabels: { istio: 'ingressgateway' } });
  });
});
