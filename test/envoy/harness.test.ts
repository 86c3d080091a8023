// The harness the Envoy traffic tests stand on, proven with hand-written Envoy configs: Envoy
// starts, serves, reports, and is gone afterwards — also when the test process dies; upstreams
// behave as told; certificates made with openssl carry the SPIFFE IDs a real Envoy checks.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EnvoyPortInUseError,
  INSTALL_TIMEOUT_MS,
  freePort,
  freePorts,
  installEnvoy,
  retryOnPortConflict,
  runningEnvoyCount,
  startEnvoy,
  stopAllEnvoys,
} from '../support/envoy-harness.js';
import { makeMeshCertificates, type MeshCertificates } from '../support/envoy-certificates.js';
import { request, sendRequests, tally } from '../support/envoy-traffic.js';
import { closeAllUpstreams, startUpstream } from '../support/envoy-upstreams.js';

const HCM = 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager';
const ROUTER = 'type.googleapis.com/envoy.extensions.filters.http.router.v3.Router';
const DOWNSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

function staticCluster(name: string, ports: readonly number[]): object {
  return {
    name,
    type: 'STATIC',
    connect_timeout: '1s',
    load_assignment: {
      cluster_name: name,
      endpoints: [{ lb_endpoints: ports.map((port) => ({ endpoint: { address: { socket_address: { address: '127.0.0.1', port_value: port } } } })) }],
    },
  };
}

interface ProxyConfig {
  listenerPort: number;
  /** The route's action: a RouteAction, or a direct response. */
  route: object;
  direct?: boolean;
  clusters: object[];
  transportSocket?: object;
}

/** A bootstrap with one HTTP listener whose single route is `route`; admin on port 0. */
function proxyConfig({ listenerPort, route, direct, clusters, transportSocket }: ProxyConfig): object {
  return {
    admin: { address: { socket_address: { address: '127.0.0.1', port_value: 0 } } },
    static_resources: {
      listeners: [
        {
          name: 'http',
          address: { socket_address: { address: '127.0.0.1', port_value: listenerPort } },
          filter_chains: [
            {
              ...(transportSocket ? { transport_socket: transportSocket } : {}),
              filters: [
                {
                  name: 'envoy.filters.network.http_connection_manager',
                  typed_config: {
                    '@type': HCM,
                    stat_prefix: 'http',
                    route_config: { virtual_hosts: [{ name: 'all', domains: ['*'], routes: [{ match: { prefix: '/' }, ...(direct ? { direct_response: route } : { route }) }] }] },
                    http_filters: [{ name: 'envoy.filters.http.router', typed_config: { '@type': ROUTER } }],
                  },
                },
              ],
            },
          ],
        },
      ],
      clusters,
    },
  };
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  await installEnvoy();
}, INSTALL_TIMEOUT_MS);
afterEach(async () => {
  await stopAllEnvoys();
  await closeAllUpstreams();
});

describe('envoy harness', () => {
  it('starts an Envoy that splits traffic between two upstreams, and stops it for good', async () => {
    const [one, two] = await Promise.all([startUpstream('app', 'one'), startUpstream('app', 'two')]);
    const listenerPort = await freePort();
    const envoy = await startEnvoy(
      proxyConfig({
        listenerPort,
        route: { weighted_clusters: { clusters: [{ name: 'one', weight: 50 }, { name: 'two', weight: 50 }] } },
        clusters: [staticCluster('one', [one!.port]), staticCluster('two', [two!.port])],
      }),
      { name: 'split' },
    );
    expect(envoy.listenerPorts).toEqual([listenerPort]);
    expect(envoy.adminPort).toBeGreaterThan(0);

    const replies = await sendRequests(`http://127.0.0.1:${listenerPort}`, { count: 200, concurrency: 8, path: '/hello?x=1' });
    expect(tally(replies, (reply) => reply.status)).toEqual({ 200: 200 });
    const counts = tally(replies, (reply) => reply.upstream);
    // 50/50 over 200 requests: 100 ± 40 is beyond six standard deviations.
    expect(counts['app-one']).toBeGreaterThan(60);
    expect(counts['app-two']).toBeGreaterThan(60);
    expect(one!.requestCount + two!.requestCount).toBe(200);
    expect(replies[0]!.json?.path).toBe('/hello?x=1');

    const stats = await envoy.stats('^cluster\\.(one|two)\\.upstream_rq_total$');
    expect((stats['cluster.one.upstream_rq_total'] ?? 0) + (stats['cluster.two.upstream_rq_total'] ?? 0)).toBe(200);

    await envoy.stop();
    expect(isAlive(envoy.pid)).toBe(false);
    expect(runningEnvoyCount()).toBe(0);
    await expect(request(`http://127.0.0.1:${listenerPort}`)).rejects.toThrow();
  });

  it('runs several Envoys at once on one host', async () => {
    const app = await startUpstream('app', 'v1');
    const ports = await freePorts(3);
    const envoys = await Promise.all(
      ports.map((listenerPort, index) =>
        startEnvoy(proxyConfig({ listenerPort, route: { cluster: 'app' }, clusters: [staticCluster('app', [app.port])] }), { name: `parallel-${index}` }),
      ),
    );
    expect(new Set(envoys.map((envoy) => envoy.adminPort)).size).toBe(3);
    for (const port of ports) expect((await request(`http://127.0.0.1:${port}`)).upstream).toBe('app-v1');
    expect(runningEnvoyCount()).toBe(3);
    await stopAllEnvoys();
    expect(runningEnvoyCount()).toBe(0);
    for (const envoy of envoys) expect(isAlive(envoy.pid)).toBe(false);
  });

  it('reports a listener port taken by another process as EnvoyPortInUseError, and retries with a fresh one', async () => {
    const app = await startUpstream('app', 'v1');
    // A plain server holds the port: it does not share it, as another Envoy with SO_REUSEPORT would.
    const holder = net.createServer();
    const taken = await freePort();
    await new Promise<void>((resolve) => holder.listen({ host: '127.0.0.1', port: taken }, resolve));
    try {
      const attemptedPorts: number[] = [];
      const envoy = await retryOnPortConflict(async () => {
        const listenerPort = attemptedPorts.length === 0 ? taken : await freePort();
        attemptedPorts.push(listenerPort);
        return startEnvoy(proxyConfig({ listenerPort, route: { cluster: 'app' }, clusters: [staticCluster('app', [app.port])] }), { name: 'second' });
      });
      expect(attemptedPorts).toHaveLength(2);
      expect(envoy.listenerPorts).toEqual([attemptedPorts[1]]);
      expect((await request(`http://127.0.0.1:${attemptedPorts[1]}`)).upstream).toBe('app-v1');

      await expect(
        startEnvoy(proxyConfig({ listenerPort: taken, route: { cluster: 'app' }, clusters: [staticCluster('app', [app.port])] }), { name: 'third' }),
      ).rejects.toBeInstanceOf(EnvoyPortInUseError);
    } finally {
      holder.close();
    }
  });

  it('fails with Envoy\'s own words when it refuses a config, and leaves nothing running', async () => {
    const listenerPort = await freePort();
    const broken = proxyConfig({ listenerPort, route: { cluster: 'nowhere' }, clusters: [{ name: 'x', type: 'STATIC', lb_policy: 'NO_SUCH_POLICY' }] });
    await expect(startEnvoy(broken, { name: 'broken' })).rejects.toThrow(/broken: Envoy exited with code 1 before it was ready[\s\S]*NO_SUCH_POLICY/);
    expect(runningEnvoyCount()).toBe(0);
  });

  it('kills Envoy when the test process that started it dies without cleaning up', async () => {
    const listenerPort = await freePort();
    const script = `
      import { startEnvoy } from ${JSON.stringify(path.join(import.meta.dirname, '..', 'support', 'envoy-harness.ts'))};
      const envoy = await startEnvoy(${JSON.stringify(proxyConfig({ listenerPort, route: { status: 200 }, direct: true, clusters: [] }))}, { name: 'orphan' });
      process.stdout.write(envoy.pid + ' ' + envoy.configPath + '\\n');
      setInterval(() => {}, 1000);
    `;
    // A test process that dies by SIGKILL runs no exit handler: only the watchdog can act.
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let errors = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (errors += chunk));
    const [envoyPid, configPath] = await new Promise<[number, string]>((resolve, reject) => {
      child.stdout.on('data', () => {
        const [pid = '', config = ''] = output.trim().split(' ');
        if (output.includes('\n')) resolve([Number(pid), config]);
      });
      child.once('exit', (code) => reject(new Error(`the child exited (${code}) before starting Envoy: ${errors}`)));
    });
    try {
      expect(isAlive(envoyPid)).toBe(true);
      expect((await request(`http://127.0.0.1:${listenerPort}`)).status).toBe(200);
      child.kill('SIGKILL');
      const deadline = Date.now() + 5_000;
      while (isAlive(envoyPid) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
      expect(isAlive(envoyPid)).toBe(false);
    } finally {
      child.kill('SIGKILL');
      if (isAlive(envoyPid)) process.kill(envoyPid, 'SIGKILL');
      // The killed process could not remove its temp dir.
      rmSync(path.dirname(configPath), { recursive: true, force: true });
    }
  });
});

describe('upstream behaviours through Envoy', () => {
  it('fails the first attempt of each request, which a retrying route hides', async () => {
    const flaky = await startUpstream('flaky', 'v1', { failFirstAttempts: 1 });
    const [retrying, plain] = await freePorts(2);
    const clusters = [staticCluster('flaky', [flaky.port])];
    await startEnvoy(proxyConfig({ listenerPort: retrying!, route: { cluster: 'flaky', retry_policy: { retry_on: '5xx', num_retries: 1 } }, clusters }));
    await startEnvoy(proxyConfig({ listenerPort: plain!, route: { cluster: 'flaky' }, clusters }));
    const withRetries = await sendRequests(`http://127.0.0.1:${retrying}`, { count: 10, concurrency: 2 });
    expect(tally(withRetries, (reply) => reply.status)).toEqual({ 200: 10 });
    expect(flaky.requestCount).toBe(20);
    const withoutRetries = await sendRequests(`http://127.0.0.1:${plain}`, { count: 10, concurrency: 2 });
    expect(tally(withoutRetries, (reply) => reply.status)).toEqual({ 503: 10 });
  });

  it('answers late when told to, and always fails when told to', async () => {
    const slow = await startUpstream('slow', 'v1', { delayMs: 300 });
    const listenerPort = await freePort();
    await startEnvoy(proxyConfig({ listenerPort, route: { cluster: 'slow', timeout: '0.1s' }, clusters: [staticCluster('slow', [slow.port])] }));
    const timedOut = await request(`http://127.0.0.1:${listenerPort}`);
    expect(timedOut.status).toBe(504);
    expect(timedOut.elapsedMs).toBeGreaterThanOrEqual(90);
    expect(timedOut.elapsedMs).toBeLessThan(280);

    slow.setBehaviour({ alwaysStatus: 500 });
    expect((await request(`http://127.0.0.1:${listenerPort}`)).status).toBe(500);
  });
});

describe('mesh certificates', () => {
  let dir: string;
  let certificates: MeshCertificates;

  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'meshctl-certs-'));
    certificates = makeMeshCertificates(dir, [
      { namespace: 'shop', serviceAccount: 'web' },
      { namespace: 'shop', serviceAccount: 'reviews' },
      { namespace: 'other', serviceAccount: 'intruder' },
    ]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('issues leaves with SPIFFE URI SANs that Envoy checks under mutual TLS', async () => {
    expect(existsSync(certificates.caCertPath)).toBe(true);
    expect(certificates.get('shop', 'web').spiffeId).toBe('spiffe://cluster.local/ns/shop/sa/web');

    const app = await startUpstream('reviews', 'v1');
    const listenerPort = await freePort();
    const server = certificates.get('shop', 'reviews');
    await startEnvoy(
      proxyConfig({
        listenerPort,
        route: { cluster: 'app' },
        clusters: [staticCluster('app', [app.port])],
        transportSocket: {
          name: 'envoy.transport_sockets.tls',
          typed_config: {
            '@type': DOWNSTREAM_TLS,
            require_client_certificate: true,
            common_tls_context: {
              tls_certificates: [{ certificate_chain: { filename: server.certPath }, private_key: { filename: server.keyPath } }],
              validation_context: {
                trusted_ca: { filename: certificates.caCertPath },
                match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { prefix: 'spiffe://cluster.local/ns/shop/' } }],
              },
            },
          },
        },
      }),
      { name: 'mtls' },
    );
    const url = `https://127.0.0.1:${listenerPort}`;
    const web = certificates.get('shop', 'web');
    const allowed = await request(url, { tls: { caPath: certificates.caCertPath, certPath: web.certPath, keyPath: web.keyPath } });
    expect(allowed.upstream).toBe('reviews-v1');

    const intruder = certificates.get('other', 'intruder');
    await expect(request(url, { tls: { caPath: certificates.caCertPath, certPath: intruder.certPath, keyPath: intruder.keyPath } })).rejects.toThrow();
    await expect(request(url, { tls: { caPath: certificates.caCertPath } })).rejects.toThrow();
    expect(app.requestCount).toBe(1);
  });
});
