// Transport sockets: the mesh's mutual TLS between proxies (each presents its workload's SPIFFE
// certificate and checks the peer's), and TLS origination to external services. Type URLs and
// field names are Envoy v3's, as its protos spell them.
import type { Certificates } from './settings.js';
import type { Json } from './types.js';

export const TLS_TRANSPORT_SOCKET = 'envoy.transport_sockets.tls';
const UPSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.UpstreamTlsContext';
const DOWNSTREAM_TLS = 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext';

function identity(certificates: Certificates): Json {
  return { certificate_chain: { filename: certificates.certChain }, private_key: { filename: certificates.privateKey } };
}

/** A SPIFFE ID prefix as the URI SAN matcher of a peer certificate. */
export function spiffeSanMatchers(ids: readonly string[]): Json[] {
  return ids.map((id) => ({ san_type: 'URI', matcher: { exact: id } }));
}

/** mTLS to a mesh peer: our identity, the mesh's CA, and the peer's SPIFFE IDs. */
export function meshUpstreamTls(certificates: Certificates, sni: string, peerIds: readonly string[], alpn?: readonly string[]): Json {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: {
      '@type': UPSTREAM_TLS,
      sni,
      common_tls_context: {
        tls_certificates: [identity(certificates)],
        validation_context: { trusted_ca: { filename: certificates.trustedCa }, match_typed_subject_alt_names: spiffeSanMatchers(peerIds) },
        ...(alpn && alpn.length > 0 ? { alpn_protocols: [...alpn] } : {}),
      },
    },
  };
}

/** TLS origination to an external service: its certificate must name the SNI host and chain to the CA bundle. */
export function originationTls(sni: string, trustedCa: string, alpn?: readonly string[]): Json {
  const dnsName = sni.startsWith('*.') ? { suffix: sni.slice(1) } : { exact: sni };
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: {
      '@type': UPSTREAM_TLS,
      sni,
      common_tls_context: {
        validation_context: { trusted_ca: { filename: trustedCa }, match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: dnsName }] },
        ...(alpn && alpn.length > 0 ? { alpn_protocols: [...alpn] } : {}),
      },
    },
  };
}

/**
 * The server side of the mesh's mTLS. `requireClientCertificate` is strict mode: peers must chain
 * to the mesh CA and carry a SPIFFE ID of the mesh's trust domain. In permissive mode a client
 * certificate that is sent must still chain to the mesh CA, but there is no SAN matcher: Envoy
 * demands a client certificate whenever SAN matchers are configured, whatever
 * `require_client_certificate` says, which would refuse TLS clients without one. Which identities
 * may do what is the RBAC filter's job.
 */
export function meshDownstreamTls(certificates: Certificates, trustDomain: string, requireClientCertificate: boolean, alpn?: readonly string[]): Json {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: {
      '@type': DOWNSTREAM_TLS,
      require_client_certificate: requireClientCertificate,
      common_tls_context: {
        tls_certificates: [identity(certificates)],
        validation_context: {
          trusted_ca: { filename: certificates.trustedCa },
          ...(requireClientCertificate ? { match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { prefix: `spiffe://${trustDomain}/` } }] } : {}),
        },
        ...(alpn && alpn.length > 0 ? { alpn_protocols: [...alpn] } : {}),
      },
    },
  };
}

/** A gateway's TLS termination with a credential's certificate; `clientCa` for mutual TLS. */
export function gatewayDownstreamTls(certChain: string, privateKey: string, clientCa: string | undefined, alpn?: readonly string[]): Json {
  return {
    name: TLS_TRANSPORT_SOCKET,
    typed_config: {
      '@type': DOWNSTREAM_TLS,
      ...(clientCa ? { require_client_certificate: true } : {}),
      common_tls_context: {
        tls_certificates: [{ certificate_chain: { filename: certChain }, private_key: { filename: privateKey } }],
        ...(clientCa ? { validation_context: { trusted_ca: { filename: clientCa } } } : {}),
        ...(alpn && alpn.length > 0 ? { alpn_protocols: [...alpn] } : {}),
      },
    },
  };
}
