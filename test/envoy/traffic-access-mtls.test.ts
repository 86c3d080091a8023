// Access control over mutual TLS between real Envoys compiled by meshctl, with workload
// certificates carrying SPIFFE IDs, made at test time. The callee's sidecar checks the caller's
// certificate and applies the service's access rules to the identity in it: the allowed caller gets
// 200, a caller with a valid mesh identity that is not allowed gets 403. A client without a
// certificate is refused at the handshake under strict mTLS and let through under permissive
// (where the access rules still apply to it, as to any caller without an identity).
import { describe, expect, it } from 'vitest';
import type { MeshCertificates } from '../support/envoy-certificates.js';
import { meshDocument, outboundUrl, serviceDocument, sidecarPorts, sidecarSettings, type SidecarPorts, useMeshScenarios } from '../support/envoy-mesh.js';
import { request, sendRequests, tally } from '../support/envoy-traffic.js';
import type { Upstream } from '../support/envoy-upstreams.js';

const scenario = useMeshScenarios('access-mtls');

function certificatesOf(certificates: MeshCertificates, serviceAccount: string): Record<string, string> {
  const issued = certificates.get('shop', serviceAccount);
  return { certChain: issued.certPath, privateKey: issued.keyPath, trustedCa: certificates.caCertPath };
}

interface AccessScenario {
  readonly certificates: MeshCertificates;
  readonly ports: Record<'web' | 'intruder' | 'reviews', SidecarPorts>;
  readonly app: Upstream;
}

/**
 * Callers web and intruder, each with its own mesh identity, and reviews, which allows web (except
 * under /admin/) and opens /public/ to anyone. All three sidecars run.
 */
async function startAccessScenario(mtls: 'strict' | 'permissive'): Promise<AccessScenario> {
  const certificates = scenario().certificates([
    { namespace: 'shop', serviceAccount: 'web' },
    { namespace: 'shop', serviceAccount: 'intruder' },
    { namespace: 'shop', serviceAccount: 'reviews' },
  ]);
  const ports = { web: await sidecarPorts(), intruder: await sidecarPorts(), reviews: await sidecarPorts() };
  const app = await scenario().startApp('reviews', 'v1');
  const callerDocument = (name: 'web' | 'intruder') =>
    serviceDocument('shop', name, {
      ports: [{ name: 'http', port: 8080, protocol: 'http' }],
      envoy: sidecarSettings(ports[name], { certificates: certificatesOf(certificates, name) }),
      dependsOn: ['reviews'],
    });
  scenario().writeMesh([
    meshDocument({ mtls }),
    callerDocument('web'),
    callerDocument('intruder'),
    serviceDocument('shop', 'reviews', {
      ports: [{ name: 'http', port: 9080, targetPort: app.port, protocol: 'http' }],
      envoy: sidecarSettings(ports.reviews, { certificates: certificatesOf(certificates, 'reviews') }),
      endpoints: [{ address: '127.0.0.1' }],
      access: {
        allow: [{ from: { services: ['web'] } }, { from: { anyone: true }, to: { paths: ['/public/*'] } }],
        deny: [{ from: { services: ['web'] }, to: { paths: ['/admin/*'] } }],
      },
    }),
  ]);
  await scenario().compile();
  await scenario().startProxy({ namespace: 'shop', name: 'reviews' });
  await scenario().startProxy({ namespace: 'shop', name: 'web' });
  await scenario().startProxy({ namespace: 'shop', name: 'intruder' });
  return { certificates, ports, app };
}

/** What the mesh's own callers get: the same under strict and permissive. */
async function expectMeshCallersJudgedByIdentity({ certificates, ports }: AccessScenario): Promise<void> {
  // The allowed caller: mutual TLS between the sidecars, and the access rules let it in.
  const allowed = await sendRequests(outboundUrl(ports.web), { count: 10, path: '/reviews/1', headers: { host: 'reviews' } });
  expect(tally(allowed, (reply) => reply.upstream)).toEqual({ 'reviews-v1': 10 });
  // The callee's sidecar tells the app who called, from the certificate it verified.
  expect(allowed[0]!.json?.headers?.['x-forwarded-client-cert']).toContain(`URI=${certificates.get('shop', 'web').spiffeId}`);
  // A deny rule wins over the allow rule for the same caller.
  expect((await request(outboundUrl(ports.web), { path: '/admin/settings', headers: { host: 'reviews' } })).status).toBe(403);
  // Another identity of the same mesh: the TLS handshake succeeds, the access rules say no...
  const denied = await sendRequests(outboundUrl(ports.intruder), { count: 5, path: '/reviews/1', headers: { host: 'reviews' } });
  expect(tally(denied, (reply) => reply.status)).toEqual({ 403: 5 });
  // ...except where they open a path to anyone.
  expect((await request(outboundUrl(ports.intruder), { path: '/public/logo', headers: { host: 'reviews' } })).upstream).toBe('reviews-v1');
}

describe('access control with mutual TLS', () => {
  it('strict: the allowed caller gets 200, another identity 403, and a client without a certificate is refused', async () => {
    const access = await startAccessScenario('strict');
    const { certificates, ports, app } = access;
    await expectMeshCallersJudgedByIdentity(access);
    expect(app.requestCount).toBe(11);

    // A client without a certificate, or without TLS at all, does not get through, even to the
    // public path.
    const inbound = `https://127.0.0.1:${ports.reviews.inbound}`;
    await expect(request(inbound, { path: '/public/logo', tls: { caPath: certificates.caCertPath } })).rejects.toThrow(/certificate required|handshake|socket hang up|ECONNRESET/i);
    await expect(request(`http://127.0.0.1:${ports.reviews.inbound}`, { path: '/public/logo' })).rejects.toThrow();
    // The same client with a mesh certificate is let in: the refusal above is about the certificate.
    const web = certificates.get('shop', 'web');
    const withCertificate = await request(inbound, { path: '/public/logo', tls: { caPath: certificates.caCertPath, certPath: web.certPath, keyPath: web.keyPath } });
    expect(withCertificate.upstream).toBe('reviews-v1');
    expect(app.requestCount).toBe(12);
  });

  it('permissive: a client without a certificate is let through, over TLS or plain text, and judged as a caller without identity', async () => {
    const access = await startAccessScenario('permissive');
    const { certificates, ports } = access;
    await expectMeshCallersJudgedByIdentity(access);

    const inbound = `https://127.0.0.1:${ports.reviews.inbound}`;
    const anonymousTls = await request(inbound, { path: '/public/logo', tls: { caPath: certificates.caCertPath } });
    expect(anonymousTls.upstream).toBe('reviews-v1');
    const anonymousPlain = await request(`http://127.0.0.1:${ports.reviews.inbound}`, { path: '/public/logo' });
    expect(anonymousPlain.upstream).toBe('reviews-v1');
    // Let through the handshake, not past the access rules: only the public path is open to it.
    expect((await request(inbound, { path: '/reviews/1', tls: { caPath: certificates.caCertPath } })).status).toBe(403);
    expect((await request(`http://127.0.0.1:${ports.reviews.inbound}`, { path: '/reviews/1' })).status).toBe(403);
  });
});
