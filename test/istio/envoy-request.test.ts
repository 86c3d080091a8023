// The request evaluator that reads both sides of the differential: Envoy's own matching rules on
// small configurations whose answer is known, so that an evaluator bug cannot make two different
// configurations look alike.
import { describe, expect, it } from 'vitest';
import { inboundAccess, meaningOf, sampleForRegex } from '../support/envoy-differential.js';
import { accessDecision, routeRequest, selectFilterChain, type Json } from '../support/envoy-request.js';

const routeConfig: Json = {
  name: 'test',
  virtual_hosts: [
    { name: 'wildcard', domains: ['*.example.com'], routes: [{ name: 'w', match: { prefix: '/' }, route: { cluster: 'wild' } }] },
    { name: 'catch-all', domains: ['*'], routes: [{ name: 'c', match: { prefix: '/' }, route: { cluster: 'any' } }] },
    {
      name: 'reviews',
      domains: ['reviews.shop.svc.cluster.local:9080'],
      retry_policy: { retry_on: 'connect-failure', num_retries: 3 },
      routes: [
        { name: 'exact', match: { path: '/a', headers: [{ name: ':method', string_match: { exact: 'POST' } }] }, route: { cluster: 'outbound|9080|v2|reviews.shop.svc.cluster.local', timeout: '2s', retry_policy: { num_retries: 0 } } },
        {
          name: 'cookie',
          match: { prefix: '/', headers: [{ name: 'cookie', string_match: { safe_regex: { regex: '^(.*?;\\s*)?(beta)=(1)(;.*)?$' } } }] },
          route: { weighted_clusters: { clusters: [{ name: 'outbound|9080|v1|reviews.shop.svc.cluster.local', weight: 80 }, { name: 'outbound|9080|v2|reviews.shop.svc.cluster.local', weight: 20 }] } },
        },
        { name: 'absent', match: { prefix: '/', headers: [{ name: 'x-debug', present_match: true, invert_match: true }] }, route: { cluster: 'outbound|9080|v1|reviews.shop.svc.cluster.local' } },
        { name: 'rest', match: { prefix: '/' }, route: { cluster: 'outbound|9080|v3|reviews.shop.svc.cluster.local' } },
      ],
    },
  ],
};

describe('routes', () => {
  it('picks the exact domain before wildcards, and "*" last', () => {
    expect(routeRequest(routeConfig, { authority: 'reviews.shop.svc.cluster.local:9080', path: '/', method: 'GET' })?.virtualHost).toBe('reviews');
    expect(routeRequest(routeConfig, { authority: 'shop.example.com', path: '/', method: 'GET' })?.virtualHost).toBe('wildcard');
    expect(routeRequest(routeConfig, { authority: 'reviews.shop.svc.cluster.local', path: '/', method: 'GET' })?.virtualHost).toBe('catch-all');
    expect(routeRequest({ ...routeConfig, ignore_port_in_host_matching: true }, { authority: 'shop.example.com:443', path: '/', method: 'GET' })?.virtualHost).toBe('wildcard');
  });

  it('takes the first route whose path, method and headers all match', () => {
    const at = (path: string, method: string, headers?: Record<string, string>) => routeRequest(routeConfig, { authority: 'reviews.shop.svc.cluster.local:9080', path, method, ...(headers ? { headers } : {}) })?.route;
    expect(at('/a', 'POST')).toBe('exact');
    expect(at('/a', 'GET', { cookie: 'beta=1' })).toBe('cookie');
    expect(at('/a', 'GET', { cookie: 'x=2; beta=1; y=3' })).toBe('cookie');
    expect(at('/a', 'GET', { cookie: 'beta=10' })).toBe('absent');
    expect(at('/a', 'GET', { 'x-debug': '1' })).toBe('rest');
  });

  it('reads weights as shares, the route retry policy before the virtual host one, and Envoy\'s default timeout', () => {
    const split = routeRequest(routeConfig, { authority: 'reviews.shop.svc.cluster.local:9080', path: '/', method: 'GET', headers: { cookie: 'beta=1' } })!;
    expect(split.clusters).toEqual([
      { name: 'outbound|9080|v1|reviews.shop.svc.cluster.local', share: 0.8 },
      { name: 'outbound|9080|v2|reviews.shop.svc.cluster.local', share: 0.2 },
    ]);
    expect(split.timeoutMs).toBe(15_000);
    expect(split.retry).toEqual({ attempts: 3, on: ['connect-failure'], statusCodes: [] });
    const exact = routeRequest(routeConfig, { authority: 'reviews.shop.svc.cluster.local:9080', path: '/a', method: 'POST' })!;
    expect(exact.retry).toEqual({ attempts: 0, on: [], statusCodes: [] });
    expect(meaningOf(exact)?.upstreams).toEqual(['reviews.shop.svc.cluster.local:9080/v2 100%']);
    // A route to a cluster the proxy does not have fails like no route.
    expect(meaningOf(exact, [{ name: 'outbound|9080|v1|reviews.shop.svc.cluster.local' }])).toBeUndefined();
  });

  it('builds a request for a regex match from its literal parts', () => {
    expect(sampleForRegex('^(.*?;\\s*)?(legacy_checkout)=(1)(;.*)?$')).toBe('legacy_checkout=1');
    expect(sampleForRegex('/[a-z]+/[0-9]+')).toBe('/a/0');
  });
});

const spiffe = (sa: string) => `spiffe://cluster.local/ns/shop/sa/${sa}`;

function rbac(action: 'ALLOW' | 'DENY' | undefined, policies: Record<string, Json>): Json {
  return { name: 'envoy.filters.http.rbac', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC', rules: { ...(action ? { action } : {}), policies } } };
}

function chainWith(httpFilters: Json[]): Json {
  return {
    filters: [{ name: 'envoy.filters.network.http_connection_manager', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.network.http_connection_manager.v3.HttpConnectionManager', http_filters: httpFilters } }],
  };
}

describe('RBAC', () => {
  const storefrontReads = {
    permissions: [{ and_rules: { rules: [{ header: { name: ':method', string_match: { exact: 'GET' } } }, { url_path: { path: { prefix: '/reviews/' } } }] } }],
    principals: [{ authenticated: { principal_name: { exact: spiffe('storefront') } } }],
  };
  const chain = chainWith([
    rbac('DENY', { internal: { permissions: [{ url_path: { path: { prefix: '/reviews/internal/' } } }], principals: [{ any: true }] } }),
    rbac(undefined, { reads: storefrontReads }),
  ]);
  const request = (method: string, path: string) => ({ authority: 'reviews', method, path });

  it('allows only what an ALLOW policy matches, and DENY wins', () => {
    expect(accessDecision(chain, { principal: spiffe('storefront') }, 9080, request('GET', '/reviews/1')).allowed).toBe(true);
    expect(accessDecision(chain, { principal: spiffe('storefront') }, 9080, request('POST', '/reviews/1')).allowed).toBe(false);
    expect(accessDecision(chain, { principal: spiffe('stranger') }, 9080, request('GET', '/reviews/1')).allowed).toBe(false);
    expect(accessDecision(chain, { principal: spiffe('storefront') }, 9080, request('GET', '/reviews/internal/x')).allowed).toBe(false);
    expect(accessDecision(chain, {}, 9080, request('GET', '/reviews/1')).allowed).toBe(false);
  });

  it('an ALLOW filter without policies allows nothing; a filter without rules allows everything', () => {
    expect(accessDecision(chainWith([rbac('ALLOW', {})]), { principal: spiffe('storefront') }, 9080, request('GET', '/')).allowed).toBe(false);
    expect(accessDecision(chainWith([{ name: 'envoy.filters.http.rbac', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.filters.http.rbac.v3.RBAC' } }]), {}, 9080, request('GET', '/')).allowed).toBe(true);
  });

  it('reads JWT claims from either side\'s metadata, and a JWT filter requirement', () => {
    const claim = (key: string) => ({ metadata: { filter: 'envoy.filters.http.jwt_authn', path: [{ key }, { key: 'roles' }], value: { list_match: { one_of: { string_match: { exact: 'admin' } } } } } });
    for (const key of ['payload', 'jwt_payload']) {
      const withClaim = chainWith([rbac('ALLOW', { admins: { permissions: [{ any: true }], principals: [claim(key)] } })]);
      expect(accessDecision(withClaim, { jwtClaims: { iss: 'https://idp', roles: ['admin'] } }, 80, request('GET', '/')).allowed).toBe(true);
      expect(accessDecision(withClaim, { jwtClaims: { iss: 'https://idp', roles: ['user'] } }, 80, request('GET', '/')).allowed).toBe(false);
    }
    const jwt = {
      name: 'envoy.filters.http.jwt_authn',
      typed_config: {
        '@type': 'type.googleapis.com/envoy.extensions.filters.http.jwt_authn.v3.JwtAuthentication',
        providers: { idp: { issuer: 'https://idp' } },
        rules: [{ match: { prefix: '/' }, requires: { provider_name: 'idp' } }],
      },
    };
    expect(accessDecision(chainWith([jwt]), {}, 80, request('GET', '/')).allowed).toBe(false);
    expect(accessDecision(chainWith([jwt]), { jwtClaims: { iss: 'https://idp' } }, 80, request('GET', '/')).allowed).toBe(true);
    expect(accessDecision(chainWith([jwt]), { jwtClaims: { iss: 'https://other' } }, 80, request('GET', '/')).allowed).toBe(false);
  });
});

describe('filter chains', () => {
  const tls = { name: 'envoy.transport_sockets.tls', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.transport_sockets.tls.v3.DownstreamTlsContext', require_client_certificate: true } };
  const permissive: Json = {
    filter_chains: [
      { filter_chain_match: { destination_port: 8080, transport_protocol: 'tls' }, transport_socket: tls, filters: [] },
      { filter_chain_match: { destination_port: 8080, transport_protocol: 'raw_buffer' }, filters: [] },
      { filter_chain_match: { destination_port: 9090, transport_protocol: 'tls' }, transport_socket: tls, filters: [] },
    ],
  };

  it('takes the most specific chain for port and transport, and none where no chain fits', () => {
    expect(selectFilterChain(permissive, { destinationPort: 8080, transportProtocol: 'raw_buffer' })).toBe((permissive.filter_chains as Json[])[1]);
    expect(selectFilterChain(permissive, { destinationPort: 9090, transportProtocol: 'raw_buffer' })).toBeUndefined();
  });

  it('a TLS chain refuses plain text and, requiring a client certificate, a peer without one', () => {
    const strictOnly: Json = { filter_chains: [{ transport_socket: tls, filters: [] }] };
    expect(inboundAccess(strictOnly, { destinationPort: 8080, transportProtocol: 'raw_buffer' }, {}, 8080).accepted).toBe(false);
    expect(inboundAccess(strictOnly, { destinationPort: 8080, transportProtocol: 'tls' }, {}, 8080).accepted).toBe(false);
    expect(inboundAccess(strictOnly, { destinationPort: 8080, transportProtocol: 'tls' }, { principal: spiffe('storefront') }, 8080)).toEqual({ accepted: true, allowed: true });
  });
});
