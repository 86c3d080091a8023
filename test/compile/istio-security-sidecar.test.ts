// Sidecar: the proxy of a workload that declares its dependencies imports exactly the hosts it
// sends to (so its configuration grows with its dependencies, not with the mesh); one that declares
// none keeps Istio's default visibility. Every Sidecar carries the egress mode the mesh files set
// for it, since Istio applies one Sidecar per workload and does not merge them.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { validateText } from '../helpers/validate-text.js';
import { compilePath, compileText, exampleMesh, names, specOf, validFixtures } from './istio-security-support.js';

describe('the example mesh', async () => {
  const objects = await compilePath(exampleMesh);

  it('gives a workload a Sidecar that lists exactly its dependencies', () => {
    expect(specOf(objects, 'Sidecar', 'storefront', 'reviews')).toEqual({
      workloadSelector: { labels: { app: 'reviews' } },
      egress: [{ hosts: ['istio-system/*', 'storefront/ratings.storefront.svc.cluster.local', 'storefront/reviews.storefront.svc.cluster.local'] }],
      outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' },
    });
  });

  it('includes external services by their namespace and hosts, and the rate-limit service a global limit asks', () => {
    expect(specOf(objects, 'Sidecar', 'orders', 'checkout').egress).toEqual([
      {
        hosts: [
          'istio-system/*',
          'orders/api.payments.example.com',
          'orders/cart.orders.svc.cluster.local',
          'orders/checkout.orders.svc.cluster.local',
          'orders/inventory.orders.svc.cluster.local',
          'orders/shipping-rates.service.consul',
          'platform/ratelimit.platform.svc.cluster.local',
        ],
      },
    ]);
  });

  it('gives a Sidecar to every service that declares dependsOn, plus the mesh-wide default in the root namespace and the namespace override', () => {
    // details, inventory, ratelimit and ratings declare no dependsOn: the defaults below apply to them.
    expect(names(objects, 'Sidecar')).toEqual([
      'istio-system/default',
      'orders/cart',
      'orders/checkout',
      'orders/default',
      'storefront/productpage',
      'storefront/reviews',
    ]);
    // The defaults set the egress mode for workloads meshctl does not manage, and leave them the
    // whole registry: REGISTRY_ONLY limits where traffic may leave the mesh, not which declared
    // service a workload may call.
    expect(specOf(objects, 'Sidecar', 'istio-system', 'default')).toEqual({ egress: [{ hosts: ['*/*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
    expect(specOf(objects, 'Sidecar', 'orders', 'default')).toEqual({ egress: [{ hosts: ['*/*'] }], outboundTrafficPolicy: { mode: 'REGISTRY_ONLY' } });
  });
});

describe('dependencies', () => {
  it('adds the destinations of the routes of every service the workload calls: their VirtualService runs in its proxy', async () => {
    // reviews routes /ratings to the ratings service; a caller of reviews sends those requests
    // to ratings itself.
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
  routes:
    - match: {path: /ratings}
      to: [{service: ratings}]
    - mirror: {service: audit/recorder, percent: 5}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ratings, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
  dependsOn: []
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: recorder, namespace: audit}
spec:
  ports: [{port: 8080, protocol: http}]
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  dependsOn: [reviews]
`);
    expect(specOf(objects, 'Sidecar', 'shop', 'web').egress[0].hosts).toEqual([
      'audit/recorder.audit.svc.cluster.local',
      'istio-system/*',
      'shop/ratings.shop.svc.cluster.local',
      'shop/reviews.shop.svc.cluster.local',
      'shop/web.shop.svc.cluster.local',
    ]);
    // One level only: ratings has no routes of its own to follow, and it calls nobody.
    expect(specOf(objects, 'Sidecar', 'shop', 'ratings').egress[0].hosts).toEqual(['istio-system/*', 'shop/ratings.shop.svc.cluster.local']);
  });

  it('adds the services whose allow rules or route matches name the workload as a caller', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ledger, namespace: finance}
spec:
  ports: [{port: 5432, protocol: tcp}]
  access:
    allow:
      - from: {services: [shop/billing]}
      - from: {namespaces: [shop]}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: invoices, namespace: finance}
spec:
  ports: [{port: 8080, protocol: http}]
  routes:
    - match: {from: [shop/web]}
      timeout: 1s
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: billing, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  dependsOn: []
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  dependsOn: []
`);
    expect(specOf(objects, 'Sidecar', 'shop', 'billing').egress[0].hosts).toEqual([
      'finance/ledger.finance.svc.cluster.local',
      'istio-system/*',
      'shop/billing.shop.svc.cluster.local',
    ]);
    // A namespace-wide allow rule says who may call, not who does: web gets ledger only if it names it.
    expect(specOf(objects, 'Sidecar', 'shop', 'web').egress[0].hosts).toEqual([
      'finance/invoices.finance.svc.cluster.local',
      'istio-system/*',
      'shop/web.shop.svc.cluster.local',
    ]);
  });

  it('adds the services whose allow rules name the workload by its service account or its exact SPIFFE ID', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: bookinfo}
spec:
  ports: [{port: 9080, protocol: http}]
  access:
    allow:
      - from: {serviceAccounts: [bookinfo-productpage]}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ratings, namespace: bookinfo}
spec:
  ports: [{port: 9080, protocol: http}]
  access:
    allow:
      - from: {principals: [spiffe://cluster.local/ns/bookinfo/sa/bookinfo-productpage]}
      - from: {principals: [spiffe://cluster.local/ns/bookinfo/sa/*]}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: productpage, namespace: bookinfo}
spec:
  serviceAccount: bookinfo-productpage
  ports: [{port: 9080, protocol: http}]
  dependsOn: []
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: details, namespace: bookinfo}
spec:
  ports: [{port: 9080, protocol: http}]
  dependsOn: []
`);
    expect(specOf(objects, 'Sidecar', 'bookinfo', 'productpage').egress[0].hosts).toEqual([
      'bookinfo/productpage.bookinfo.svc.cluster.local',
      'bookinfo/ratings.bookinfo.svc.cluster.local',
      'bookinfo/reviews.bookinfo.svc.cluster.local',
      'istio-system/*',
    ]);
    // A principal pattern admits many callers and names none of them.
    expect(specOf(objects, 'Sidecar', 'bookinfo', 'details').egress[0].hosts).toEqual(['bookinfo/details.bookinfo.svc.cluster.local', 'istio-system/*']);
  });

  it('writes no Sidecar for a service that declares no dependsOn: its proxy keeps Istio\'s default visibility', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: productpage, namespace: bookinfo}
spec:
  ports: [{port: 9080, protocol: http}]
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
    expect(names(objects, 'Sidecar')).toEqual([]);
  });

  it('resolves qualified and bare references to the right one of two same-named services', async () => {
    const objects = await compilePath(path.join(validFixtures, 'references-cross-namespace.yaml'));
    expect(specOf(objects, 'Sidecar', 'web', 'storefront').egress[0].hosts).toEqual([
      'istio-system/*',
      // shop/catalog's routes also mirror to web/catalog.
      'shop/catalog.shop.svc.cluster.local',
      'web/catalog.web.svc.cluster.local',
      'web/storefront.web.svc.cluster.local',
    ]);
  });
});

describe('egress mode', () => {
  it('spells the mode out on every Sidecar: the namespace\'s, else the mesh\'s', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec:
  egress: allow-any
  namespaces:
    vault: {egress: registry-only}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: secrets, namespace: vault}
spec:
  ports: [{port: 8200, protocol: http}]
  dependsOn: []
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  dependsOn: []
`);
    expect(specOf(objects, 'Sidecar', 'istio-system', 'default').outboundTrafficPolicy).toEqual({ mode: 'ALLOW_ANY' });
    expect(specOf(objects, 'Sidecar', 'vault', 'default').outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
    expect(specOf(objects, 'Sidecar', 'vault', 'secrets').outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
    expect(specOf(objects, 'Sidecar', 'shop', 'web').outboundTrafficPolicy).toEqual({ mode: 'ALLOW_ANY' });
    expect(names(objects, 'Sidecar')).toEqual(['istio-system/default', 'shop/web', 'vault/default', 'vault/secrets']);
  });

  it('without a Mesh document, scopes the services and leaves the egress mode to MeshConfig (the platform\'s)', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  selector: {app.kubernetes.io/name: web, tier: frontend}
  ports: [{port: 8080, protocol: http}]
  dependsOn: []
`);
    expect(names(objects, 'Sidecar')).toEqual(['shop/web']);
    expect(specOf(objects, 'Sidecar', 'shop', 'web')).toEqual({
      workloadSelector: { labels: { 'app.kubernetes.io/name': 'web', tier: 'frontend' } },
      egress: [{ hosts: ['istio-system/*', 'shop/web.shop.svc.cluster.local'] }],
    });
  });
});

describe('naming', () => {
  it('reports a service named "default" where its namespace\'s egress override also compiles to the Sidecar "default" (MESH241)', () => {
    const mesh = (egress: string) => `
apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec:
  namespaces:
    shop: {${egress}}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: default, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  dependsOn: []
`;
    const collision = validateText(mesh('egress: registry-only')).diagnostics.filter((d) => d.code === 'MESH241');
    expect(collision.map((d) => d.message)).toEqual([expect.stringMatching(/^Sidecar shop\/default is compiled from both service shop\/default and the Mesh's spec\.namespaces\.shop\.egress/)]);
    // Without the override there is one Sidecar "default" in shop: the service's own.
    expect(validateText(mesh('injection: true')).diagnostics.filter((d) => d.code === 'MESH241')).toEqual([]);
  });
});
