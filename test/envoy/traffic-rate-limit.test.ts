// Local rate limiting through real Envoys compiled by meshctl: the callee's sidecar keeps a token
// bucket in its inbound listener. Requests beyond the bucket get 429; after the fill interval the
// tokens are back. Requests travel app → caller sidecar → callee sidecar → app, as in the mesh.
import { describe, expect, it } from 'vitest';
import { meshDocument, outboundUrl, serviceDocument, sidecarPorts, sidecarSettings, useMeshScenarios } from '../support/envoy-mesh.js';
import { sendRequests, tally } from '../support/envoy-traffic.js';

const scenario = useMeshScenarios('rate-limit');

describe('local rate limit', () => {
  it('answers 429 beyond the bucket, and lets requests through again after the fill interval', async () => {
    const [web, reviews] = [await sidecarPorts(), await sidecarPorts()];
    const app = await scenario().startApp('reviews', 'v1');
    const bucket = 5;
    const fillIntervalMs = 2_000;
    scenario().writeMesh([
      meshDocument({ mtls: 'disabled' }),
      serviceDocument('shop', 'web', { ports: [{ name: 'http', port: 8080, protocol: 'http' }], envoy: sidecarSettings(web), dependsOn: ['reviews'] }),
      serviceDocument('shop', 'reviews', {
        ports: [{ name: 'http', port: 9080, targetPort: app.port, protocol: 'http' }],
        envoy: sidecarSettings(reviews),
        endpoints: [{ address: '127.0.0.1' }],
        rateLimit: { local: { requests: bucket, per: `${fillIntervalMs / 1000}s` } },
      }),
    ]);
    await scenario().compile();
    await scenario().startProxy({ namespace: 'shop', name: 'reviews' });
    await scenario().startProxy({ namespace: 'shop', name: 'web' });
    const url = outboundUrl(web);

    // Twice the bucket at once: the bucket's worth passes, the rest is refused by the callee's
    // sidecar (the app never sees them). A refill during the burst could add a token or two.
    const burst = await sendRequests(url, { count: 2 * bucket, concurrency: 2 * bucket, headers: { host: 'reviews' } });
    const statuses = tally(burst, (reply) => reply.status);
    expect(Object.keys(statuses).sort()).toEqual(['200', '429']);
    expect(statuses['200']!).toBeGreaterThanOrEqual(bucket);
    expect(statuses['200']!).toBeLessThanOrEqual(bucket + 1);
    expect(app.requestCount).toBe(statuses['200']);

    // Still empty right after the burst.
    const stillLimited = await sendRequests(url, { count: 3, concurrency: 3, headers: { host: 'reviews' } });
    expect(tally(stillLimited, (reply) => reply.status)['429']).toBeGreaterThanOrEqual(2);

    // After a whole fill interval the bucket is full again.
    await new Promise((resolve) => setTimeout(resolve, fillIntervalMs + 300));
    const refilled = await sendRequests(url, { count: bucket, concurrency: 1, headers: { host: 'reviews' } });
    expect(tally(refilled, (reply) => reply.status)).toEqual({ 200: bucket });
  });
});
