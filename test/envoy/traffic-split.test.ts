// Traffic splits through a real Envoy compiled by meshctl: a canary's weighted split, and A/B tests
// whose cohort (a header, or a cookie) always reaches the variant while everyone else follows the
// default split or the control. The caller's sidecar does the splitting; its upstreams are the
// versions' app servers, reached in plain text (mtls: disabled), since nothing else is under test.
import { describe, expect, it } from 'vitest';
import { CALLEE_HTTP_PORTS, meshDocument, outboundUrl, serviceDocument, sidecarPorts, sidecarSettings, type SidecarPorts, useMeshScenarios } from '../support/envoy-mesh.js';
import { sendRequests, tally } from '../support/envoy-traffic.js';
import type { Upstream } from '../support/envoy-upstreams.js';

const scenario = useMeshScenarios('split');

const HTTP_PORT = CALLEE_HTTP_PORTS;

/** A caller "web" in namespace shop, whose sidecar binds `ports` and calls `dependencies`. */
function caller(ports: SidecarPorts, dependencies: string[]): object {
  return serviceDocument('shop', 'web', { ports: [{ name: 'http', port: 8080, protocol: 'http' }], envoy: sidecarSettings(ports), dependsOn: dependencies });
}

/** Versions served by the given app servers, each reached directly on its own port. */
function versionsAt(apps: Record<string, Upstream>): Record<string, object> {
  return Object.fromEntries(
    Object.entries(apps).map(([version, app]) => [version, { labels: { version }, endpoints: [{ address: '127.0.0.1', ports: { http: app.port } }] }]),
  );
}

const share = (counts: Record<string, number>, key: string, total: number) => ((counts[key] ?? 0) / total) * 100;

describe('weighted split', () => {
  it('sends 80/20 of 2,000 requests to a canary\'s stable and canary versions, within 3 percentage points', async () => {
    const web = await sidecarPorts();
    const apps = { v1: await scenario().startApp('reviews', 'v1'), v2: await scenario().startApp('reviews', 'v2') };
    scenario().writeMesh([
      meshDocument({ mtls: 'disabled' }),
      caller(web, ['reviews']),
      serviceDocument('shop', 'reviews', { ports: HTTP_PORT, versions: versionsAt(apps), canary: { stable: 'v1', canary: 'v2', weight: 20 } }),
    ]);
    // Once through the CLI as a user runs it (`meshctl compile --target envoy -o DIR`), and through
    // the library: both must give the same configs.
    const fromLibrary = await scenario().compile();
    const fromCli = scenario().compileWithCli();
    expect(fromCli.map((config) => [config.path, config.bootstrap])).toEqual(fromLibrary.map((config) => [config.path, config.bootstrap]));
    await scenario().startProxy({ namespace: 'shop', name: 'web' });

    const total = 2_000;
    const replies = await sendRequests(outboundUrl(web), { count: total, concurrency: 32, path: '/reviews/1', headers: { host: 'reviews' } });
    expect(tally(replies, (reply) => reply.status)).toEqual({ 200: total });
    const counts = tally(replies, (reply) => reply.upstream);
    expect(Object.keys(counts).sort()).toEqual(['reviews-v1', 'reviews-v2']);
    expect(share(counts, 'reviews-v2', total)).toBeGreaterThanOrEqual(17);
    expect(share(counts, 'reviews-v2', total)).toBeLessThanOrEqual(23);
    expect(share(counts, 'reviews-v1', total)).toBeGreaterThanOrEqual(77);
    expect(share(counts, 'reviews-v1', total)).toBeLessThanOrEqual(83);
    // The app saw the request as sent, with the path unchanged.
    expect(replies[0]!.json?.path).toBe('/reviews/1');
    // 2,000 requests plus a CLI run: room for a busy two-core CI machine.
  }, 90_000);

  it('sends a route\'s explicit split between versions as declared', async () => {
    const web = await sidecarPorts();
    const apps = { v1: await scenario().startApp('reviews', 'v1'), v2: await scenario().startApp('reviews', 'v2') };
    scenario().writeMesh([
      meshDocument({ mtls: 'disabled' }),
      caller(web, ['reviews']),
      serviceDocument('shop', 'reviews', {
        ports: HTTP_PORT,
        versions: versionsAt(apps),
        routes: [
          { name: 'all-v2', match: { path: '/new/' }, to: 'v2' },
          { name: 'half', to: [{ version: 'v1', weight: 50 }, { version: 'v2', weight: 50 }] },
        ],
      }),
    ]);
    await scenario().compile();
    await scenario().startProxy({ namespace: 'shop', name: 'web' });

    const pinned = await sendRequests(outboundUrl(web), { count: 50, path: '/new/page', headers: { host: 'reviews' } });
    expect(tally(pinned, (reply) => reply.upstream)).toEqual({ 'reviews-v2': 50 });
    const total = 400;
    const halves = tally(await sendRequests(outboundUrl(web), { count: total, path: '/other', headers: { host: 'reviews' } }), (reply) => reply.upstream);
    // 50/50 over 400: ±10 points is four standard deviations.
    expect(share(halves, 'reviews-v1', total)).toBeGreaterThanOrEqual(40);
    expect(share(halves, 'reviews-v1', total)).toBeLessThanOrEqual(60);
  });
});

describe('A/B test', () => {
  it('always sends the header or cookie cohort to the variant; the rest follow the default split or the control', async () => {
    const web = await sidecarPorts();
    const reviewsApps = { v1: await scenario().startApp('reviews', 'v1'), v2: await scenario().startApp('reviews', 'v2') };
    const ratingsApps = { v1: await scenario().startApp('ratings', 'v1'), v2: await scenario().startApp('ratings', 'v2') };
    scenario().writeMesh([
      meshDocument({ mtls: 'disabled' }),
      caller(web, ['reviews', 'ratings']),
      // A header cohort; everyone else follows the canary's 90/10 split.
      serviceDocument('shop', 'reviews', {
        ports: HTTP_PORT,
        versions: versionsAt(reviewsApps),
        canary: { stable: 'v1', canary: 'v2', weight: 10 },
        abTest: { name: 'new-layout', cohort: { header: { name: 'x-cohort', value: 'beta' } }, variant: 'v2' },
      }),
      // A cookie cohort with an explicit control: everyone else sees v1 only.
      serviceDocument('shop', 'ratings', {
        ports: HTTP_PORT,
        versions: versionsAt(ratingsApps),
        abTest: { name: 'new-stars', cohort: { cookie: { name: 'experiment', value: 'new-stars' } }, variant: 'v2', control: 'v1' },
      }),
    ]);
    await scenario().compile();
    await scenario().startProxy({ namespace: 'shop', name: 'web' });
    const url = outboundUrl(web);

    const cohort = await sendRequests(url, { count: 100, headers: { host: 'reviews', 'x-cohort': 'beta' } });
    expect(tally(cohort, (reply) => reply.upstream)).toEqual({ 'reviews-v2': 100 });

    // Everyone else — no header, or another value — follows the 90/10 split.
    const total = 600;
    const others = await sendRequests(url, { count: total, headersFor: (index) => ({ host: 'reviews', ...(index % 2 ? { 'x-cohort': 'alpha' } : {}) }) });
    const otherCounts = tally(others, (reply) => reply.upstream);
    // 10% of 600: ±5 points is over four standard deviations.
    expect(share(otherCounts, 'reviews-v2', total)).toBeGreaterThanOrEqual(5);
    expect(share(otherCounts, 'reviews-v2', total)).toBeLessThanOrEqual(15);

    // The cookie is found among others, and only with its exact value.
    const cookieCohort = await sendRequests(url, { count: 50, headers: { host: 'ratings', cookie: 'session=abc123; experiment=new-stars; theme=dark' } });
    expect(tally(cookieCohort, (reply) => reply.upstream)).toEqual({ 'ratings-v2': 50 });
    const control = await sendRequests(url, {
      count: 60,
      headersFor: (index) => ({ host: 'ratings', ...[{}, { cookie: 'experiment=new-stars-old' }, { cookie: 'session=new-stars' }][index % 3] }),
    });
    expect(tally(control, (reply) => reply.upstream)).toEqual({ 'ratings-v1': 60 });
  });
});
