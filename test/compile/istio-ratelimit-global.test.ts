// Global rate limits compile to the EnvoyFilter that makes each instance's proxy ask the mesh's
// rate-limit service, and to the rate-limit service's descriptor configuration. The two must agree:
// every descriptor a proxy sends has a limit in the configuration, nested under its own service.
import path from 'node:path';
import jsYaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { compileIstio, loadMesh, validate } from '../../src/index.js';
import { compileRateLimitServiceConfig } from '../../src/compiler/istio/ratelimit/descriptor-config.js';
import { compileGlobalRateLimit, compileGlobalRateLimits } from '../../src/compiler/istio/ratelimit/global-rate-limit.js';
import { compileLocalRateLimits } from '../../src/compiler/istio/ratelimit/local-rate-limit.js';
import { compiledName, compiledObjects } from '../../src/compiler/istio/compiled-names.js';
import type { MeshModel } from '../../src/model/mesh-model.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { validateText } from '../helpers/validate-text.js';
import { envoyFilterParts, rateLimitServiceLimit, requestDescriptors, type RateLimitServiceDescriptor } from './istio-ratelimit-simulator.js';

const repo = path.join(import.meta.dirname, '..', '..');

const examplePromise = loadMesh([path.join(repo, 'examples', 'mesh')]).then((loaded) => validate(loaded).model);

function configTree(object: KubernetesObject): { domain: string; descriptors: RateLimitServiceDescriptor[] } {
  return jsYaml.load((object.data as Record<string, string>)['config.yaml']!) as { domain: string; descriptors: RateLimitServiceDescriptor[] };
}

function meshText(rateLimitService: string, services: string): string {
  return `apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec:
  rateLimitService: ${rateLimitService}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ratelimit, namespace: platform}
spec:
  ports: [{port: 8081, protocol: grpc}]
${services}`;
}

function apiService(name: string, descriptors: string): string {
  return `---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ${name}, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  rateLimit:
    global:
      descriptors: ${descriptors}
`;
}

describe('the global rate-limit EnvoyFilter (example mesh: checkout)', async () => {
  const model = await examplePromise;
  const checkout = model.services.find((service) => service.name === 'checkout')!;
  const [object] = compileGlobalRateLimit(model, checkout);
  const { filter, rateLimits } = envoyFilterParts(object!);

  it('is <service>-global-ratelimit on the service\'s workloads, applied after the local one', () => {
    expect(object!.metadata).toMatchObject({ name: 'checkout-global-ratelimit', namespace: 'orders' });
    expect(object!.spec).toMatchObject({ workloadSelector: { labels: { app: 'checkout' } }, priority: 10 });
    const localPriority = (compileLocalRateLimits(model)[0]!.spec as { priority?: number }).priority;
    // Both filters insert before the router, a relative patch: without an explicit priority Istio
    // applies them in creation order among other EnvoyFilters and its analyzers warn (IST0151).
    expect(localPriority).toBeGreaterThan(0);
    expect(localPriority).toBeLessThan(10);
  });

  it('inserts Envoy\'s ratelimit filter before the inbound router, for the mesh\'s domain', () => {
    const [patch] = (object!.spec as { configPatches: Record<string, unknown>[] }).configPatches;
    expect(patch).toMatchObject({
      applyTo: 'HTTP_FILTER',
      match: { context: 'SIDECAR_INBOUND', listener: { filterChain: { filter: { subFilter: { name: 'envoy.filters.http.router' } } } } },
      patch: { operation: 'INSERT_BEFORE', value: { name: 'envoy.filters.http.ratelimit' } },
    });
    expect(filter).toMatchObject({
      '@type': 'type.googleapis.com/envoy.extensions.filters.http.ratelimit.v3.RateLimit',
      domain: 'bookstore',
      timeout: '0.02s',
      enable_x_ratelimit_headers: 'DRAFT_VERSION_03',
    });
  });

  it('fails open as the mesh says (failOpen: true → failure_mode_deny: false)', () => {
    expect(filter!.failure_mode_deny).toBe(false);
  });

  it('calls the rate-limit service through Istio\'s own mTLS cluster for it, over the v3 API', () => {
    expect(filter!.rate_limit_service).toEqual({
      grpc_service: { envoy_grpc: { cluster_name: 'outbound|8081||ratelimit.platform.svc.cluster.local', authority: 'ratelimit.platform.svc.cluster.local' } },
      transport_api_version: 'V3',
    });
    const sidecar = compileIstio(model).find((candidate) => candidate.kind === 'Sidecar' && candidate.metadata.name === 'checkout');
    expect(JSON.stringify(sidecar?.spec)).toContain('ratelimit.platform.svc.cluster.local');
  });

  it('sends one descriptor per limit, each starting with the service: header, path and fixed value', () => {
    const request = { method: 'POST', path: '/checkout/orders?cart=7', headers: { 'x-user-id': 'u1' } };
    expect(requestDescriptors(rateLimits, filter!.stage as number, request)).toEqual([
      [{ key: 'service', value: 'checkout.orders' }, { key: 'header_x-user-id', value: 'u1' }],
      [{ key: 'service', value: 'checkout.orders' }, { key: 'path', value: '/checkout/orders?cart=7' }],
      [{ key: 'service', value: 'checkout.orders' }, { key: 'generic_key', value: 'payments' }],
    ]);
    expect(requestDescriptors(rateLimits, filter!.stage as number, { path: '/' })).toHaveLength(2);
  });
});

describe('the rate-limit service configuration', async () => {
  const model = await examplePromise;
  const [configMap] = compileRateLimitServiceConfig(model);
  const tree = configTree(configMap!);

  it('is one ConfigMap config.yaml in the rate-limit service\'s namespace', () => {
    expect(configMap).toMatchObject({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'bookstore-ratelimit-config', namespace: 'platform', labels: { 'app.kubernetes.io/managed-by': 'meshctl' }, annotations: { 'meshctl.dev/source': 'examples/mesh/mesh.yaml:4' } },
    });
    expect(Object.keys(configMap!.data as object)).toEqual(['config.yaml']);
    expect(Object.keys(configMap!).sort()).toEqual(['apiVersion', 'data', 'kind', 'metadata']);
  });

  it('nests each service\'s limits under its own service entry, in envoyproxy/ratelimit\'s format', () => {
    expect(tree).toEqual({
      domain: 'bookstore',
      descriptors: [
        {
          key: 'service',
          value: 'checkout.orders',
          descriptors: [
            { key: 'header_x-user-id', rate_limit: { unit: 'minute', requests_per_unit: 10 } },
            { key: 'path', rate_limit: { unit: 'minute', requests_per_unit: 6000 } },
            { key: 'generic_key', value: 'payments', rate_limit: { unit: 'day', requests_per_unit: 100000 } },
          ],
        },
        { key: 'service', value: 'productpage.storefront', descriptors: [{ key: 'remote_address', rate_limit: { unit: 'minute', requests_per_unit: 1200 } }] },
      ],
    });
  });

  it('has a limit for every descriptor the proxies send', () => {
    const request = { path: '/x', headers: { 'x-user-id': 'u9' }, remoteAddress: '198.51.100.4' };
    const sent = compileGlobalRateLimits(model).flatMap((object) => {
      const { filter, rateLimits } = envoyFilterParts(object);
      return requestDescriptors(rateLimits, filter!.stage as number, request);
    });
    expect(sent).toHaveLength(4);
    for (const descriptor of sent) expect(rateLimitServiceLimit(tree.descriptors, descriptor), JSON.stringify(descriptor)).toBeDefined();
  });
});

describe('services sharing a key', () => {
  const model = validateText(
    meshText('{service: platform/ratelimit, domain: shop, failOpen: false, timeout: 250ms}', [
      apiService('orders', '[{key: {header: X-Api-Key}, requests: 100, per: hour}]'),
      apiService('search', '[{key: {header: x-api-key}, requests: 5, per: second}]'),
    ].join('')),
  ).model;
  const tree = configTree(compileRateLimitServiceConfig(model)[0]!);

  it('count in separate counters with their own limits', () => {
    const descriptorOf = (service: string) => {
      const object = compileGlobalRateLimits(model).find((candidate) => candidate.metadata.name === `${service}-global-ratelimit`)!;
      const { filter, rateLimits } = envoyFilterParts(object);
      return requestDescriptors(rateLimits, filter!.stage as number, { path: '/', headers: { 'x-api-key': 'k1' } })[0]!;
    };
    expect(rateLimitServiceLimit(tree.descriptors, descriptorOf('orders'))).toEqual({ unit: 'hour', requests_per_unit: 100 });
    expect(rateLimitServiceLimit(tree.descriptors, descriptorOf('search'))).toEqual({ unit: 'second', requests_per_unit: 5 });
  });

  it('refuse requests when the rate-limit service cannot answer, with failOpen: false', () => {
    const { filter } = envoyFilterParts(compileGlobalRateLimits(model)[0]!);
    expect(filter!.failure_mode_deny).toBe(true);
    expect(filter!.timeout).toBe('0.25s');
  });
});

describe('edges', () => {
  it('a bare rate-limit service name is in the default namespace', () => {
    const model = validateText(`apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec:
  rateLimitService: {service: ratelimit, domain: Edge_Proxies.Prod}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ratelimit}
spec:
  ports: [{port: 8081, protocol: grpc}]
${apiService('api', '[{key: {remoteAddress: true}, requests: 50, per: second}]')}`).model;
    const [configMap] = compileRateLimitServiceConfig(model);
    // The domain is not a DNS label: the object name is made one, the domain itself is kept.
    expect(configMap!.metadata).toMatchObject({ name: 'edge-proxies-prod-ratelimit-config', namespace: 'default' });
    expect(configTree(configMap!).domain).toBe('Edge_Proxies.Prod');
    const { filter } = envoyFilterParts(compileGlobalRateLimits(model)[0]!);
    expect(filter!.domain).toBe('Edge_Proxies.Prod');
    expect((filter!.rate_limit_service as { grpc_service: { envoy_grpc: { cluster_name: string } } }).grpc_service.envoy_grpc.cluster_name).toBe(
      'outbound|8081||ratelimit.default.svc.cluster.local',
    );
  });

  it('a mesh with a rate-limit service but no global limits keeps an empty configuration, and no global EnvoyFilter', () => {
    const model = validateText(meshText('{service: platform/ratelimit, domain: shop}', '')).model;
    expect(compileGlobalRateLimits(model)).toEqual([]);
    expect(configTree(compileRateLimitServiceConfig(model)[0]!)).toEqual({ domain: 'shop', descriptors: [] });
  });

  it('a mesh without a rate-limit service gets no ConfigMap', () => {
    const model = validateText(`apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: mesh}
spec: {}
`).model;
    expect(compileRateLimitServiceConfig(model)).toEqual([]);
  });

  it('a long domain still gives a DNS-label name', () => {
    const name = compiledName.rateLimitConfig(`${'very-long-domain-'.repeat(5)}.`);
    expect(name.length).toBeLessThanOrEqual(63);
    expect(name).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?-ratelimit-config$/);
  });
});

describe('names', () => {
  it('the ConfigMap and the EnvoyFilters are the objects compiledObjects predicts', async () => {
    const model: MeshModel = await examplePromise;
    const emitted = compileIstio(model)
      .filter((object) => object.kind === 'ConfigMap' || object.kind === 'EnvoyFilter')
      .map((object) => `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`)
      .sort();
    const predicted = compiledObjects(model)
      .filter((object) => object.kind === 'ConfigMap' || object.kind === 'EnvoyFilter')
      .map((object) => `${object.kind} ${object.namespace}/${object.name}`)
      .sort();
    expect(emitted).toEqual(predicted);
    expect(emitted).toEqual([
      'ConfigMap platform/bookstore-ratelimit-config',
      'EnvoyFilter orders/cart-local-ratelimit',
      'EnvoyFilter orders/checkout-global-ratelimit',
      'EnvoyFilter storefront/productpage-global-ratelimit',
      'EnvoyFilter storefront/productpage-local-ratelimit',
    ]);
  });
});
