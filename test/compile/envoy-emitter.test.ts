// The Envoy target, feature by feature: what the bootstraps compiled from small meshes contain.
// Whether Envoy accepts them is envoy-validate.test.ts's job; whether it obeys them, the traffic
// tests' (test/envoy/).
import { describe, expect, it } from 'vitest';
import { compileEnvoy, type EnvoyConfig } from '../../src/index.js';
import { APPLICATIONS_ON_SERVICE_PORTS } from '../helpers/istio-shaped-meshes.js';
import { validateText } from '../helpers/validate-text.js';

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const HEADER = 'apiVersion: meshctl.dev/v1alpha1\n';

function compileYaml(yaml: string, options = {}): EnvoyConfig[] {
  const result = validateText(yaml, 'mesh.yaml', APPLICATIONS_ON_SERVICE_PORTS);
  expect(result.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  return compileEnvoy(result.model, options);
}

function config(configs: EnvoyConfig[], path: string): Json {
  const found = configs.find((candidate) => candidate.path === path);
  if (!found) throw new Error(`no config ${path}; have ${configs.map((c) => c.path).join(', ')}`);
  return found.bootstrap as Json;
}

const listener = (bootstrap: Json, name: string): Json => bootstrap.static_resources.listeners.find((l: Json) => l.name === name);
const cluster = (bootstrap: Json, name: string): Json => bootstrap.static_resources.clusters.find((c: Json) => c.name === name);
const hcm = (l: Json, chain = 0): Json => l.filter_chains[chain].filters[0].typed_config;
const virtualHost = (bootstrap: Json, name: string): Json => hcm(listener(bootstrap, 'outbound_http')).route_config.virtual_hosts.find((v: Json) => v.name === name);

const SHOP = `${HEADER}kind: Mesh
metadata: {name: test}
spec:
  mtls: disabled
---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 8080, targetPort: 18080, protocol: http}]
  dependsOn: [reviews]
  envoy: {outboundPort: 15501, adminPort: 15500, inboundPorts: {http: 28080}}
---
${HEADER}kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
  versions:
    v1:
      labels: {version: v1}
      endpoints: [{address: 127.0.0.1, ports: {http: 19081}}]
    v2:
      labels: {version: v2}
      endpoints: [{address: reviews-v2.example.internal}]
    shadow:
      labels: {version: shadow}
      endpoints: [{address: 127.0.0.2}]
  canary: {stable: v1, canary: v2, weight: 20}
  abTest:
    cohort: {cookie: {name: beta, value: "yes"}}
    variant: v2
  routes:
    - name: slow
      match: {path: {exact: /slow}, methods: [GET], headers: {x-test: {prefix: a}}, query: {q: {present: true}}}
      timeout: 250ms
      retries: {attempts: 3, perTryTimeout: 100ms, on: [5xx, "503"]}
      fault: {abort: {status: 418, percent: 50}, delay: {duration: 1s, percent: 0.5}}
      mirror: {version: shadow, percent: 10}
      headers: {request: {set: {x-a: "1"}, add: {x-b: "2"}, remove: [x-c]}}
      cors: {allowOrigins: [https://shop.example.com], allowMethods: [GET], maxAge: 1m}
    - name: once
      retries: {attempts: 0}
  resilience:
    loadBalancer: {consistentHash: {header: x-user}}
    circuitBreaker: {maxConnections: 10, maxRequestsPerConnection: 5, connectTimeout: 2s}
    outlierDetection: {consecutive5xx: 2, interval: 1s, baseEjectionTime: 5s, maxEjectionPercent: 100}
`;

describe('sidecar bootstraps', () => {
  const configs = compileYaml(SHOP);

  it('writes one config per workload, paths <namespace>/<service>[-<version>].yaml, sorted', () => {
    expect(configs.map((c) => c.path)).toEqual(['shop/reviews-shadow.yaml', 'shop/reviews-v1.yaml', 'shop/reviews-v2.yaml', 'shop/web.yaml']);
    expect(configs[1]).toMatchObject({ kind: 'sidecar', namespace: 'shop', name: 'reviews', version: 'v1' });
  });

  it('has only static resources, admin on loopback, a node id and cluster', () => {
    const web = config(configs, 'shop/web.yaml');
    expect(Object.keys(web)).toEqual(['node', 'admin', 'static_resources']);
    expect(web.admin).toEqual({ address: { socket_address: { address: '127.0.0.1', port_value: 15500 } } });
    expect(web.node).toMatchObject({ id: 'web.shop', cluster: 'web.shop' });
  });

  it('listens inbound on the configured port and forwards to the app on its targetPort', () => {
    const web = config(configs, 'shop/web.yaml');
    const inbound = listener(web, 'inbound_8080');
    expect(inbound.address.socket_address).toEqual({ address: '0.0.0.0', port_value: 28080 });
    expect(inbound.filter_chains).toHaveLength(1);
    expect(inbound.filter_chains[0].transport_socket).toBeUndefined();
    expect(hcm(inbound).http_filters.map((f: Json) => f.name)).toEqual(['envoy.filters.http.router']);
    expect(cluster(web, 'inbound|8080||').load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 18080 });
  });

  it('answers for a dependency by its short, namespaced and full names, with and without port', () => {
    const web = config(configs, 'shop/web.yaml');
    expect(listener(web, 'outbound_http').address.socket_address).toEqual({ address: '127.0.0.1', port_value: 15501 });
    expect(virtualHost(web, 'shop/reviews:9080').domains).toEqual([
      'reviews',
      'reviews.shop',
      'reviews.shop.svc',
      'reviews.shop.svc.cluster.local',
      'reviews:9080',
      'reviews.shop:9080',
      'reviews.shop.svc:9080',
      'reviews.shop.svc.cluster.local:9080',
    ]);
  });

  it('puts the A/B cohort routes first and splits the rest 80/20', () => {
    const routes = virtualHost(config(configs, 'shop/web.yaml'), 'shop/reviews:9080').routes;
    expect(routes.map((r: Json) => r.name)).toEqual(['slow-cohort', 'slow', 'once-cohort', 'once']);
    const cohort = routes[0];
    expect(cohort.route.cluster).toBe('outbound|9080|v2|reviews.shop.svc.cluster.local');
    expect(cohort.match.headers).toContainEqual({ name: 'cookie', string_match: { safe_regex: { regex: '^(.*?;\\s*)?(beta)=(yes)(;.*)?$' } } });
    expect(routes[1].route.weighted_clusters.clusters).toEqual([
      { name: 'outbound|9080|v1|reviews.shop.svc.cluster.local', weight: 80 },
      { name: 'outbound|9080|v2|reviews.shop.svc.cluster.local', weight: 20 },
    ]);
  });

  it('matches path, method, headers and query parameters', () => {
    const slow = virtualHost(config(configs, 'shop/web.yaml'), 'shop/reviews:9080').routes[1];
    expect(slow.match).toEqual({
      path: '/slow',
      headers: [
        { name: ':method', string_match: { exact: 'GET' } },
        { name: 'x-test', string_match: { prefix: 'a' } },
      ],
      query_parameters: [{ name: 'q', present_match: true }],
    });
  });

  it('carries timeout, retries, fault, mirror, header changes, CORS and the hash policy', () => {
    const slow = virtualHost(config(configs, 'shop/web.yaml'), 'shop/reviews:9080').routes[1];
    expect(slow.route).toMatchObject({
      timeout: '0.25s',
      retry_policy: { retry_on: '5xx,retriable-status-codes', num_retries: 3, per_try_timeout: '0.1s', retriable_status_codes: [503] },
      request_mirror_policies: [{ cluster: 'outbound|9080|shadow|reviews.shop.svc.cluster.local', runtime_fraction: { default_value: { numerator: 10, denominator: 'HUNDRED' } } }],
      hash_policy: [{ header: { header_name: 'x-user' } }],
    });
    expect(slow.typed_per_filter_config['envoy.filters.http.fault']).toMatchObject({
      abort: { http_status: 418, percentage: { numerator: 50, denominator: 'HUNDRED' } },
      delay: { fixed_delay: '1s', percentage: { numerator: 5000, denominator: 'MILLION' } },
    });
    expect(slow.typed_per_filter_config['envoy.filters.http.cors']).toMatchObject({ allow_origin_string_match: [{ exact: 'https://shop.example.com' }], allow_methods: 'GET', max_age: '60' });
    expect(slow.request_headers_to_add).toEqual([
      { header: { key: 'x-a', value: '1' }, append_action: 'OVERWRITE_IF_EXISTS_OR_ADD' },
      { header: { key: 'x-b', value: '2' }, append_action: 'APPEND_IF_EXISTS_OR_ADD' },
    ]);
    expect(slow.request_headers_to_remove).toEqual(['x-c']);
    const once = virtualHost(config(configs, 'shop/web.yaml'), 'shop/reviews:9080').routes[3];
    expect(once.route.retry_policy).toBeUndefined();
    expect(once.route.timeout).toBe('0s');
  });

  it('retries as pilot does: no retriable status code by default (a 503 is not retried), the same host under a consistent hash', () => {
    const web = config(configs, 'shop/web.yaml');
    const itself = virtualHost(web, 'shop/web:8080').routes[0];
    expect(itself.route.retry_policy).toEqual({
      retry_on: 'connect-failure,refused-stream,unavailable,cancelled,retriable-status-codes',
      num_retries: 2,
      retry_host_predicate: [{ name: 'envoy.retry_host_predicates.previous_hosts', typed_config: { '@type': 'type.googleapis.com/envoy.extensions.retry.host.previous_hosts.v3.PreviousHostsPredicate' } }],
      host_selection_retry_max_attempts: 5,
    });
    const routes = virtualHost(web, 'shop/reviews:9080').routes;
    // One hashed destination (the cohort's v2): pilot leaves out the previous-hosts predicate.
    expect(routes[0].route.hash_policy).toBeDefined();
    expect(routes[0].route.retry_policy.retry_host_predicate).toBeUndefined();
    // A split is not hashed by pilot's retry policy: the predicate stays.
    expect(routes[1].route.weighted_clusters).toBeDefined();
    expect(routes[1].route.retry_policy.retry_host_predicate).toHaveLength(1);
  });

  it('builds only the clusters its routes use: static IPs, DNS names, resilience', () => {
    const web = config(configs, 'shop/web.yaml');
    expect(web.static_resources.clusters.map((c: Json) => c.name)).toEqual([
      'inbound|8080||',
      // itself: meshctl always lets a service call itself
      'outbound|8080||web.shop.svc.cluster.local',
      'outbound|9080|shadow|reviews.shop.svc.cluster.local',
      'outbound|9080|v1|reviews.shop.svc.cluster.local',
      'outbound|9080|v2|reviews.shop.svc.cluster.local',
    ]);
    const v1 = cluster(web, 'outbound|9080|v1|reviews.shop.svc.cluster.local');
    expect(v1).toMatchObject({
      type: 'STATIC',
      connect_timeout: '2s',
      lb_policy: 'RING_HASH',
      circuit_breakers: { thresholds: [{ max_connections: 10 }] },
      outlier_detection: { consecutive_5xx: 2, enforcing_consecutive_5xx: 100, interval: '1s', base_ejection_time: '5s', max_ejection_percent: 100 },
    });
    expect(v1.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: '127.0.0.1', port_value: 19081 });
    expect(v1.typed_extension_protocol_options['envoy.extensions.upstreams.http.v3.HttpProtocolOptions'].common_http_protocol_options).toEqual({ max_requests_per_connection: 5 });
    expect(v1.transport_socket).toBeUndefined();
    const v2 = cluster(web, 'outbound|9080|v2|reviews.shop.svc.cluster.local');
    expect(v2.type).toBe('STRICT_DNS');
    expect(v2.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: 'reviews-v2.example.internal', port_value: 9080 });
  });

  it("gives every cluster Istio's unlimited circuit-breaker thresholds, a declared breaker overriding field by field", () => {
    const web = config(configs, 'shop/web.yaml');
    const unlimited = 4294967295;
    // Envoy's own default of 3 concurrent retries per cluster would turn retried requests into 503s.
    expect(cluster(web, 'outbound|8080||web.shop.svc.cluster.local').circuit_breakers).toEqual({
      thresholds: [{ max_connections: unlimited, max_pending_requests: unlimited, max_requests: unlimited, max_retries: unlimited, track_remaining: true }],
    });
    expect(cluster(web, 'inbound|8080||').circuit_breakers.thresholds[0].max_retries).toBe(unlimited);
    expect(cluster(web, 'outbound|9080|v1|reviews.shop.svc.cluster.local').circuit_breakers).toEqual({
      thresholds: [{ max_connections: 10, max_pending_requests: unlimited, max_requests: unlimited, max_retries: unlimited, track_remaining: true }],
    });
  });

  it('is deterministic', () => {
    expect(JSON.stringify(compileYaml(SHOP))).toBe(JSON.stringify(configs));
  });
});

describe("the application's own ports", () => {
  // feed's sidecar moved off its service port, where its application still listens; web's
  // application listens on 7001, the port of one of its TCP dependencies.
  const yaml = `${HEADER}kind: Mesh
metadata: {name: test}
spec:
  mtls: disabled
---
${HEADER}kind: Service
metadata: {name: feed, namespace: shop}
spec:
  ports: [{name: stream, port: 7000, protocol: tcp}]
  envoy: {inboundPorts: {stream: 17000}}
---
${HEADER}kind: Service
metadata: {name: ledger, namespace: shop}
spec:
  ports: [{name: stream, port: 7001, protocol: tcp}]
---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{name: http, port: 8080, targetPort: 7001, protocol: http}]
  dependsOn: [feed, ledger]
`;
  const configs = compileYaml(yaml);

  it('get no outbound listener: the application already listens there', () => {
    const feed = config(configs, 'shop/feed.yaml');
    expect(feed.static_resources.listeners.map((l: Json) => [l.name, l.address.socket_address])).toEqual([['inbound_7000', { address: '0.0.0.0', port_value: 17000 }]]);
    const web = config(configs, 'shop/web.yaml');
    expect(web.static_resources.listeners.map((l: Json) => l.name)).toEqual(['inbound_8080', 'outbound_http', 'outbound_tcp_shop_feed_7000']);
  });

  it('leave unreachable exactly what MESH235 reports: web cannot reach ledger; feed reaching itself is no conflict', () => {
    const reported = validateText(yaml).diagnostics.filter((d) => d.code === 'MESH235');
    expect(reported.map((d) => d.message)).toEqual([
      'the sidecar of web cannot reach ledger on port 7001: the application reaches TCP dependencies at 127.0.0.1:<port>, but it listens on port 7001 itself (its port "http"), so no listener is written for ledger and 127.0.0.1:7001 leads back to the application; give port "http" a targetPort other than 7001, or ledger another port',
    ]);
  });
});

const SECURE = `${HEADER}kind: Mesh
metadata: {name: test}
spec:
  mtls: strict
  access: deny-by-default
  trustDomain: example.org
  jwtProviders:
    idp: {issuer: https://idp.example.com, jwks: '{"keys":[]}'}
---
${HEADER}kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}, {port: 7000, protocol: tcp}]
  mtls: {mode: strict, ports: {"7000": permissive}}
  authentication: {jwt: {providers: [idp], required: true}}
  rateLimit: {local: {requests: 5, per: 1s}}
  access:
    allow:
      - from: {services: [web]}
        to: {methods: [GET], paths: [/api/*]}
      - from: {namespaces: [ops]}
        when: {claims: {role: admin}}
    deny:
      - to: {paths: [/admin]}
---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8081, protocol: http}]
  dependsOn: [api]
---
${HEADER}kind: Service
metadata: {name: closed, namespace: shop}
spec:
  ports: [{port: 8082, protocol: http}]
`;

describe('security', () => {
  const configs = compileYaml(SECURE, { certificateDirectory: '/certs' });
  const api = config(configs, 'shop/api.yaml');

  it('requires a client certificate under strict mTLS, with the mesh CA and trust domain', () => {
    const socket = listener(api, 'inbound_8080').filter_chains[0].transport_socket.typed_config;
    expect(socket.require_client_certificate).toBe(true);
    expect(socket.common_tls_context.tls_certificates).toEqual([{ certificate_chain: { filename: '/certs/cert-chain.pem' }, private_key: { filename: '/certs/key.pem' } }]);
    expect(socket.common_tls_context.validation_context).toEqual({
      trusted_ca: { filename: '/certs/root-cert.pem' },
      match_typed_subject_alt_names: [{ san_type: 'URI', matcher: { prefix: 'spiffe://example.org/' } }],
    });
  });

  it('accepts TLS and plain text on a permissive port', () => {
    const tcp = listener(api, 'inbound_7000');
    expect(tcp.listener_filters.map((f: Json) => f.name)).toEqual(['envoy.filters.listener.tls_inspector']);
    expect(tcp.filter_chains.map((c: Json) => c.filter_chain_match)).toEqual([{ transport_protocol: 'tls' }, { transport_protocol: 'raw_buffer' }]);
    const permissiveTls = tcp.filter_chains[0].transport_socket.typed_config;
    expect(permissiveTls.require_client_certificate).toBe(false);
    // A SAN matcher would make Envoy demand a client certificate whatever require_client_certificate says.
    expect(permissiveTls.common_tls_context.validation_context).toEqual({ trusted_ca: { filename: '/certs/root-cert.pem' } });
    expect(tcp.filter_chains[1].transport_socket).toBeUndefined();
    expect(tcp.filter_chains[0].filters.map((f: Json) => f.name)).toEqual(['envoy.filters.network.rbac.allow', 'envoy.filters.network.tcp_proxy']);
  });

  it('runs jwt_authn, rbac deny, rbac allow, local rate limit and router, in that order', () => {
    const filters = hcm(listener(api, 'inbound_8080')).http_filters;
    expect(filters.map((f: Json) => f.name)).toEqual([
      'envoy.filters.http.jwt_authn',
      'envoy.filters.http.rbac.deny',
      'envoy.filters.http.rbac.allow',
      'envoy.filters.http.local_ratelimit',
      'envoy.filters.http.router',
    ]);
    expect(filters[0].typed_config.rules).toEqual([{ match: { prefix: '/' }, requires: { provider_name: 'idp' } }]);
    expect(filters[3].typed_config).toMatchObject({
      token_bucket: { max_tokens: 5, tokens_per_fill: 5, fill_interval: '1s' },
      filter_enabled: { default_value: { numerator: 100, denominator: 'HUNDRED' } },
      filter_enforced: { default_value: { numerator: 100, denominator: 'HUNDRED' } },
    });
  });

  it('translates access rules into RBAC principals and permissions', () => {
    const filters = hcm(listener(api, 'inbound_8080')).http_filters;
    expect(filters[1].typed_config.rules).toEqual({ action: 'DENY', policies: { 'deny-0': { permissions: [{ url_path: { path: { exact: '/admin' } } }], principals: [{ any: true }] } } });
    const allow = filters[2].typed_config.rules;
    expect(allow.action).toBe('ALLOW');
    expect(allow.policies['allow-0']).toEqual({
      permissions: [{ and_rules: { rules: [{ url_path: { path: { prefix: '/api/' } } }, { header: { name: ':method', string_match: { exact: 'GET' } } }] } }],
      principals: [{ authenticated: { principal_name: { exact: 'spiffe://example.org/ns/shop/sa/web' } } }],
    });
    expect(allow.policies['allow-1'].principals).toEqual([{ authenticated: { principal_name: { safe_regex: { regex: 'spiffe://[^/]+/ns/ops/sa/[^/]+' } } } }]);
    expect(allow.policies['allow-1'].permissions[0].or_rules.rules[0]).toEqual({
      metadata: { filter: 'envoy.filters.http.jwt_authn', path: [{ key: 'jwt_payload' }, { key: 'role' }], value: { string_match: { exact: 'admin' } } },
    });
  });

  it('admits nobody to a service without allow rules in a deny-by-default mesh', () => {
    const closed = config(configs, 'shop/closed.yaml');
    const filters = hcm(listener(closed, 'inbound_8082')).http_filters;
    expect(filters.find((f: Json) => f.name === 'envoy.filters.http.rbac.allow').typed_config.rules).toEqual({ action: 'ALLOW', policies: {} });
  });

  it('calls mesh peers with mutual TLS, SNI and the peer SPIFFE ID', () => {
    const web = config(configs, 'shop/web.yaml');
    const socket = cluster(web, 'outbound|8080||api.shop.svc.cluster.local').transport_socket.typed_config;
    expect(socket.sni).toBe('outbound_.8080_._.api.shop.svc.cluster.local');
    expect(socket.common_tls_context.validation_context.match_typed_subject_alt_names).toEqual([{ san_type: 'URI', matcher: { exact: 'spiffe://example.org/ns/shop/sa/api' } }]);
  });

  it('uses the service account the pods run as (`serviceAccount`) for the peer SPIFFE ID and the callers it admits', () => {
    const accounts = compileYaml(`${HEADER}kind: Mesh
metadata: {name: test}
spec: {mtls: strict, trustDomain: example.org}
---
${HEADER}kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  serviceAccount: shop-api
  access:
    allow:
      - from: {services: [web]}
---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8081, protocol: http}]
  serviceAccount: shop-web
  dependsOn: [api]
`);
    const socket = cluster(config(accounts, 'shop/web.yaml'), 'outbound|8080||api.shop.svc.cluster.local').transport_socket.typed_config;
    expect(socket.common_tls_context.validation_context.match_typed_subject_alt_names).toEqual([{ san_type: 'URI', matcher: { exact: 'spiffe://example.org/ns/shop/sa/shop-api' } }]);
    const allow = hcm(listener(config(accounts, 'shop/api.yaml'), 'inbound_8080')).http_filters.find((f: Json) => f.name === 'envoy.filters.http.rbac.allow');
    expect(JSON.stringify(allow.typed_config.rules)).toContain('spiffe://example.org/ns/shop/sa/shop-web');
    expect(JSON.stringify(allow.typed_config.rules)).not.toContain('/sa/web"');
  });

  it('keeps the whole configuration scoped to what the workload calls', () => {
    const web = config(configs, 'shop/web.yaml');
    expect(web.static_resources.clusters.map((c: Json) => c.name)).toEqual([
      'inbound|8081||',
      'outbound|7000||api.shop.svc.cluster.local',
      'outbound|8080||api.shop.svc.cluster.local',
      'outbound|8081||web.shop.svc.cluster.local',
    ]);
    expect(web.static_resources.listeners.map((l: Json) => l.name)).toEqual(['inbound_8081', 'outbound_http', 'outbound_tcp_shop_api_7000']);
  });
});

describe('gateways and external services', () => {
  const configs = compileYaml(`${HEADER}kind: Mesh
metadata: {name: test}
spec:
  telemetry: {accessLog: {enabled: true, format: json, errorsOnly: true}}
---
${HEADER}kind: Gateway
metadata: {name: edge, namespace: ingress}
spec:
  envoy: {adminPort: 15900}
  listeners:
    - {port: 8443, protocol: https, hosts: [shop.example.com], tls: {mode: mutual, credentialName: shop-cert}}
---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  dependsOn: [payments]
  expose: [{gateway: ingress/edge, hosts: [shop.example.com], paths: [/shop]}]
---
${HEADER}kind: ExternalService
metadata: {name: payments, namespace: shop}
spec:
  hosts: [api.payments.example.com]
  ports: [{port: 80, targetPort: 443, protocol: http}]
  tls: {originate: true}
`);

  it('terminates mutual TLS with the listener credential and routes the exposed prefix', () => {
    const edge = config(configs, 'ingress/edge.yaml');
    expect(edge.admin.address.socket_address.port_value).toBe(15900);
    const gatewayListener = edge.static_resources.listeners[0];
    expect(gatewayListener.address.socket_address.port_value).toBe(8443);
    const tls = gatewayListener.filter_chains[0].transport_socket.typed_config;
    expect(tls.require_client_certificate).toBe(true);
    expect(tls.common_tls_context.tls_certificates[0].certificate_chain.filename).toBe('/etc/meshctl/gateway-credentials/shop-cert/tls.crt');
    expect(tls.common_tls_context.validation_context.trusted_ca.filename).toBe('/etc/meshctl/gateway-credentials/shop-cert/ca.crt');
    const host = gatewayListener.filter_chains[0].filters[0].typed_config.route_config.virtual_hosts[0];
    expect(host.domains).toEqual(['shop.example.com', 'shop.example.com:8443']);
    expect(host.routes[0].match).toEqual({ prefix: '/shop' });
    expect(host.routes[0].route.cluster).toBe('outbound|8080||web.shop.svc.cluster.local');
  });

  it('merges listeners on one port: HTTP ones by Host into one connection manager, TLS ones into chains by SNI', () => {
    const edge = config(
      compileYaml(`${HEADER}kind: Mesh
metadata: {name: test}
spec: {}
---
${HEADER}kind: Gateway
metadata: {name: edge, namespace: ingress}
spec:
  listeners:
    - {name: shop, port: 8080, protocol: http, hosts: [shop.example.com]}
    - {name: api, port: 8080, protocol: http, hosts: [api.example.com]}
    - {name: shop-tls, port: 8443, protocol: https, hosts: [shop.example.com], tls: {mode: simple, credentialName: shop-cert}}
    - {name: partners, port: 8443, protocol: https, hosts: ["*.partners.example.com"], tls: {mode: mutual, credentialName: partners-cert}}
    - {name: db, port: 8443, protocol: tls, hosts: [db.example.com], tls: {mode: passthrough}}
    - {name: admin, port: 9000, protocol: http, hosts: [admin.example.com]}
---
${HEADER}kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  expose: [{gateway: ingress/edge, hosts: [shop.example.com, api.example.com, acme.partners.example.com]}]
---
${HEADER}kind: Service
metadata: {name: db, namespace: shop}
spec:
  ports: [{port: 5432, protocol: tls}]
  expose: [{gateway: ingress/edge, hosts: [db.example.com]}]
`),
      'ingress/edge.yaml',
    );
    const listeners = edge.static_resources.listeners;
    expect(listeners.map((l: Json) => [l.name, l.address.socket_address.port_value])).toEqual([
      ['gateway_port_8080', 8080],
      ['gateway_port_8443', 8443],
      // alone on its port: named after the Gateway listener, as before
      ['gateway_admin_5', 9000],
    ]);
    const http = listeners[0];
    expect(http.filter_chains).toHaveLength(1);
    expect(hcm(http).route_config.virtual_hosts.map((v: Json) => v.domains)).toEqual([
      ['api.example.com', 'api.example.com:8080'],
      ['shop.example.com', 'shop.example.com:8080'],
    ]);
    const tls = listeners[1];
    expect(tls.listener_filters.map((f: Json) => f.name)).toEqual(['envoy.filters.listener.tls_inspector']);
    expect(tls.filter_chains.map((c: Json) => c.filter_chain_match)).toEqual([
      { server_names: ['shop.example.com'] },
      { server_names: ['*.partners.example.com'] },
      { server_names: ['db.example.com'] },
    ]);
    const [shop, partners, db] = tls.filter_chains;
    expect(shop.transport_socket.typed_config.common_tls_context.tls_certificates[0].certificate_chain.filename).toBe('/etc/meshctl/gateway-credentials/shop-cert/tls.crt');
    expect(shop.transport_socket.typed_config.require_client_certificate).toBeUndefined();
    expect(partners.transport_socket.typed_config.require_client_certificate).toBe(true);
    expect(partners.filters[0].typed_config.route_config.virtual_hosts.map((v: Json) => v.name)).toEqual(['acme.partners.example.com']);
    expect(db.transport_socket).toBeUndefined();
    expect(db.filters[0].typed_config.cluster).toBe('outbound|5432||db.shop.svc.cluster.local');
  });

  it('gives a server name to the first TLS listener on the port that names it, and takes other SNI on one chain only', () => {
    const edge = config(
      compileYaml(`${HEADER}kind: Mesh
metadata: {name: test}
spec: {}
---
${HEADER}kind: Gateway
metadata: {name: edge, namespace: ingress}
spec:
  listeners:
    - {name: first, port: 8443, protocol: https, hosts: [a.example.com, b.example.com], tls: {mode: simple, credentialName: first}}
    - {name: second, port: 8443, protocol: https, hosts: [b.example.com, c.example.com], tls: {mode: simple, credentialName: second}}
    - {name: any, port: 8443, protocol: https, hosts: ["*"], tls: {mode: simple, credentialName: any}}
    - {name: any-again, port: 8443, protocol: https, hosts: ["*"], tls: {mode: simple, credentialName: any-again}}
`),
      'ingress/edge.yaml',
    );
    const [merged] = edge.static_resources.listeners;
    expect(merged.filter_chains.map((c: Json) => [c.filter_chain_match, c.transport_socket.typed_config.common_tls_context.tls_certificates[0].certificate_chain.filename])).toEqual([
      [{ server_names: ['a.example.com', 'b.example.com'] }, '/etc/meshctl/gateway-credentials/first/tls.crt'],
      [{ server_names: ['c.example.com'] }, '/etc/meshctl/gateway-credentials/second/tls.crt'],
      [undefined, '/etc/meshctl/gateway-credentials/any/tls.crt'],
    ]);
  });

  it('logs per the telemetry settings', () => {
    const logs = hcm(listener(config(configs, 'shop/web.yaml'), 'outbound_http')).access_log;
    expect(logs[0].filter).toEqual({ status_code_filter: { comparison: { op: 'GE', value: { default_value: 400, runtime_key: 'access_log.errors_only.min_status' } } } });
    expect(Object.keys(logs[0].typed_config.log_format.json_format)).toContain('response_code');
  });

  it('originates TLS to an external service on its target port, by DNS', () => {
    const payments = cluster(config(configs, 'shop/web.yaml'), 'outbound|80||api.payments.example.com');
    expect(payments.type).toBe('STRICT_DNS');
    expect(payments.load_assignment.endpoints[0].lb_endpoints[0].endpoint.address.socket_address).toEqual({ address: 'api.payments.example.com', port_value: 443 });
    expect(payments.transport_socket.typed_config).toMatchObject({
      sni: 'api.payments.example.com',
      common_tls_context: { validation_context: { match_typed_subject_alt_names: [{ san_type: 'DNS', matcher: { exact: 'api.payments.example.com' } }] } },
    });
  });
});
