// The vocabulary rate-limit buckets are planned in: Envoy's rate-limit descriptors, actions and
// token buckets. Both targets enforce limits with Envoy's rate-limit filters (Istio has no
// rate-limit API of its own: its target patches the same filters in with EnvoyFilters), so the
// plan states buckets in the terms those filters read. The messages are the JSON of Envoy's v3
// protos: field names in snake_case as the protos spell them, enums by name, durations as "1.5s".
// Only the fields meshctl sets are declared.
import type { TokenBucket } from '../model/token-bucket.js';

export type { TokenBucket };

/** envoy.type.matcher.v3.StringMatcher: one of exact, prefix, safe_regex (RE2, whole value). */
export type StringMatcher = { exact: string } | { prefix: string } | { safe_regex: { regex: string } };

/** envoy.config.route.v3.HeaderMatcher. */
export interface HeaderMatcher {
  name: string;
  string_match?: StringMatcher;
  present_match?: boolean;
  invert_match?: boolean;
  treat_missing_header_as_empty?: boolean;
}

/** envoy.config.route.v3.RateLimit.Action: each action adds one entry to the request's descriptor. */
export type RateLimitAction =
  | { request_headers: { header_name: string; descriptor_key: string } }
  | { remote_address: Record<string, never> }
  | { generic_key: { descriptor_key: string; descriptor_value: string } }
  | { header_value_match: { descriptor_key: string; descriptor_value: string; expect_match?: boolean; headers: HeaderMatcher[] } };

/** envoy.config.route.v3.RateLimit: a descriptor is produced only when every action produces its entry. */
export interface RateLimitEntry {
  stage?: number;
  actions: RateLimitAction[];
}

/** envoy.extensions.common.ratelimit.v3.RateLimitDescriptor.Entry; an empty value is a wildcard. */
export interface DescriptorEntry {
  key: string;
  value: string;
}

/** envoy.extensions.common.ratelimit.v3.LocalRateLimitDescriptor. */
export interface LocalDescriptor {
  entries: DescriptorEntry[];
  token_bucket: TokenBucket;
}
