// Telemetry: access logs and trace sampling at the mesh, namespace and workload levels. Istio
// merges them per provider, the most specific level winning, and takes a level's filter (or its
// absence) as written; so each level states its logging fully.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePath, compileText, exampleMesh, names, specOf, validFixtures } from './istio-security-support.js';

describe('the example mesh', async () => {
  const objects = await compilePath(exampleMesh);

  it('logs only errors mesh-wide (a CEL filter on the response code) and samples 1% of traces', () => {
    expect(specOf(objects, 'Telemetry', 'istio-system', 'default')).toEqual({
      accessLogging: [{ providers: [{ name: 'envoy' }], disabled: false, filter: { expression: 'response.code >= 400' } }],
      tracing: [{ randomSamplingPercentage: 1 }],
    });
  });

  it('logs every request in orders while it migrates: no filter at that level replaces the mesh\'s', () => {
    expect(specOf(objects, 'Telemetry', 'orders', 'default')).toEqual({ accessLogging: [{ providers: [{ name: 'envoy' }], disabled: false }] });
  });

  it('overrides only what a namespace or a workload sets', () => {
    // storefront traces more, and says nothing about logs: they stay as the mesh sets them.
    expect(specOf(objects, 'Telemetry', 'storefront', 'default')).toEqual({ tracing: [{ randomSamplingPercentage: 5 }] });
    expect(specOf(objects, 'Telemetry', 'orders', 'checkout')).toEqual({
      selector: { matchLabels: { app: 'checkout' } },
      accessLogging: [{ providers: [{ name: 'envoy' }], disabled: false }],
      tracing: [{ randomSamplingPercentage: 10 }],
    });
  });

  it('turns a workload\'s access log off', () => {
    expect(specOf(objects, 'Telemetry', 'platform', 'ratelimit')).toEqual({
      selector: { matchLabels: { app: 'ratelimit' } },
      accessLogging: [{ providers: [{ name: 'envoy' }], disabled: true }],
    });
  });

  it('emits one Telemetry per level that sets telemetry, and nothing for the rest', () => {
    expect(names(objects, 'Telemetry')).toEqual(['istio-system/default', 'orders/checkout', 'orders/default', 'platform/ratelimit', 'storefront/default']);
  });
});

describe('edge cases', () => {
  it('disables logging mesh-wide without a filter, and keeps sampling at its edge value', async () => {
    const objects = await compilePath(path.join(validFixtures, 'policy-resilience-and-rate-limits.yaml'));
    expect(specOf(objects, 'Telemetry', 'istio-system', 'default')).toEqual({
      accessLogging: [{ providers: [{ name: 'envoy' }], disabled: true }],
      tracing: [{ randomSamplingPercentage: 10 }],
    });
  });

  it('writes no accessLogging for a level that only samples, and no filter when logging is off', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  telemetry:
    tracing: {samplingPercent: 0.5}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: quiet, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  telemetry:
    accessLog: {enabled: false}
`);
    expect(specOf(objects, 'Telemetry', 'shop', 'api')).toEqual({ selector: { matchLabels: { app: 'api' } }, tracing: [{ randomSamplingPercentage: 0.5 }] });
    expect(specOf(objects, 'Telemetry', 'shop', 'quiet').accessLogging).toEqual([{ providers: [{ name: 'envoy' }], disabled: true }]);
  });
});
