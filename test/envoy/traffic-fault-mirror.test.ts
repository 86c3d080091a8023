// Fault injection and mirroring through a real Envoy compiled by meshctl. Both belong to the
// caller's sidecar (as Istio applies a VirtualService's faults and mirrors there): an abort answers
// with its status without reaching the upstream, a delay holds the request for its duration, and a
// mirror sends the configured share of requests to a shadow version whose answers nobody sees.
import { describe, expect, it } from 'vitest';
import { CALLEE_HTTP_PORTS, meshDocument, outboundUrl, serviceDocument, sidecarPorts, sidecarSettings, useMeshScenarios } from '../support/envoy-mesh.js';
import { request, sendRequests, tally } from '../support/envoy-traffic.js';

const scenario = useMeshScenarios('fault-mirror');

describe('fault injection', () => {
  it('an abort answers with its status without calling the upstream; a delay is observed', async () => {
    const web = await sidecarPorts();
    const app = await scenario().startApp('reviews', 'v1');
    scenario().writeMesh([
      meshDocument({ mtls: 'disabled' }),
      serviceDocument('shop', 'web', { ports: [{ name: 'http', port: 8080, protocol: 'http' }], envoy: sidecarSettings(web), dependsOn: ['reviews'] }),
      serviceDocument('shop', 'reviews', {
        ports: CALLEE_HTTP_PORTS,
        endpoints: [{ address: '127.0.0.1', ports: { http: app.port } }],
        routes: [
          { name: 'broken', match: { path: '/broken/' }, fault: { abort: { status: 418 } } },
          { name: 'sluggish', match: { path: '/sluggish/' }, fault: { delay: { duration: '500ms' } } },
          { name: 'half-broken', match: { path: '/half/' }, fault: { abort: { status: 503, percent: 50 } }, retries: { attempts: 0 } },
          { name: 'default' },
        ],
      }),
    ]);
    await scenario().compile();
    await scenario().startProxy({ namespace: 'shop', name: 'web' });
    const url = outboundUrl(web);

    const aborted = await sendRequests(url, { count: 10, path: '/broken/item', headers: { host: 'reviews' } });
    expect(tally(aborted, (reply) => reply.status)).toEqual({ 418: 10 });
    expect(app.requestCount).toBe(0);

    const normal = await request(url, { path: '/fine', headers: { host: 'reviews' } });
    expect(normal.status).toBe(200);
    expect(normal.elapsedMs).toBeLessThan(400);

    const delayed = await sendRequests(url, { count: 4, concurrency: 4, path: '/sluggish/item', headers: { host: 'reviews' } });
    for (const reply of delayed) {
      expect(reply.upstream).toBe('reviews-v1');
      expect(reply.elapsedMs).toBeGreaterThanOrEqual(480);
      expect(reply.elapsedMs).toBeLessThan(2_000);
    }

    // 50% aborts over 400 requests: ±10 points is four standard deviations.
    const total = 400;
    const half = tally(await sendRequests(url, { count: total, concurrency: 16, path: '/half/item', headers: { host: 'reviews' } }), (reply) => reply.status);
    expect(Object.keys(half).sort()).toEqual(['200', '503']);
    expect(half['503']!).toBeGreaterThanOrEqual(total * 0.4);
    expect(half['503']!).toBeLessThanOrEqual(total * 0.6);
  });
});

describe('mirror', () => {
  it('the shadow version receives the configured share; callers only see the primary', async () => {
    const web = await sidecarPorts();
    const primary = await scenario().startApp('reviews', 'v1');
    const shadow = await scenario().startApp('reviews', 'v2');
    scenario().writeMesh([
      meshDocument({ mtls: 'disabled' }),
      serviceDocument('shop', 'web', { ports: [{ name: 'http', port: 8080, protocol: 'http' }], envoy: sidecarSettings(web), dependsOn: ['reviews'] }),
      serviceDocument('shop', 'reviews', {
        ports: CALLEE_HTTP_PORTS,
        versions: {
          v1: { labels: { version: 'v1' }, endpoints: [{ address: '127.0.0.1', ports: { http: primary.port } }] },
          v2: { labels: { version: 'v2' }, endpoints: [{ address: '127.0.0.1', ports: { http: shadow.port } }] },
        },
        routes: [
          { name: 'all-mirrored', match: { path: '/all/' }, to: 'v1', mirror: { version: 'v2' } },
          { name: 'some-mirrored', to: 'v1', mirror: { version: 'v2', percent: 25 } },
        ],
      }),
    ]);
    await scenario().compile();
    await scenario().startProxy({ namespace: 'shop', name: 'web' });
    const url = outboundUrl(web);

    const all = await sendRequests(url, { count: 50, path: '/all/item', headers: { host: 'reviews' } });
    expect(tally(all, (reply) => reply.upstream)).toEqual({ 'reviews-v1': 50 });
    // Mirrored requests are sent alongside, not awaited: let the last ones arrive.
    await settled(() => shadow.requestCount);
    expect(shadow.requestCount).toBe(50);
    // Envoy marks a mirrored request's authority with -shadow, so the shadow can tell it apart.
    expect(shadow.received.every((seen) => /-shadow(:\d+)?$/.test(String(seen.headers.host)))).toBe(true);

    shadow.reset();
    const total = 800;
    const some = await sendRequests(url, { count: total, concurrency: 16, path: '/page', headers: { host: 'reviews' } });
    expect(tally(some, (reply) => reply.upstream)).toEqual({ 'reviews-v1': total });
    await settled(() => shadow.requestCount);
    // 25% of 800 is 200; ±50 is over four standard deviations.
    expect(shadow.requestCount).toBeGreaterThanOrEqual(150);
    expect(shadow.requestCount).toBeLessThanOrEqual(250);
    expect(primary.requestCount).toBe(50 + total);
  });
});

/** Waits until `count` has not changed for 300 ms (at most 5 s). */
async function settled(count: () => number): Promise<void> {
  const deadline = Date.now() + 5_000;
  let last = -1;
  while (Date.now() < deadline) {
    const now = count();
    if (now === last) return;
    last = now;
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}
