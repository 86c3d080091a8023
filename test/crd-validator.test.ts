// What meshctl compiles for Istio must be admitted by a real API server. These tests pin the
// checker that stands in for one: Istio's own CRDs (pinned in scripts/externals.json), structural
// schema, CEL rules and ObjectMeta, on hand-written objects of every kind the Istio target emits.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import {
  compiledCelExpressionCount,
  loadCrds,
  validateAgainstCrd,
  type CrdCatalog,
  type CrdViolation,
} from './support/crd-validator.js';
import { externalFile, externalVersion } from './support/externals.js';

const ISTIO_CRDS = externalFile('istio-crds');

let catalog: CrdCatalog;
let loadMs = 0;

beforeAll(() => {
  const started = performance.now();
  catalog = loadCrds(ISTIO_CRDS);
  loadMs = performance.now() - started;
});

function object(yamlText: string): Record<string, unknown> {
  return parse(yamlText) as Record<string, unknown>;
}

/** A copy of a fixture with one edit; the fixtures are untyped YAML, so the edit is too. */
function withChange(base: Record<string, unknown>, change: (copy: any) => void): Record<string, unknown> {
  const copy = structuredClone(base);
  change(copy);
  return copy;
}

function summary(violations: readonly CrdViolation[]): { path: string; code: string }[] {
  return violations.map(({ path: violationPath, code }) => ({ path: violationPath, code }));
}

const VIRTUAL_SERVICE = object(`
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
  namespace: shop
  labels:
    app.kubernetes.io/managed-by: meshctl
    app: reviews
  annotations:
    meshctl.dev/source: mesh/reviews.yaml
spec:
  hosts: [reviews.shop.svc.cluster.local]
  gateways: [mesh]
  http:
    - name: canary
      match:
        - uri: {prefix: /reviews}
          headers:
            x-canary: {exact: "true"}
      route:
        - destination: {host: reviews.shop.svc.cluster.local, subset: v2, port: {number: 9080}}
      timeout: 2s
    - name: primary
      route:
        - destination: {host: reviews.shop.svc.cluster.local, subset: v1, port: {number: 9080}}
          weight: 90
        - destination: {host: reviews.shop.svc.cluster.local, subset: v2, port: {number: 9080}}
          weight: 10
      timeout: 1.5s
      retries: {attempts: 3, perTryTimeout: 500ms, retryOn: "5xx,reset,connect-failure"}
      fault:
        delay: {fixedDelay: 100ms, percentage: {value: 0.5}}
`);

const DESTINATION_RULE = object(`
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews.shop.svc.cluster.local
  trafficPolicy:
    connectionPool:
      tcp:
        maxConnections: 100
        connectTimeout: 30ms
        tcpKeepalive: {time: 7200s, interval: 75s, probes: 9}
      http: {http1MaxPendingRequests: 64, idleTimeout: 1h, maxRequestsPerConnection: 10}
    loadBalancer: {simple: LEAST_REQUEST}
    outlierDetection:
      consecutive5xxErrors: 5
      interval: 10s
      baseEjectionTime: 30s
      maxEjectionPercent: 50
    tls: {mode: ISTIO_MUTUAL}
  subsets:
    - name: v1
      labels: {version: v1}
    - name: v2
      labels: {version: v2}
      trafficPolicy:
        loadBalancer:
          consistentHash: {httpHeaderName: x-user}
`);

const AUTHORIZATION_POLICY = object(`
apiVersion: security.istio.io/v1
kind: AuthorizationPolicy
metadata: {name: reviews-viewers, namespace: shop}
spec:
  selector:
    matchLabels: {app: reviews}
  action: ALLOW
  rules:
    - from:
        - source:
            principals: [cluster.local/ns/shop/sa/productpage]
            namespaces: [shop]
      to:
        - operation:
            methods: [GET, HEAD]
            paths: [/reviews/*]
            ports: ["9080"]
      when:
        - key: request.auth.claims[iss]
          values: [https://issuer.example.com]
`);

const PEER_AUTHENTICATION = object(`
apiVersion: security.istio.io/v1
kind: PeerAuthentication
metadata: {name: reviews, namespace: shop}
spec:
  selector:
    matchLabels: {app: reviews}
  mtls: {mode: STRICT}
  portLevelMtls:
    "9080": {mode: STRICT}
    "15014": {mode: PERMISSIVE}
`);

const REQUEST_AUTHENTICATION = object(`
apiVersion: security.istio.io/v1
kind: RequestAuthentication
metadata: {name: reviews-jwt, namespace: shop}
spec:
  selector:
    matchLabels: {app: reviews}
  jwtRules:
    - issuer: https://issuer.example.com
      jwksUri: https://issuer.example.com/.well-known/jwks.json
      audiences: [reviews]
      forwardOriginalToken: true
      fromHeaders:
        - {name: Authorization, prefix: "Bearer "}
      outputClaimToHeaders:
        - {header: x-jwt-sub, claim: sub}
      timeout: 5s
`);

const SERVICE_ENTRY = object(`
apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata: {name: payments-api, namespace: shop}
spec:
  hosts: [payments.internal.example.com]
  addresses: [240.240.0.10]
  location: MESH_INTERNAL
  ports:
    - {number: 443, name: https, protocol: TLS, targetPort: 8443}
    - {number: 80, name: http, protocol: HTTP}
  resolution: STATIC
  endpoints:
    - address: 10.0.5.21
      ports: {https: 8443, http: 8080}
      labels: {version: v1}
    - address: 10.0.5.22
      locality: eu-west-1/eu-west-1a
      weight: 2
  exportTo: ["."]
`);

const WORKLOAD_ENTRY = object(`
apiVersion: networking.istio.io/v1
kind: WorkloadEntry
metadata: {name: ratings-vm-1, namespace: shop}
spec:
  address: 10.0.3.7
  ports: {http: 9080, grpc-admin: 9090}
  labels: {app: ratings, version: vm}
  serviceAccount: ratings
  network: vm-net
  weight: 1
`);

const GATEWAY = object(`
apiVersion: networking.istio.io/v1
kind: Gateway
metadata: {name: shop-ingress, namespace: shop}
spec:
  selector: {istio: ingressgateway}
  servers:
    - port: {number: 443, name: https, protocol: HTTPS}
      hosts: [shop/reviews.example.com]
      tls: {mode: SIMPLE, credentialName: reviews-cert, minProtocolVersion: TLSV1_2}
    - port: {number: 80, name: http, protocol: HTTP}
      hosts: ["*"]
      tls: {httpsRedirect: true}
`);

const SIDECAR = object(`
apiVersion: networking.istio.io/v1
kind: Sidecar
metadata: {name: reviews, namespace: shop}
spec:
  workloadSelector:
    labels: {app: reviews}
  ingress:
    - port: {number: 9080, protocol: HTTP, name: http}
      defaultEndpoint: 127.0.0.1:9080
      connectionPool:
        tcp: {connectTimeout: 1s}
  egress:
    - hosts: ["./*", "istio-system/*"]
  outboundTrafficPolicy: {mode: REGISTRY_ONLY}
`);

const TELEMETRY = object(`
apiVersion: telemetry.istio.io/v1
kind: Telemetry
metadata: {name: reviews, namespace: shop}
spec:
  selector:
    matchLabels: {app: reviews}
  tracing:
    - providers: [{name: zipkin}]
      randomSamplingPercentage: 10
      customTags:
        team: {literal: {value: payments}}
  metrics:
    - providers: [{name: prometheus}]
      reportingInterval: 15s
      overrides:
        - match: {metric: REQUEST_COUNT, mode: CLIENT_AND_SERVER}
          tagOverrides:
            request_host: {operation: REMOVE}
            tenant: {operation: UPSERT, value: "request.headers['x-tenant']"}
  accessLogging:
    - providers: [{name: envoy}]
`);

const ENVOY_FILTER = object(`
apiVersion: networking.istio.io/v1alpha3
kind: EnvoyFilter
metadata: {name: reviews-lua, namespace: shop}
spec:
  workloadSelector:
    labels: {app: reviews}
  priority: 10
  configPatches:
    - applyTo: HTTP_FILTER
      match:
        context: SIDECAR_INBOUND
        listener:
          portNumber: 9080
          filterChain:
            filter:
              name: envoy.filters.network.http_connection_manager
              subFilter: {name: envoy.filters.http.router}
      patch:
        operation: INSERT_BEFORE
        value:
          name: envoy.filters.http.lua
          typed_config:
            "@type": type.googleapis.com/envoy.extensions.filters.http.lua.v3.Lua
            default_source_code:
              inline_string: "function envoy_on_request(handle) end"
`);

const VALID_OBJECTS = {
  VirtualService: VIRTUAL_SERVICE,
  DestinationRule: DESTINATION_RULE,
  AuthorizationPolicy: AUTHORIZATION_POLICY,
  PeerAuthentication: PEER_AUTHENTICATION,
  RequestAuthentication: REQUEST_AUTHENTICATION,
  ServiceEntry: SERVICE_ENTRY,
  WorkloadEntry: WORKLOAD_ENTRY,
  Gateway: GATEWAY,
  Sidecar: SIDECAR,
  Telemetry: TELEMETRY,
  EnvoyFilter: ENVOY_FILTER,
};

describe(`loadCrds on Istio's CRDs from istio.io/api ${externalVersion('istio-crds')}`, () => {
  it('serves every kind and apiVersion the Istio target emits, all namespaced', () => {
    const expected = [
      'networking.istio.io/v1 VirtualService',
      'networking.istio.io/v1 DestinationRule',
      'networking.istio.io/v1 ServiceEntry',
      'networking.istio.io/v1 WorkloadEntry',
      'networking.istio.io/v1 Gateway',
      'networking.istio.io/v1 Sidecar',
      'networking.istio.io/v1alpha3 EnvoyFilter',
      'security.istio.io/v1 AuthorizationPolicy',
      'security.istio.io/v1 PeerAuthentication',
      'security.istio.io/v1 RequestAuthentication',
      'telemetry.istio.io/v1 Telemetry',
    ];
    for (const key of expected) {
      expect(catalog.resources.get(key)?.namespaced, key).toBe(true);
    }
    expect(catalog.resources.get('networking.istio.io/v1 VirtualService')?.statusSubresource).toBe(true);
  });

  it('can evaluate every CEL rule in the served schemas', () => {
    const lines = catalog.unevaluableRules.map(
      (entry) => `${entry.apiVersion} ${entry.kind} ${entry.schemaPath}: ${entry.rule} -- ${entry.reason}`,
    );
    console.info(
      `${catalog.ruleCount} CEL rules in ${catalog.resources.size} served schemas; ` +
        `${lines.length} cannot be evaluated${lines.length > 0 ? `:\n${lines.join('\n')}` : ''}`,
    );
    expect(catalog.ruleCount).toBeGreaterThan(300);
    expect(catalog.unevaluableRules).toEqual([]);
  });
});

describe('valid Istio objects pass', () => {
  it.each(Object.entries(VALID_OBJECTS))('%s', (_kind, istioObject) => {
    const violations = validateAgainstCrd(catalog, istioObject);
    expect(violations).toEqual([]);
    expect(violations.unevaluated).toEqual([]);
    // Passing means something only if the object reached CEL rules and they held.
    expect(violations.evaluatedRules).toBeGreaterThan(0);
  });
});

describe('schema violations are caught at their path', () => {
  it('rejects an unknown field, which the API server would prune', () => {
    const violations = validateAgainstCrd(
      catalog,
      withChange(VIRTUAL_SERVICE, (vs) => {
        vs.spec.http[1].route[1].wieght = vs.spec.http[1].route[1].weight;
        delete vs.spec.http[1].route[1].weight;
      }),
    );
    expect(violations).toEqual([
      {
        path: 'spec.http[1].route[1].wieght',
        code: 'unknown-field',
        message: 'unknown field "wieght": the schema does not declare it, so the API server would prune it',
      },
    ]);
  });

  it('accepts unknown fields where the schema preserves them (EnvoyFilter patch values)', () => {
    const violations = validateAgainstCrd(
      catalog,
      withChange(ENVOY_FILTER, (filter) => {
        filter.spec.configPatches[0].patch.value.typed_config.any_field = { nested: [1, 'two'] };
      }),
    );
    expect(violations).toEqual([]);
  });

  it('rejects a wrong type, and like the API server then skips the CEL rules', () => {
    const violations = validateAgainstCrd(
      catalog,
      withChange(VIRTUAL_SERVICE, (vs) => {
        vs.spec.http[1].route[0].weight = '90';
        vs.spec.http[1].timeout = '0.1ms';
      }),
    );
    expect(violations).toEqual([
      { path: 'spec.http[1].route[0].weight', code: 'type', message: 'must be of type integer, not string' },
      {
        path: '',
        code: 'rules-skipped',
        message:
          'some validation rules were not checked because the object was invalid; correct the existing errors to complete validation',
      },
    ]);
    expect(violations.evaluatedRules).toBe(0);
  });

  it('rejects a list given as a scalar', () => {
    const violations = validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => (vs.spec.hosts = 'reviews')));
    expect(summary(violations)).toEqual([
      { path: 'spec.hosts', code: 'type' },
      { path: '', code: 'rules-skipped' },
    ]);
  });

  it('rejects a weight outside int32', () => {
    const violations = validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => (vs.spec.http[1].route[0].weight = 2 ** 31)));
    expect(violations).toEqual([
      {
        path: 'spec.http[1].route[0].weight',
        code: 'format',
        message: '2147483648 is out of range for format int32 (-2147483648..2147483647)',
      },
    ]);
  });

  it('rejects a bad enum value', () => {
    const violations = validateAgainstCrd(catalog, withChange(PEER_AUTHENTICATION, (pa) => (pa.spec.mtls.mode = 'STRICTER')));
    expect(violations[0]).toEqual({
      path: 'spec.mtls.mode',
      code: 'enum',
      message: 'Unsupported value: "STRICTER": supported values: "UNSET", "DISABLE", "PERMISSIVE", "STRICT"',
    });
    expect(summary(violations.slice(1))).toEqual([{ path: '', code: 'rules-skipped' }]);
  });

  it('rejects a missing required field', () => {
    const violations = validateAgainstCrd(
      catalog,
      withChange(VIRTUAL_SERVICE, (vs) => delete vs.spec.http[1].route[0].destination),
    );
    expect(summary(violations)).toEqual([
      { path: 'spec.http[1].route[0].destination', code: 'required' },
      { path: '', code: 'rules-skipped' },
    ]);
    const noKey = validateAgainstCrd(
      catalog,
      withChange(AUTHORIZATION_POLICY, (policy) => delete policy.spec.rules[0].when[0].key),
    );
    expect(summary(noKey)).toEqual([
      { path: 'spec.rules[0].when[0].key', code: 'required' },
      { path: '', code: 'rules-skipped' },
    ]);
  });

  it('rejects two members of a oneOf group (simple and consistentHash load balancing)', () => {
    const violations = validateAgainstCrd(
      catalog,
      withChange(DESTINATION_RULE, (rule) => (rule.spec.trafficPolicy.loadBalancer.consistentHash = { useSourceIp: true })),
    );
    expect(violations).toEqual([
      {
        path: 'spec.trafficPolicy.loadBalancer',
        code: 'one-of',
        message: 'only one of simple, consistentHash may be set, found simple and consistentHash',
      },
    ]);
  });

  it('rejects a null where the field is not nullable (the API server would drop it)', () => {
    const violations = validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => (vs.spec.http[0].timeout = null)));
    expect(summary(violations)).toEqual([{ path: 'spec.http[0].timeout', code: 'dropped-null' }]);
  });

  it('rejects a status, which the status subresource makes the API server discard', () => {
    const violations = validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => (vs.status = { observedGeneration: 1 })));
    expect(summary(violations)).toEqual([{ path: 'status', code: 'dropped-status' }]);
  });
});

// Each case breaks one real x-kubernetes-validations rule of Istio's CRDs.
const CEL_CASES: [string, Record<string, unknown>, string, string][] = [
  [
    'a route timeout below 1ms',
    withChange(VIRTUAL_SERVICE, (vs) => (vs.spec.http[0].timeout = '500us')),
    'spec.http[0].timeout',
    'must be a valid duration greater than 1ms',
  ],
  [
    'a timeout that is no duration at all',
    withChange(VIRTUAL_SERVICE, (vs) => (vs.spec.http[1].retries.perTryTimeout = '2 seconds')),
    'spec.http[1].retries.perTryTimeout',
    'time: unknown unit " seconds" in duration "2 seconds" evaluating rule: must be a valid duration greater than 1ms',
  ],
  [
    'a zero TCP connect timeout in a Sidecar',
    withChange(SIDECAR, (sidecar) => (sidecar.spec.ingress[0].connectionPool.tcp.connectTimeout = '0s')),
    'spec.ingress[0].connectionPool.tcp.connectTimeout',
    'must be a valid duration greater than 1ms',
  ],
  [
    'portLevelMtls without a selector',
    withChange(PEER_AUTHENTICATION, (pa) => delete pa.spec.selector),
    'spec',
    'portLevelMtls requires selector',
  ],
  [
    'a portLevelMtls port outside 1-65535',
    withChange(PEER_AUTHENTICATION, (pa) => (pa.spec.portLevelMtls['70000'] = { mode: 'DISABLE' })),
    'spec.portLevelMtls',
    'port must be between 1-65535',
  ],
  [
    'a portLevelMtls key that is not a number',
    withChange(PEER_AUTHENTICATION, (pa) => (pa.spec.portLevelMtls.http = { mode: 'DISABLE' })),
    'spec.portLevelMtls',
    'cannot convert "http" to int: invalid syntax evaluating rule: port must be between 1-65535',
  ],
  [
    'a jwksUri that is not http(s)',
    withChange(REQUEST_AUTHENTICATION, (ra) => (ra.spec.jwtRules[0].jwksUri = 'ftp://issuer.example.com/jwks.json')),
    'spec.jwtRules[0].jwksUri',
    'url must have scheme http:// or https://',
  ],
  [
    'both a selector and targetRefs on an AuthorizationPolicy',
    withChange(AUTHORIZATION_POLICY, (policy) => {
      policy.spec.targetRefs = [{ group: 'gateway.networking.k8s.io', kind: 'Gateway', name: 'shop-gateway' }];
    }),
    'spec',
    'only one of targetRefs or selector can be set',
  ],
  [
    'serviceAccounts together with principals',
    withChange(AUTHORIZATION_POLICY, (policy) => (policy.spec.rules[0].from[0].source.serviceAccounts = ['shop/productpage'])),
    'spec.rules[0].from[0].source',
    'Cannot set serviceAccounts with namespaces or principals',
  ],
  [
    'endpoints on a ServiceEntry with resolution NONE',
    withChange(SERVICE_ENTRY, (entry) => (entry.spec.resolution = 'NONE')),
    'spec',
    'NONE mode cannot set endpoints',
  ],
  [
    'the same port number twice in a ServiceEntry',
    withChange(SERVICE_ENTRY, (entry) => (entry.spec.ports[1].number = 443)),
    'spec.ports',
    'port number cannot be duplicated',
  ],
  [
    'ports on a Unix-socket WorkloadEntry',
    withChange(WORKLOAD_ENTRY, (entry) => (entry.spec.address = 'unix:///var/run/ratings.sock')),
    'spec',
    'UDS may not include ports',
  ],
  [
    'credentialName and credentialNames on one Gateway server',
    withChange(GATEWAY, (gateway) => (gateway.spec.servers[0].tls.credentialNames = ['reviews-cert-ecdsa'])),
    'spec.servers[0].tls',
    'only one of credentialName or credentialNames can be set',
  ],
  [
    'a tag override that removes and sets a value',
    withChange(TELEMETRY, (telemetry) => (telemetry.spec.metrics[0].overrides[0].tagOverrides.request_host.value = 'x')),
    'spec.metrics[0].overrides[0].tagOverrides.request_host',
    'value must not be set when operation is REMOVE',
  ],
  [
    'a waypoint match outside the WAYPOINT context',
    withChange(ENVOY_FILTER, (filter) => {
      delete filter.spec.configPatches[0].match.listener;
      filter.spec.configPatches[0].match.waypoint = { portNumber: 9080 };
    }),
    'spec.configPatches[0].match',
    'only support waypointMatch when context is WAYPOINT',
  ],
];

describe('CEL rule violations are caught at their path', () => {
  it.each(CEL_CASES)('%s', (_name, istioObject, expectedPath, expectedMessage) => {
    const violations = validateAgainstCrd(catalog, istioObject);
    expect(violations.map(({ path: violationPath, code, message }) => ({ path: violationPath, code, message }))).toEqual([
      { path: expectedPath, code: 'rule', message: expectedMessage },
    ]);
    expect(violations[0]?.rule).toBeTruthy();
    expect(violations.unevaluated).toEqual([]);
  });
});

// The functions Istio's rules call follow Go, as in kube-apiserver: time.ParseDuration for
// duration(), net/url's ParseRequestURI for url(), strconv.ParseInt for int().
describe('CEL functions behave as kube-apiserver evaluates them', () => {
  const withTimeout = (timeout: string) =>
    validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => (vs.spec.http[0].timeout = timeout)));
  const withJwksUri = (uri: string) =>
    validateAgainstCrd(catalog, withChange(REQUEST_AUTHENTICATION, (ra) => (ra.spec.jwtRules[0].jwksUri = uri)));
  const withMtlsPort = (port: string) =>
    validateAgainstCrd(catalog, withChange(PEER_AUTHENTICATION, (pa) => (pa.spec.portLevelMtls = { [port]: { mode: 'STRICT' } })));

  it.each(['1ms', '1.5s', '1h2m3s', '.5s', '+2s', '1000us', '1000\u00b5s', '1000\u03bcs'])('duration(%j) is at least 1ms', (timeout) => {
    expect(withTimeout(timeout)).toEqual([]);
  });

  it.each(['999us', '0', '0s', '-1s', '1d', '', '1', '1e3s', '3000000h'])('duration(%j) is rejected', (timeout) => {
    expect(summary(withTimeout(timeout))).toEqual([{ path: 'spec.http[0].timeout', code: 'rule' }]);
  });

  it.each([
    'https://issuer.example.com/.well-known/jwks.json',
    'HTTP://issuer.example.com/keys',
    'https://issuer.example.com:8443/keys?kid=1#current',
    'https://[2001:db8::1]:8443/keys',
    'https://user:p%40ss@issuer.example.com/keys',
  ])('url(%j) has an http(s) scheme', (uri) => {
    expect(withJwksUri(uri)).toEqual([]);
  });

  it.each([
    ['ftp://issuer.example.com/keys', 'url must have scheme http:// or https://'],
    ['/keys', 'url must have scheme http:// or https://'],
    ['issuer.example.com/keys', 'invalid URI for request'],
    ['://issuer.example.com/keys', 'missing protocol scheme'],
    ['https://issuer.example.com:https/keys', 'invalid port ":https" after host'],
    ['https://issuer%zz.example.com/keys', 'invalid URL escape "%zz"'],
    ['https://issuer.example.com/ke\u0000ys', 'invalid control character in URL'],
  ])('url(%j) is rejected', (uri, reason) => {
    const violations = withJwksUri(uri);
    expect(summary(violations)).toEqual([{ path: 'spec.jwtRules[0].jwksUri', code: 'rule' }]);
    expect(violations[0]?.message).toContain(reason);
  });

  it.each(['1', '080', '+443', '65535'])('int(%j) is a port', (port) => {
    expect(withMtlsPort(port)).toEqual([]);
  });

  it.each(['0', '65536', ' 80', '0x50', '8O', '99999999999999999999'])('int(%j) is not a port', (port) => {
    expect(summary(withMtlsPort(port))).toEqual([{ path: 'spec.portLevelMtls', code: 'rule' }]);
  });
});

describe('metadata is checked as ObjectMeta validation does', () => {
  it('rejects a label value over 63 characters', () => {
    const violations = validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => (vs.metadata.labels.version = 'v'.repeat(64))));
    expect(violations).toEqual([
      { path: 'metadata.labels.version', code: 'metadata', message: 'label value must be no more than 63 characters (has 64)' },
    ]);
  });

  it('accepts a 63-character label value and prefixed keys', () => {
    const violations = validateAgainstCrd(
      catalog,
      withChange(VIRTUAL_SERVICE, (vs) => (vs.metadata.labels['topology.example.com/zone-name'] = 'z'.repeat(63))),
    );
    expect(violations).toEqual([]);
  });

  it('rejects malformed label keys and values', () => {
    const violations = validateAgainstCrd(
      catalog,
      withChange(VIRTUAL_SERVICE, (vs) => {
        vs.metadata.labels = { 'Example.com/app': 'x', 'a/b/c': 'x', [`${'n'.repeat(64)}`]: 'x', team: '-payments' };
      }),
    );
    expect(summary(violations)).toEqual([
      { path: 'metadata.labels["Example.com/app"]', code: 'metadata' },
      { path: 'metadata.labels["a/b/c"]', code: 'metadata' },
      { path: `metadata.labels.${'n'.repeat(64)}`, code: 'metadata' },
      { path: 'metadata.labels.team', code: 'metadata' },
    ]);
  });

  it('requires a DNS-1123 subdomain name of at most 253 characters and a namespace', () => {
    expect(summary(validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => (vs.metadata.name = 'Reviews_v1'))))).toEqual([
      { path: 'metadata.name', code: 'metadata' },
    ]);
    const longName = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(63)}`;
    expect(summary(validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => (vs.metadata.name = longName))))).toEqual([
      { path: 'metadata.name', code: 'metadata' },
    ]);
    expect(summary(validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => delete vs.metadata.name)))).toEqual([
      { path: 'metadata.name', code: 'required' },
      { path: '', code: 'rules-skipped' },
    ]);
    expect(summary(validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => delete vs.metadata.namespace)))).toEqual([
      { path: 'metadata.namespace', code: 'required' },
      { path: '', code: 'rules-skipped' },
    ]);
  });

  it('rejects metadata the client may not set on create', () => {
    const violations = validateAgainstCrd(
      catalog,
      withChange(VIRTUAL_SERVICE, (vs) => {
        vs.metadata.resourceVersion = '4711';
        vs.metadata.uid = '3f1c2b1e-0000-4000-8000-000000000000';
        vs.metadata.owner = 'payments';
      }),
    );
    expect(summary(violations)).toEqual([
      { path: 'metadata.uid', code: 'metadata' },
      { path: 'metadata.owner', code: 'unknown-field' },
      { path: 'metadata.resourceVersion', code: 'metadata' },
    ]);
  });
});

describe('kinds and versions the catalog does not serve', () => {
  it('rejects an apiVersion that is not served for the kind', () => {
    expect(validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => (vs.apiVersion = 'networking.istio.io/v2')))).toEqual([
      {
        path: 'apiVersion',
        code: 'unserved',
        message:
          'networking.istio.io/v2 is not a served version of VirtualService; served: networking.istio.io/v1, networking.istio.io/v1alpha3, networking.istio.io/v1beta1',
      },
    ]);
  });

  it('rejects a kind the CRDs do not define', () => {
    expect(validateAgainstCrd(catalog, withChange(VIRTUAL_SERVICE, (vs) => (vs.kind = 'VirtualServce')))).toEqual([
      {
        path: 'kind',
        code: 'unserved',
        message: 'no CustomResourceDefinition in istio-crds.yaml serves kind VirtualServce in group networking.istio.io',
      },
    ]);
    expect(summary(validateAgainstCrd(catalog, { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' } }))).toEqual([
      { path: 'kind', code: 'unserved' },
    ]);
  });

  it('rejects a document that is not an object or lacks apiVersion and kind', () => {
    expect(summary(validateAgainstCrd(catalog, ['not', 'an', 'object']))).toEqual([{ path: '', code: 'not-an-object' }]);
    expect(summary(validateAgainstCrd(catalog, { metadata: { name: 'x' } }))).toEqual([
      { path: 'apiVersion', code: 'required' },
      { path: 'kind', code: 'required' },
    ]);
  });
});

// A CRD written for this test: some of its rules call functions this checker does not implement,
// which must surface as unevaluated, never as passed; and it has a default, which the API server
// fills in before any rule runs.
const UNEVALUABLE_CRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata: {name: quotas.test.meshctl.dev}
spec:
  group: test.meshctl.dev
  names: {kind: Quota, plural: quotas, singular: quota, listKind: QuotaList}
  scope: Namespaced
  versions:
    - name: v1
      served: true
      storage: true
      schema:
        openAPIV3Schema:
          type: object
          properties:
            spec:
              type: object
              properties:
                mode: {type: string, default: 'on'}
                limit: {type: string}
                zones: {type: array, items: {type: string}, x-kubernetes-list-type: set}
                burst:
                  anyOf: [{type: integer}, {type: string}]
                  x-kubernetes-int-or-string: true
                shards: {type: array, items: {type: integer}}
              x-kubernetes-validations:
                - rule: self.mode != 'off'
                  message: mode must not be off
                - rule: "!has(self.limit) || quantity(self.limit).isLessThan(quantity('1Gi'))"
                  message: limit must be below 1Gi
                - rule: "!has(self.zones) || self.zones.isSorted()"
                  message: zones must be sorted
                - rule: "!has(self.shards) || self.shards.indexOf(0) == -1"
                  message: shard 0 is reserved
                - rule: self.mode == oldSelf.mode
                  message: mode is immutable
`;

describe('a CRD with defaults and rules this checker cannot evaluate', () => {
  let directory: string;
  let quotas: CrdCatalog;

  beforeAll(() => {
    directory = mkdtempSync(path.join(tmpdir(), 'meshctl-crd-'));
    const file = path.join(directory, 'quota-crd.yaml');
    writeFileSync(file, UNEVALUABLE_CRD);
    quotas = loadCrds(file);
  });
  afterAll(() => rmSync(directory, { recursive: true, force: true }));

  it('lists them in the catalog with the reason', () => {
    expect(quotas.unevaluableRules).toEqual([
      {
        apiVersion: 'test.meshctl.dev/v1',
        kind: 'Quota',
        schemaPath: 'spec',
        rule: "!has(self.limit) || quantity(self.limit).isLessThan(quantity('1Gi'))",
        reason: 'calls isLessThan(), quantity(), which this checker does not implement',
      },
      {
        apiVersion: 'test.meshctl.dev/v1',
        kind: 'Quota',
        schemaPath: 'spec',
        rule: '!has(self.zones) || self.zones.isSorted()',
        reason: 'calls isSorted(), which this checker does not implement',
      },
    ]);
  });

  it('returns them beside the violations when an object reaches them', () => {
    const violations = validateAgainstCrd(quotas, {
      apiVersion: 'test.meshctl.dev/v1',
      kind: 'Quota',
      metadata: { name: 'payments', namespace: 'shop' },
      spec: { mode: 'off', limit: '2Gi', zones: ['b', 'a'], shards: [1, 2] },
    });
    console.info(`unevaluated:\n${violations.unevaluated.map((entry) => `${entry.path}: ${entry.rule} -- ${entry.reason}`).join('\n')}`);
    expect(summary(violations)).toEqual([{ path: 'spec', code: 'rule' }]);
    expect(violations[0]?.message).toBe('mode must not be off');
    expect(violations.unevaluated).toEqual([
      {
        path: 'spec',
        rule: "!has(self.limit) || quantity(self.limit).isLessThan(quantity('1Gi'))",
        reason: 'calls isLessThan(), quantity(), which this checker does not implement',
      },
      {
        path: 'spec',
        rule: '!has(self.zones) || self.zones.isSorted()',
        reason: 'calls isSorted(), which this checker does not implement',
      },
      {
        path: 'spec',
        rule: '!has(self.shards) || self.shards.indexOf(0) == -1',
        reason: expect.stringMatching(/^the evaluator has no implementation for a call: found no matching overload for 'indexOf'/),
      },
    ]);
    // The transition rule (oldSelf) is neither a violation nor unevaluated: creates skip it.
    expect(violations.evaluatedRules).toBe(1);
  });

  it('applies schema defaults before the rules run, as the API server does', () => {
    const quota = (spec: Record<string, unknown>) => ({
      apiVersion: 'test.meshctl.dev/v1',
      kind: 'Quota',
      metadata: { name: 'payments', namespace: 'shop' },
      spec,
    });
    // Without the default, `self.mode` would fail with "no such key".
    const defaulted = validateAgainstCrd(quotas, quota({}));
    expect(defaulted).toEqual([]);
    // The mode rule, and the shards rule, which `!has(self.shards)` settles before indexOf.
    expect(defaulted.evaluatedRules).toBe(2);
    // A null in a non-nullable field with a default takes the default instead of being dropped.
    expect(validateAgainstCrd(quotas, quota({ mode: null }))).toEqual([]);
  });

  it('checks int-or-string fields and set-typed lists', () => {
    const quota = (spec: Record<string, unknown>) =>
      validateAgainstCrd(quotas, { apiVersion: 'test.meshctl.dev/v1', kind: 'Quota', metadata: { name: 'q', namespace: 'shop' }, spec });
    expect(quota({ burst: 5 })).toEqual([]);
    expect(quota({ burst: '10%' })).toEqual([]);
    expect(quota({ burst: true })[0]).toEqual({ path: 'spec.burst', code: 'type', message: 'must be of type integer or string, not boolean' });
    expect(quota({ zones: ['eu-1', 'eu-2', 'eu-1'] })).toEqual([
      { path: 'spec.zones[2]', code: 'duplicate', message: 'Duplicate value: "eu-1" (same as item 0)' },
    ]);
  });
});

describe('speed', () => {
  it('compiles each CEL expression once and validates an object in milliseconds', () => {
    const compiledAfterLoad = compiledCelExpressionCount();
    const objects = Object.values(VALID_OBJECTS);
    const rounds = 20;
    const started = performance.now();
    for (let round = 0; round < rounds; round += 1) {
      for (const istioObject of objects) validateAgainstCrd(catalog, istioObject);
    }
    const perObjectMs = (performance.now() - started) / (rounds * objects.length);
    console.info(`catalog loaded in ${loadMs.toFixed(0)} ms; one object validated in ${perObjectMs.toFixed(3)} ms on average`);
    expect(compiledCelExpressionCount()).toBe(compiledAfterLoad);
    // Generous: a shared two-core machine; an order of magnitude slower means something recompiles.
    expect(perObjectMs).toBeLessThan(25);
  });
});
