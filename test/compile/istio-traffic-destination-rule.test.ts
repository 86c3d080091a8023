// DestinationRules, judged by what the callers' proxies do: which endpoints a subset selects, how
// they balance and fail over, when they give up, and whether they speak mutual TLS, plain text or
// originate TLS on each port.
import { describe, expect, it } from 'vitest';
import type { IstioDestinationRuleSpec } from '../../src/compiler/istio/traffic/istio-types.js';
import { toIstioOutlierDetection } from '../../src/compiler/istio/traffic/traffic-policy.js';
import { compiledObjects } from '../../src/compiler/istio/compiled-names.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { HEADER, compileModel, compileTraffic } from './istio-traffic-support.js';





function rule(objects: KubernetesObject[], name: string, namespace = 'shop'): IstioDestinationRuleSpec {
  const found = objects.find((o) => o.kind === 'DestinationRule' && o.metadata.namespace === namespace && o.metadata.name === name);
  if (!found) throw new Error(`no DestinationRule ${namespace}/${name} among ${objects.map((o) => `${o.kind} ${o.metadata.name}`).join(', ')}`);
  return found.spec as IstioDestinationRuleSpec;
}

const service = (name: string, spec: string, namespace = 'shop') => `${HEADER}kind: Service
metadata: {name: ${name}, namespace: ${namespace}}
spec:
${spec}`;

describe('subsets', () => {
  it('one per version, in name order, selected by the version\'s labels; the host is the service\'s', () => {
    const spec = rule(
      compileTraffic(service('reviews', `  ports: [{port: 9080, protocol: http}]
  versions:
    v2: {labels: {version: v2, track: b}}
    canary: {labels: {track: canary}}
    v1: {labels: {version: v1}}
`)),
      'reviews',
    );
    expect(spec.host).toBe('reviews.shop.svc.cluster.local');
    expect(spec.subsets).toEqual([
      { name: 'canary', labels: { track: 'canary' } },
      { name: 'v1', labels: { version: 'v1' } },
      { name: 'v2', labels: { track: 'b', version: 'v2' } },
    ]);
  });

  it('a service with resilience but no versions gets a rule without subsets; one with neither gets no rule', () => {
    const objects = compileTraffic(`${service('a', '  ports: [{port: 80, protocol: http}]\n  resilience: {loadBalancer: random}\n')}---
${service('b', '  ports: [{port: 80, protocol: http}]\n')}`);
    expect(rule(objects, 'a').subsets).toBeUndefined();
    expect(objects.filter((o) => o.metadata.name === 'b')).toEqual([]);
  });
});

describe('the traffic policy', () => {
  const policy = (resilience: string) =>
    rule(compileTraffic(service('cart', `  ports: [{port: 8080, protocol: http}]\n  mtls: disabled\n  resilience:\n${resilience}`)), 'cart').trafficPolicy;

  it('simple balancers in Istio\'s names', () => {
    expect(policy('    loadBalancer: round-robin\n')).toEqual({ loadBalancer: { simple: 'ROUND_ROBIN' } });
    expect(policy('    loadBalancer: least-request\n')).toEqual({ loadBalancer: { simple: 'LEAST_REQUEST' } });
    expect(policy('    loadBalancer: random\n')).toEqual({ loadBalancer: { simple: 'RANDOM' } });
  });

  it('consistent hashing by header, cookie (a 0s ttl is a session cookie), source IP or query parameter', () => {
    const hash = (key: string) => policy(`    loadBalancer:\n      consistentHash: ${key}\n`)?.loadBalancer?.consistentHash;
    expect(hash('{header: x-user}')).toEqual({ httpHeaderName: 'x-user' });
    expect(hash('{cookie: {name: s, ttl: 1h, path: /cart}}')).toEqual({ httpCookie: { name: 's', ttl: '3600s', path: '/cart' } });
    expect(hash('{cookie: {name: s, ttl: 0s}}')).toEqual({ httpCookie: { name: 's', ttl: '0s' } });
    expect(hash('{sourceIp: true}')).toEqual({ useSourceIp: true });
    expect(hash('{queryParameter: id}')).toEqual({ httpQueryParameterName: 'id' });
  });

  it('the circuit breaker as TCP and HTTP connection-pool limits', () => {
    expect(
      policy('    circuitBreaker: {maxConnections: 10, connectTimeout: 250ms, maxPendingRequests: 5, maxRequests: 20, maxRequestsPerConnection: 1, maxRetries: 2}\n'),
    ).toEqual({
      connectionPool: {
        tcp: { maxConnections: 10, connectTimeout: '0.25s' },
        http: { http1MaxPendingRequests: 5, http2MaxRequests: 20, maxRequestsPerConnection: 1, maxRetries: 2 },
      },
    });
    expect(policy('    circuitBreaker: {maxRetries: 2}\n')).toEqual({ connectionPool: { http: { maxRetries: 2 } } });
  });

  it('outlier detection, 0 switching a trigger off; locality failover inside the load balancer', () => {
    expect(
      policy(`    outlierDetection: {consecutive5xx: 0, consecutiveGatewayErrors: 3, interval: 1.5s, baseEjectionTime: 1m, maxEjectionPercent: 50, minHealthPercent: 10}
    localityFailover: [{from: us-east1, to: us-west1}, {from: us-west1, to: us-east1}]
`),
    ).toEqual({
      loadBalancer: { localityLbSetting: { enabled: true, failover: [{ from: 'us-east1', to: 'us-west1' }, { from: 'us-west1', to: 'us-east1' }] } },
      outlierDetection: { consecutive5xxErrors: 0, consecutiveGatewayErrors: 3, interval: '1.5s', baseEjectionTime: '60s', maxEjectionPercent: 50, minHealthPercent: 10 },
    });
  });

  it('ejection percentages Envoy takes in whole percents are rounded the cautious way', () => {
    expect(toIstioOutlierDetection({ maxEjectionPercent: 33.3, minHealthPercent: 20.5 })).toEqual({ maxEjectionPercent: 33, minHealthPercent: 21 });
  });

  it('a balancer and locality failover together', () => {
    expect(policy('    loadBalancer: least-request\n    outlierDetection: {consecutive5xx: 5}\n    localityFailover: [{from: a, to: b}]\n')?.loadBalancer).toEqual({
      simple: 'LEAST_REQUEST',
      localityLbSetting: { enabled: true, failover: [{ from: 'a', to: 'b' }] },
    });
  });
});

describe('mutual TLS toward the service: left to Istio\'s automatic mTLS', () => {
  const MESH = (mtls: string, namespaces = '') => `${HEADER}kind: Mesh
metadata: {name: mesh}
spec:
  mtls: ${mtls}
${namespaces}---
`;
  const withVersions = '  versions: {v1: {labels: {version: v1}}}\n';

  it('writes no TLS mode whatever the effective mode, so automatic mTLS follows each endpoint\'s sidecar and PeerAuthentication', () => {
    for (const mode of ['strict', 'permissive', 'disabled']) {
      const spec = rule(compileTraffic(`${MESH(mode)}${service('a', `  ports: [{port: 80, protocol: http}]\n${withVersions}`)}`), 'a');
      expect(spec.trafficPolicy, mode).toBeUndefined();
      expect(spec.subsets, mode).toEqual([{ name: 'v1', labels: { version: 'v1' } }]);
    }
  });

  it('toward a namespace without sidecars (injection: false) callers are not told to send mutual TLS', () => {
    const legacy = `  namespaces:\n    legacy: {injection: false}\n`;
    const objects = compileTraffic(`${MESH('strict', legacy)}${HEADER}kind: Service
metadata: {name: httpbin, namespace: legacy}
spec:
  ports: [{port: 8000, protocol: http}]
  versions: {v1: {labels: {version: v1}}}
  resilience: {loadBalancer: random}
`);
    const found = objects.find((o) => o.kind === 'DestinationRule' && o.metadata.name === 'httpbin');
    expect(found?.spec).toEqual({
      host: 'httpbin.legacy.svc.cluster.local',
      trafficPolicy: { loadBalancer: { simple: 'RANDOM' } },
      subsets: [{ name: 'v1', labels: { version: 'v1' } }],
    });
  });

  it('port modes stay the server\'s business (PeerAuthentication), with no per-port TLS for callers', () => {
    const spec = rule(
      compileTraffic(
        service(
          'inventory',
          `  ports: [{port: 8080, protocol: http}, {port: 9102, protocol: http}]
  mtls: {mode: permissive, ports: {"9102": disabled}}
  resilience: {loadBalancer: random, circuitBreaker: {maxConnections: 5}}
`,
        ),
      ),
      'inventory',
    );
    expect(spec.trafficPolicy).toEqual({ loadBalancer: { simple: 'RANDOM' }, connectionPool: { tcp: { maxConnections: 5 } } });
  });
});

describe('external services', () => {
  const external = (spec: string) => `${HEADER}kind: ExternalService
metadata: {name: payments, namespace: shop}
spec:
${spec}`;

  it('originates TLS with the given SNI, and carries the resilience policy', () => {
    const spec = rule(
      compileTraffic(
        external(`  hosts: [api.payments.example.com]
  ports: [{port: 80, targetPort: 443, protocol: http}]
  tls: {sni: api.payments.example.com}
  resilience: {circuitBreaker: {maxConnections: 100}}
`),
      ),
      'payments',
    );
    expect(spec).toEqual({
      host: 'api.payments.example.com',
      trafficPolicy: { connectionPool: { tcp: { maxConnections: 100 } }, tls: { mode: 'SIMPLE', sni: 'api.payments.example.com' } },
    });
  });

  it('passes through the ports that already carry the application\'s TLS', () => {
    const spec = rule(
      compileTraffic(external('  hosts: [billing.corp.example]\n  ports: [{port: 8443, protocol: tls}, {port: 8080, protocol: http}]\n  tls: {}\n')),
      'payments',
    );
    expect(spec.trafficPolicy).toEqual({ tls: { mode: 'SIMPLE' }, portLevelSettings: [{ port: { number: 8443 }, tls: { mode: 'DISABLE' } }] });
  });

  it('`originate: false` tells the proxy not to add TLS; resilience alone sets no TLS', () => {
    const objects = compileTraffic(`${external('  hosts: [a.example.com]\n  ports: [{port: 443, protocol: tls}]\n  tls: {originate: false}\n')}---
${HEADER}kind: ExternalService
metadata: {name: quotes, namespace: shop}
spec:
  hosts: [quotes.example.com]
  ports: [{port: 443, protocol: tls}]
  resilience: {outlierDetection: {consecutiveGatewayErrors: 5}}
`);
    expect(rule(objects, 'payments').trafficPolicy).toEqual({ tls: { mode: 'DISABLE' } });
    expect(rule(objects, 'quotes').trafficPolicy).toEqual({ outlierDetection: { consecutiveGatewayErrors: 5 } });
  });

  it('one rule per host (a DestinationRule has one host), named as compiledObjects predicts', () => {
    const yaml = external('  hosts: [a.example.com, b.example.com, c.example.com]\n  ports: [{port: 80, protocol: http}]\n  tls: {}\n');
    const objects = compileTraffic(yaml);
    const rules = objects.filter((o) => o.kind === 'DestinationRule');
    expect(rules.map((o) => [o.metadata.name, (o.spec as IstioDestinationRuleSpec).host])).toEqual([
      ['payments', 'a.example.com'],
      ['payments-host-1', 'b.example.com'],
      ['payments-host-2', 'c.example.com'],
    ]);
    for (const o of rules) expect((o.spec as IstioDestinationRuleSpec).trafficPolicy).toEqual({ tls: { mode: 'SIMPLE' } });
    const predicted = compiledObjects(compileModel(yaml)).filter((o) => o.kind === 'DestinationRule').map((o) => o.name);
    expect(predicted).toEqual(['payments', 'payments-host-1', 'payments-host-2']);
  });

  it('an external service with neither tls nor resilience gets no rule', () => {
    expect(compileTraffic(external('  hosts: [a.example.com]\n  ports: [{port: 443, protocol: tls}]\n'))).toEqual([]);
  });
});
