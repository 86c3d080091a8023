// Failure recovery through a real Envoy compiled by meshctl: retries hide an upstream's first
// failure (and do not when the route turns them off), a route timeout cuts a slow upstream off with
// 504 at the configured time, and outlier detection ejects an always-failing instance so traffic
// moves to the healthy one. All of it happens in the caller's sidecar; the callee's instances are
// app servers reached in plain text (mtls: disabled).
import { describe, expect, it } from 'vitest';
import { CALLEE_HTTP_PORTS, meshDocument, outboundUrl, serviceDocument, sidecarPorts, sidecarSettings, type SidecarPorts, useMeshScenarios } from '../support/envoy-mesh.js';
import { eventually, request, sendRequests, tally } from '../support/envoy-traffic.js';
import type { Upstream } from '../support/envoy-upstreams.js';

const scenario = useMeshScenarios('resilience');

function caller(ports: SidecarPorts): object {
  return serviceDocument('shop', 'web', { ports: [{ name: 'http', port: 8080, protocol: 'http' }], envoy: sidecarSettings(ports), dependsOn: ['reviews'] });
}

/** The callee: a service without versions whose instances are the given app servers. */
function reviews(instances: readonly Upstream[], spec: Record<string, unknown>): object {
  return serviceDocument('shop', 'reviews', {
    ports: CALLEE_HTTP_PORTS,
    endpoints: instances.map((app) => ({ address: '127.0.0.1', ports: { http: app.port } })),
    ...spec,
  });
}

async function startCaller(spec: Record<string, unknown>, instances: readonly Upstream[]): Promise<string> {
  const web = await sidecarPorts();
  scenario().writeMesh([meshDocument({ mtls: 'disabled' }), caller(web), reviews(instances, spec)]);
  await scenario().compile();
  await scenario().startProxy({ namespace: 'shop', name: 'web' });
  return outboundUrl(web);
}

describe('retries', () => {
  it('a route with retries hides an upstream that fails the first attempt with 503; a route without them does not', async () => {
    const flaky = await scenario().startApp('reviews', 'v1', { failFirstAttempts: 1 });
    const url = await startCaller(
      {
        routes: [
          { name: 'retried', match: { path: '/retried/' }, retries: { attempts: 2, perTryTimeout: '2s', on: ['5xx'] } },
          { name: 'not-retried', match: { path: '/once/' }, retries: { attempts: 0 } },
        ],
      },
      [flaky],
    );

    const retried = await sendRequests(url, { count: 20, concurrency: 4, path: '/retried/item', headers: { host: 'reviews' } });
    expect(tally(retried, (reply) => reply.status)).toEqual({ 200: 20 });
    // Each request: a failed first attempt, then one successful retry.
    expect(flaky.requestCount).toBe(40);

    flaky.reset();
    const once = await sendRequests(url, { count: 20, concurrency: 4, path: '/once/item', headers: { host: 'reviews' } });
    expect(tally(once, (reply) => reply.status)).toEqual({ 503: 20 });
    expect(flaky.requestCount).toBe(20);
  });
});

describe('default retries', () => {
  it('a route that sets no retries does not retry a 503, as Istio\'s default policy (a retried POST could be applied twice)', async () => {
    const flaky = await scenario().startApp('reviews', 'v1', { failFirstAttempts: 1 });
    const url = await startCaller({ routes: [{ name: 'default-policy', match: { path: '/default/' } }] }, [flaky]);
    const replies = await sendRequests(url, { count: 20, concurrency: 4, method: 'POST', path: '/default/item', headers: { host: 'reviews' } });
    expect(tally(replies, (reply) => reply.status)).toEqual({ 503: 20 });
    expect(flaky.requestCount).toBe(20);
  });
});

describe('timeout', () => {
  it('answers 504 when a slow upstream exceeds the route timeout, at the configured time', async () => {
    const slow = await scenario().startApp('reviews', 'v1', { delayMs: 3_000 });
    const url = await startCaller(
      {
        routes: [
          { name: 'quick', match: { path: '/quick/' }, timeout: '400ms', retries: { attempts: 0 } },
          { name: 'patient', timeout: '5s', retries: { attempts: 0 } },
        ],
      },
      [slow],
    );

    const replies = await sendRequests(url, { count: 4, concurrency: 4, path: '/quick/item', headers: { host: 'reviews' } });
    for (const reply of replies) {
      expect(reply.status).toBe(504);
      // 400 ms, not the upstream's 3 s: the lower bound shows the timeout is not shorter than declared.
      expect(reply.elapsedMs).toBeGreaterThanOrEqual(380);
      expect(reply.elapsedMs).toBeLessThan(1_500);
    }

    // The same upstream, a little faster than the other route's timeout, is waited for.
    slow.setBehaviour({ delayMs: 600 });
    const patient = await request(url, { path: '/patient', headers: { host: 'reviews' } });
    expect(patient.status).toBe(200);
    expect(patient.elapsedMs).toBeGreaterThanOrEqual(580);
  });
});

describe('outlier detection', () => {
  it('ejects an always-failing instance after consecutive 5xx; traffic moves to the healthy one', async () => {
    const healthy = await scenario().startApp('reviews', 'healthy');
    const broken = await scenario().startApp('reviews', 'broken', { alwaysStatus: 500 });
    const url = await startCaller(
      {
        routes: [{ name: 'default', retries: { attempts: 0 } }],
        resilience: {
          loadBalancer: 'round-robin',
          outlierDetection: { consecutive5xx: 3, interval: '1s', baseEjectionTime: '60s', maxEjectionPercent: 50 },
        },
      },
      [healthy, broken],
    );
    const caller = scenario().proxies()[0]!;
    const statTotal = async (pattern: string) => Object.values(await caller.stats(pattern)).reduce((sum, value) => sum + value, 0);

    // One request at a time, stopping at the broken instance's third failure. Envoy ejects on the
    // threshold from its main thread, a moment after the failing reply; sending nothing more to the
    // broken instance until the ejection shows keeps that moment out of the count, so what is
    // checked is the threshold itself.
    let sent = 0;
    while (broken.requestCount < 3 && sent < 20) {
      await request(url, { headers: { host: 'reviews' } });
      sent++;
    }
    expect(broken.requestCount).toBe(3);
    // Round robin over both instances: the broken one gets every other request.
    expect(sent).toBeLessThanOrEqual(6);
    await eventually('the broken instance to be ejected', async () => ((await statTotal('outlier_detection\\.ejections_active$')) === 1 ? true : undefined));
    // By the consecutive-5xx check, not by any other.
    expect(await statTotal('outlier_detection\\.ejections_enforced_consecutive_5xx$')).toBe(1);
    expect(await statTotal('outlier_detection\\.ejections_enforced_total$')).toBe(1);

    const after = await sendRequests(url, { count: 40, concurrency: 4, headers: { host: 'reviews' } });
    expect(tally(after, (reply) => reply.upstream)).toEqual({ 'reviews-healthy': 40 });
    expect(broken.requestCount).toBe(3);
  });
});
