// A small model of how Envoy applies the rate-limit configuration meshctl emits, for tests that
// assert what a request is counted against rather than the shape of the YAML:
// - rate-limit actions build a request's descriptors: one per `rate_limits` entry of the filter's
//   stage, produced only when every action of the entry produces its descriptor entry (Envoy's
//   RateLimitPolicyEntry); header matchers are matched as Envoy does (RE2 regexes on the whole value,
//   inverted matches, a missing header read as empty when asked);
// - the local rate limiter consumes a token from every configured descriptor the request's
//   descriptors match (an empty configured value matches any value, one bucket per value), and from
//   the filter's token bucket when none matched or always_consume_default_token_bucket holds;
// - the rate-limit service looks each descriptor up in its descriptor tree, a key without a value
//   matching any value.
import { RE2JS } from 're2js';
import type { KubernetesObject } from '../../src/output/manifest.js';

export interface SimulatedRequest {
  readonly method?: string;
  /** The path with its query string, as `:path`. */
  readonly path: string;
  /** Lower-case names. */
  readonly headers?: Readonly<Record<string, string>>;
  readonly remoteAddress?: string;
}

type Entry = { key: string; value: string };
type Json = Record<string, unknown>;

interface EnvoyFilterParts {
  readonly filter?: Json;
  readonly rateLimits: Json[];
}

/** The rate-limit filter config and the virtual-host rate-limit actions of an EnvoyFilter. */
export function envoyFilterParts(object: KubernetesObject): EnvoyFilterParts {
  const patches = (object.spec as { configPatches: Json[] }).configPatches;
  let filter: Json | undefined;
  const rateLimits: Json[] = [];
  for (const patch of patches) {
    const value = (patch.patch as Json).value as Json;
    if (patch.applyTo === 'HTTP_FILTER') filter = value.typed_config as Json;
    if (patch.applyTo === 'VIRTUAL_HOST') rateLimits.push(...((value.rate_limits as Json[]) ?? []));
  }
  return { ...(filter ? { filter } : {}), rateLimits };
}

function headerValue(request: SimulatedRequest, name: string): string | undefined {
  if (name === ':path') return request.path;
  if (name === ':method') return request.method ?? 'GET';
  return request.headers?.[name];
}

export function headerMatches(matcher: Json, request: SimulatedRequest): boolean {
  let value = headerValue(request, matcher.name as string);
  if (value === undefined && matcher.treat_missing_header_as_empty) value = '';
  let result: boolean;
  if (matcher.present_match !== undefined) result = (value !== undefined) === matcher.present_match;
  else if (value === undefined) result = false;
  else {
    const match = matcher.string_match as Json;
    if ('exact' in match) result = value === match.exact;
    else if ('prefix' in match) result = value.startsWith(match.prefix as string);
    else result = RE2JS.compile((match.safe_regex as Json).regex as string).matches(value);
  }
  return matcher.invert_match ? !result : result;
}

function actionEntry(action: Json, request: SimulatedRequest): Entry | undefined {
  if (action.request_headers) {
    const { header_name, descriptor_key } = action.request_headers as { header_name: string; descriptor_key: string };
    const value = headerValue(request, header_name);
    return value === undefined ? undefined : { key: descriptor_key, value };
  }
  if (action.remote_address) return request.remoteAddress === undefined ? undefined : { key: 'remote_address', value: request.remoteAddress };
  if (action.generic_key) {
    const { descriptor_key, descriptor_value } = action.generic_key as { descriptor_key?: string; descriptor_value: string };
    return { key: descriptor_key ?? 'generic_key', value: descriptor_value };
  }
  if (action.header_value_match) {
    const hvm = action.header_value_match as { descriptor_key?: string; descriptor_value: string; expect_match?: boolean; headers: Json[] };
    const all = hvm.headers.every((matcher) => headerMatches(matcher, request));
    return all === (hvm.expect_match ?? true) ? { key: hvm.descriptor_key ?? 'header_match', value: hvm.descriptor_value } : undefined;
  }
  throw new Error(`the simulator does not know the action ${JSON.stringify(action)}`);
}

/** The descriptors a request gets from the rate-limit entries of one stage. */
export function requestDescriptors(rateLimits: readonly Json[], stage: number, request: SimulatedRequest): Entry[][] {
  const descriptors: Entry[][] = [];
  for (const rateLimit of rateLimits) {
    if (((rateLimit.stage as number | undefined) ?? 0) !== stage) continue;
    const entries: Entry[] = [];
    let complete = true;
    for (const action of rateLimit.actions as Json[]) {
      const entry = actionEntry(action, request);
      if (!entry) {
        complete = false;
        break;
      }
      entries.push(entry);
    }
    if (complete) descriptors.push(entries);
  }
  return descriptors;
}

const format = (entries: readonly Entry[]) => entries.map((entry) => `${entry.key}=${entry.value}`).join(',');

/**
 * The buckets a request takes a token from at the local rate limit: "default" for the filter's own
 * token bucket, else the matched descriptor with the request's values (one bucket per value).
 */
export function localBucketsFor(object: KubernetesObject, request: SimulatedRequest): string[] {
  const { filter, rateLimits } = envoyFilterParts(object);
  if (!filter) throw new Error('no local rate-limit filter');
  const configured = ((filter.descriptors as { entries: Entry[] }[] | undefined) ?? []).map((descriptor) => descriptor.entries);
  const buckets: string[] = [];
  const stage = (filter.stage as number | undefined) ?? 0;
  for (const descriptor of configured.length > 0 ? requestDescriptors(rateLimits, stage, request) : []) {
    const match = configured.find(
      (entries) => entries.length === descriptor.length && entries.every((entry, index) => entry.key === descriptor[index]!.key && (entry.value === '' || entry.value === descriptor[index]!.value)),
    );
    if (match && !buckets.includes(format(descriptor))) buckets.push(format(descriptor));
  }
  const alwaysDefault = (filter.always_consume_default_token_bucket as boolean | undefined) ?? true;
  if (filter.token_bucket && (buckets.length === 0 || alwaysDefault)) buckets.push('default');
  return buckets.sort();
}

export interface RateLimitServiceDescriptor {
  key: string;
  value?: string;
  rate_limit?: { unit: string; requests_per_unit: number };
  descriptors?: RateLimitServiceDescriptor[];
}

/** The limit the rate-limit service applies to a descriptor, as envoyproxy/ratelimit looks it up. */
export function rateLimitServiceLimit(tree: readonly RateLimitServiceDescriptor[], descriptor: readonly Entry[]): RateLimitServiceDescriptor['rate_limit'] {
  let level: readonly RateLimitServiceDescriptor[] = tree;
  let node: RateLimitServiceDescriptor | undefined;
  for (const entry of descriptor) {
    node = level.find((candidate) => candidate.key === entry.key && candidate.value === entry.value) ?? level.find((candidate) => candidate.key === entry.key && candidate.value === undefined);
    if (!node) return undefined;
    level = node.descriptors ?? [];
  }
  return node?.rate_limit;
}
