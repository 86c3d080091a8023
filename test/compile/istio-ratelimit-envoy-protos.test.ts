// EnvoyFilter patch bodies are free objects to Istio's CRD, so they are checked against Envoy's own
// protos (test/support/envoy-proto-check.ts): the checker must catch the mistakes that matter, and
// every EnvoyFilter compiled from the example mesh and the valid fixtures must pass it, pass Istio's
// CRD, and carry only regexes Envoy's RE2 program-size limit accepts.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileIstio, loadMesh, validate } from '../../src/index.js';
import { checkRe2, ENVOY_MAX_PROGRAM_SIZE } from '../../src/common/re2-regex.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { crdProblems } from '../support/istio-crds.js';
import { checkEnvoyFilter, checkMessage, ENVOY_API_ADDITIONS, loadEnvoyProtos, type EnvoyProtoCatalog } from '../support/envoy-proto-check.js';

const repo = path.join(import.meta.dirname, '..', '..');
const validFixtures = path.join(repo, 'test', 'fixtures', 'valid');
const meshes: [string, string][] = [
  ['examples/mesh', path.join(repo, 'examples', 'mesh')],
  ...readdirSync(validFixtures)
    .filter((name) => name.endsWith('.yaml'))
    .sort()
    .map((name): [string, string] => [`fixtures/valid/${name}`, path.join(validFixtures, name)]),
];

let catalog: EnvoyProtoCatalog;
beforeAll(() => {
  catalog = loadEnvoyProtos();
});

const LOCAL_RATE_LIMIT = 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit';

function envoyFilter(patches: unknown[]): unknown {
  return { apiVersion: 'networking.istio.io/v1alpha3', kind: 'EnvoyFilter', metadata: { name: 'x' }, spec: { configPatches: patches } };
}

function httpFilter(typedConfig: Record<string, unknown>): unknown {
  return envoyFilter([{ applyTo: 'HTTP_FILTER', patch: { operation: 'INSERT_BEFORE', value: { name: 'envoy.filters.http.local_ratelimit', typed_config: typedConfig } } }]);
}

const validLocalLimit = {
  '@type': LOCAL_RATE_LIMIT,
  stat_prefix: 'local_rate_limit',
  token_bucket: { max_tokens: 10, tokens_per_fill: 10, fill_interval: '1s' },
  filter_enabled: { runtime_key: 'enabled', default_value: { numerator: 100, denominator: 'HUNDRED' } },
};

describe('the Envoy proto checker', () => {
  it('loads the protos the rate-limit patches need', () => {
    for (const type of [
      'envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit',
      'envoy.extensions.filters.http.ratelimit.v3.RateLimit',
      'envoy.config.route.v3.VirtualHost',
      'envoy.config.cluster.v3.Cluster',
    ]) {
      expect(catalog.messageType(type), type).toBeDefined();
    }
  });

  it('accepts a valid patch, with proto (snake_case) or JSON (camelCase) field names', () => {
    expect(checkEnvoyFilter(catalog, httpFilter(validLocalLimit))).toEqual([]);
    expect(checkEnvoyFilter(catalog, httpFilter({ '@type': LOCAL_RATE_LIMIT, statPrefix: 'x', tokenBucket: { maxTokens: 1, tokensPerFill: 1, fillInterval: '0.5s' } }))).toEqual([]);
  });

  it('finds one field given twice, by its proto and its JSON name', () => {
    expect(checkEnvoyFilter(catalog, httpFilter({ ...validLocalLimit, statPrefix: 'again' }))).toEqual([
      { path: 'spec.configPatches[0].patch.value.typed_config.statPrefix', message: expect.stringMatching(/both the field stat_prefix/) },
    ]);
  });

  it('finds a misspelt field, and says which one was meant', () => {
    const { token_bucket, ...rest } = validLocalLimit;
    const violations = checkEnvoyFilter(catalog, httpFilter({ ...rest, token_buckets: token_bucket }));
    expect(violations).toEqual([
      {
        path: 'spec.configPatches[0].patch.value.typed_config.token_buckets',
        message: expect.stringMatching(/LocalRateLimit has no field "token_buckets" \(did you mean "token_bucket"\?\)/),
      },
    ]);
  });

  it('finds an enum value Envoy does not have', () => {
    const violations = checkEnvoyFilter(catalog, httpFilter({ ...validLocalLimit, filter_enabled: { runtime_key: 'k', default_value: { numerator: 100, denominator: 'PERCENT' } } }));
    expect(violations).toEqual([{ path: 'spec.configPatches[0].patch.value.typed_config.filter_enabled.default_value.denominator', message: expect.stringMatching(/no value "PERCENT"/) }]);
    expect(checkEnvoyFilter(catalog, httpFilter({ ...validLocalLimit, enable_x_ratelimit_headers: 'DRAFT_VERSION_04' }))).toHaveLength(1);
  });

  it('finds wrong JSON types: a duration without a unit, a string for a number, a list for an object', () => {
    const violations = checkEnvoyFilter(catalog, httpFilter({ ...validLocalLimit, token_bucket: { max_tokens: 'ten', tokens_per_fill: 1, fill_interval: '1000' }, descriptors: {} }));
    expect(violations.map((violation) => violation.path.split('.').pop())).toEqual(['max_tokens', 'fill_interval', 'descriptors']);
  });

  it('checks an Any as the message its @type names, and refuses a type the API does not have', () => {
    expect(checkEnvoyFilter(catalog, httpFilter({ ...validLocalLimit, '@type': 'type.googleapis.com/envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimits' }))).toEqual([
      { path: 'spec.configPatches[0].patch.value.typed_config.@type', message: expect.stringMatching(/no message/) },
    ]);
    const typedStruct = {
      '@type': 'type.googleapis.com/udpa.type.v1.TypedStruct',
      type_url: LOCAL_RATE_LIMIT,
      value: { stat_prefix: 'x', token_bucket: { max_token: 1 } },
    };
    expect(checkEnvoyFilter(catalog, httpFilter(typedStruct)).map((violation) => violation.path)).toEqual(['spec.configPatches[0].patch.value.typed_config.value.token_bucket.max_token']);
  });

  it('finds two members of one oneof, and deprecated fields', () => {
    const patch = envoyFilter([
      {
        applyTo: 'VIRTUAL_HOST',
        patch: {
          operation: 'MERGE',
          value: { rate_limits: [{ actions: [{ header_value_match: { descriptor_value: 'v', headers: [{ name: ':path', exact_match: '/a', present_match: true }] } }] }] },
        },
      },
    ]);
    const messages = checkEnvoyFilter(catalog, patch).map((violation) => violation.message);
    expect(messages).toEqual([expect.stringMatching(/exact_match is deprecated/), expect.stringMatching(/exact_match and present_match are alternatives/)]);
  });

  it('checks cluster patches, with their typed extension protocol options', () => {
    const cluster = {
      name: 'rate_limit_cluster',
      type: 'STRICT_DNS',
      connect_timeout: '1s',
      lb_policy: 'ROUND_ROBIN',
      typed_extension_protocol_options: {
        'envoy.extensions.upstreams.http.v3.HttpProtocolOptions': {
          '@type': 'type.googleapis.com/envoy.extensions.upstreams.http.v3.HttpProtocolOptions',
          explicit_http_config: { http2_protocol_options: {} },
        },
      },
      load_assignment: { cluster_name: 'rate_limit_cluster', endpoints: [{ lb_endpoints: [{ endpoint: { address: { socket_address: { address: 'ratelimit.platform.svc.cluster.local', port_value: 8081 } } } }] }] },
    };
    expect(checkEnvoyFilter(catalog, envoyFilter([{ applyTo: 'CLUSTER', patch: { operation: 'ADD', value: cluster } }]))).toEqual([]);
    const misspelt = { ...cluster, type: 'STRICT_DNSS', load_assignment: { ...cluster.load_assignment, endpoint: [] } };
    expect(checkEnvoyFilter(catalog, envoyFilter([{ applyTo: 'CLUSTER', patch: { operation: 'ADD', value: misspelt } }])).map((violation) => violation.path)).toEqual([
      'spec.configPatches[0].patch.value.type',
      'spec.configPatches[0].patch.value.load_assignment.endpoint',
    ]);
    // Istio's rate-limit task still writes the HTTP/2 option on the cluster itself, which Envoy deprecated.
    expect(checkMessage(catalog, 'envoy.config.cluster.v3.Cluster', { name: 'c', http2_protocol_options: {} }, 'value')).toEqual([
      { path: 'value.http2_protocol_options', message: expect.stringMatching(/deprecated/) },
    ]);
  });

  it('knows the fields added after the shipped API snapshot, and nothing else newer', () => {
    const dynamic = { ...validLocalLimit, max_dynamic_descriptors: 100 };
    expect(checkEnvoyFilter(catalog, httpFilter(dynamic))).toEqual([]);
    expect(ENVOY_API_ADDITIONS.map((addition) => `${addition.type}.${addition.field}`)).toEqual(['envoy.extensions.filters.http.local_ratelimit.v3.LocalRateLimit.max_dynamic_descriptors']);
    expect(checkEnvoyFilter(catalog, httpFilter({ ...validLocalLimit, max_dynamic_descriptor: 100 }))).toHaveLength(1);
  });
});

describe.each(meshes)('EnvoyFilters compiled from %s', (_, meshPath) => {
  let envoyFilters: KubernetesObject[] = [];
  beforeAll(async () => {
    const result = validate(await loadMesh([meshPath]));
    expect(result.errorCount).toBe(0);
    envoyFilters = compileIstio(result.model).filter((object) => object.kind === 'EnvoyFilter');
  });

  it('use only fields and enum values of Envoy\'s protos', () => {
    const problems = envoyFilters.flatMap((object) => checkEnvoyFilter(catalog, object).map((violation) => `${object.metadata.namespace}/${object.metadata.name}: ${violation.path}: ${violation.message}`));
    expect(problems).toEqual([]);
  });

  it('pass Istio\'s EnvoyFilter CRD', () => {
    expect(crdProblems(envoyFilters)).toEqual([]);
  });

  it('carry only regexes within Envoy\'s RE2 program-size limit (one over it fails the whole listener)', () => {
    const regexes: string[] = [];
    const collect = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(collect);
      else if (value && typeof value === 'object') {
        for (const [key, child] of Object.entries(value)) {
          if (key === 'regex' && typeof child === 'string') regexes.push(child);
          else collect(child);
        }
      }
    };
    envoyFilters.forEach((object) => collect(object.spec));
    for (const regex of regexes) {
      const check = checkRe2(regex);
      expect(check.valid && check.programSize <= ENVOY_MAX_PROGRAM_SIZE, regex).toBe(true);
    }
  });
});
