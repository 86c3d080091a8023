// PeerAuthentication (which connections a proxy accepts) and RequestAuthentication (which JWTs it
// trusts), as Istio applies them: the most specific PeerAuthentication wins, port-level modes are
// keyed by the workload's port and need a selector.
import { describe, expect, it } from 'vitest';
import { compilePath, compileText, exampleMesh, names, specOf } from './istio-security-support.js';

describe('PeerAuthentication', async () => {
  const objects = await compilePath(exampleMesh);

  it('sets the mesh-wide mode in the root namespace and a namespace\'s own mode in it: permissive gives PERMISSIVE', () => {
    expect(specOf(objects, 'PeerAuthentication', 'istio-system', 'default')).toEqual({ mtls: { mode: 'STRICT' } });
    expect(specOf(objects, 'PeerAuthentication', 'orders', 'default')).toEqual({ mtls: { mode: 'PERMISSIVE' } });
    // storefront sets no mode of its own: it inherits the mesh's, so no object.
    expect(names(objects, 'PeerAuthentication')).toEqual(['istio-system/default', 'orders/checkout', 'orders/default', 'orders/inventory']);
  });

  it('gives a service its own mode, and port overrides under a selector', () => {
    expect(specOf(objects, 'PeerAuthentication', 'orders', 'checkout')).toEqual({ selector: { matchLabels: { app: 'checkout' } }, mtls: { mode: 'STRICT' } });
    expect(specOf(objects, 'PeerAuthentication', 'orders', 'inventory')).toEqual({
      selector: { matchLabels: { app: 'inventory', system: 'warehouse' } },
      mtls: { mode: 'PERMISSIVE' },
      // The mesh file's service port 9102; Istio keys port overrides by its targetPort.
      portLevelMtls: { '9103': { mode: 'DISABLE' } },
    });
  });

  it('keys port overrides by the target port, which is the port the inbound listener has', async () => {
    const fixture = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: billing, namespace: shop}
spec:
  ports:
    - {port: 80, targetPort: 8080, protocol: http}
    - {port: 9090, protocol: grpc, name: admin}
  mtls:
    mode: disabled
    ports: {"80": strict, "9090": permissive}
`);
    expect(specOf(fixture, 'PeerAuthentication', 'shop', 'billing')).toEqual({
      selector: { matchLabels: { app: 'billing' } },
      mtls: { mode: 'DISABLE' },
      portLevelMtls: { '8080': { mode: 'STRICT' }, '9090': { mode: 'PERMISSIVE' } },
    });
  });

  it('leaves out portLevelMtls when the ports map is empty (Istio requires at least one entry)', () => {
    const fixture = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  mtls: {mode: strict, ports: {}}
`);
    expect(specOf(fixture, 'PeerAuthentication', 'shop', 'api')).toEqual({ selector: { matchLabels: { app: 'api' } }, mtls: { mode: 'STRICT' } });
  });

  it('emits nothing mesh-wide without a Mesh document (Istio\'s own default, PERMISSIVE, applies)', () => {
    const fixture = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
`);
    expect(names(fixture, 'PeerAuthentication')).toEqual([]);
  });
});

describe('RequestAuthentication', async () => {
  const objects = await compilePath(exampleMesh);

  it('lists the service\'s JWT providers, in its order, as jwtRules', () => {
    const checkout = specOf(objects, 'RequestAuthentication', 'orders', 'checkout-jwt');
    expect(checkout.selector).toEqual({ matchLabels: { app: 'checkout' } });
    expect(checkout.jwtRules).toHaveLength(2);
    expect(checkout.jwtRules[0]).toEqual({
      issuer: 'https://auth.example.com/',
      audiences: ['bookstore-web', 'bookstore-api'],
      jwksUri: 'https://auth.example.com/.well-known/jwks.json',
      fromHeaders: [{ name: 'authorization', prefix: 'Bearer ' }],
      forwardOriginalToken: true,
    });
    // The batch scheduler's key is inline: jwks, not jwksUri.
    expect(checkout.jwtRules[1].issuer).toBe('https://jobs.bookstore.internal');
    expect(checkout.jwtRules[1].jwksUri).toBeUndefined();
    expect(JSON.parse(checkout.jwtRules[1].jwks).keys[0].kid).toBe('order-jobs-2025-01');
  });

  it('compiles an optional token to a RequestAuthentication only (invalid tokens refused, missing ones accepted)', () => {
    expect(specOf(objects, 'RequestAuthentication', 'storefront', 'productpage-jwt').jwtRules.map((rule: any) => rule.issuer)).toEqual(['https://auth.example.com/']);
    expect(names(objects, 'RequestAuthentication')).toEqual(['orders/checkout-jwt', 'storefront/productpage-jwt']);
  });

  it('writes only the fields a provider sets', () => {
    const fixture = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec:
  jwtProviders:
    minimal: {issuer: https://issuer.example.com}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  selector: {app.kubernetes.io/name: api}
  ports: [{port: 8080, protocol: http}]
  authentication:
    jwt: {providers: [minimal], required: false}
`);
    expect(specOf(fixture, 'RequestAuthentication', 'shop', 'api-jwt')).toEqual({
      selector: { matchLabels: { 'app.kubernetes.io/name': 'api' } },
      jwtRules: [{ issuer: 'https://issuer.example.com' }],
    });
  });
});
