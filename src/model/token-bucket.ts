// The token bucket a local rate limit becomes, in Envoy's terms (the proxy both targets enforce
// limits with). MESH428 reports the same numbers the compiler writes.
import { parseDuration, toProtoDuration } from './duration.js';
import type { LocalRateLimitSpec } from '../schema/traffic.js';

/** Envoy refuses local rate-limit token buckets that refill more often than this. */
export const MIN_FILL_INTERVAL_MS = 50;

/** envoy.type.v3.TokenBucket. */
export interface TokenBucket {
  max_tokens: number;
  tokens_per_fill: number;
  fill_interval: string;
}

/**
 * The token bucket of a local limit: `requests` tokens every `per`, holding at most `burst`
 * (default: requests). An interval shorter than Envoy's 50ms minimum is stretched to the smallest
 * multiple that is allowed, with the tokens per fill multiplied alike, so the rate stays the one
 * written; the bucket then holds at least one fill, or the stretched refill would be cut short.
 */
export function tokenBucket(limit: Pick<LocalRateLimitSpec, 'requests' | 'per' | 'burst'>): TokenBucket {
  const perMs = parseDuration(limit.per);
  if (perMs === undefined || perMs <= 0) throw new Error(`rate limit interval "${limit.per}" reached the compiler; validation should have refused it`);
  const multiple = Math.max(1, Math.ceil(MIN_FILL_INTERVAL_MS / perMs));
  const tokensPerFill = limit.requests * multiple;
  const burst = limit.burst ?? limit.requests;
  return {
    max_tokens: multiple === 1 ? burst : Math.max(burst, tokensPerFill),
    tokens_per_fill: tokensPerFill,
    fill_interval: toProtoDuration(perMs * multiple),
  };
}
