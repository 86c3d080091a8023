// JWT authentication on a service's inbound chain: the mesh's providers the service names, as
// Envoy's jwt_authn filter. `required: true` requires a valid token from one of them (a request
// without one gets 401); `required: false` also lets requests without a token through, but still
// refuses invalid tokens (Istio's RequestAuthentication). The verified payload is written to the
// filter's metadata, where the RBAC filter reads claims.
//
// A remote JWKS is fetched through a cluster of its own (TLS for https, checked against the
// external CA bundle). A provider with neither jwksUri nor jwks uses the issuer's
// `/.well-known/jwks.json`, the OpenID Connect convention Istio's discovery also ends at.
import type { MeshModel, ServiceNode } from '../../model/mesh-model.js';
import { upstreamCluster, type ClusterSet } from './clusters.js';
import { JWT_PAYLOAD_METADATA_KEY } from './rbac.js';
import { isIpAddress, type MeshProxySettings } from './settings.js';
import { originationTls } from './tls.js';
import { EnvoyCompileError, JWT_FILTER, JWT_TYPE, typedFilter, type Json } from './types.js';

const JWKS_FETCH_TIMEOUT = '5s';
const JWKS_CACHE_DURATION = '300s';

export function jwtFilter(model: MeshModel, service: ServiceNode, mesh: MeshProxySettings, clusters: ClusterSet): Json | undefined {
  const jwt = service.resource.spec.authentication?.jwt;
  if (!jwt) return undefined;
  const providers: Record<string, Json> = {};
  for (const name of [...new Set(jwt.providers)]) {
    const provider = model.settings.jwtProviders?.[name];
    if (!provider) continue;
    const out: Json = { issuer: provider.issuer };
    if (provider.audiences?.length) out.audiences = [...provider.audiences];
    if (provider.jwks !== undefined && provider.jwksUri === undefined) {
      out.local_jwks = { inline_string: provider.jwks };
    } else {
      const uri = provider.jwksUri ?? `${provider.issuer.replace(/\/+$/, '')}/.well-known/jwks.json`;
      out.remote_jwks = { http_uri: { uri, cluster: jwksCluster(uri, mesh, clusters), timeout: JWKS_FETCH_TIMEOUT }, cache_duration: JWKS_CACHE_DURATION };
    }
    if (provider.fromHeaders?.length) {
      out.from_headers = provider.fromHeaders.map((header) => ({ name: header.name, ...(header.prefix !== undefined ? { value_prefix: header.prefix } : {}) }));
    }
    if (provider.forwardOriginalToken) out.forward = true;
    out.payload_in_metadata = JWT_PAYLOAD_METADATA_KEY;
    providers[name] = out;
  }
  const names = Object.keys(providers);
  if (names.length === 0) return undefined;
  const requirements: Json[] = names.map((name) => ({ provider_name: name }));
  if (!jwt.required) requirements.push({ allow_missing: {} });
  const requires = requirements.length === 1 ? requirements[0]! : { requires_any: { requirements } };
  return typedFilter(JWT_FILTER, JWT_TYPE, { providers, rules: [{ match: { prefix: '/' }, requires }] });
}

function jwksCluster(uri: string, mesh: MeshProxySettings, clusters: ClusterSet): string {
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    // Reached only when MESH518 was lowered below error: say what cannot be compiled.
    throw new EnvoyCompileError(`JWKS URI "${uri}" is not a URL: the Envoy target needs a jwksUri (or jwks) for this JWT provider (MESH518)`);
  }
  const https = url.protocol === 'https:';
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const port = url.port !== '' ? Number(url.port) : https ? 443 : 80;
  const name = `jwks|${host}|${port}`;
  if (clusters.has(name)) return name;
  const tls = https && !isIpAddress(host) ? originationTls(host, mesh.externalCa) : undefined;
  return clusters.add(name, upstreamCluster(name, [{ address: host, port }], { loadBalancer: { kind: 'round-robin' } }, tls ? { transportSocket: tls } : {}));
}
