// A local token bucket that refills more often than every 50 ms. Envoy refuses a local rate-limit
// fill_interval under 50 ms, so the emitter stretches the interval to the smallest multiple that
// reaches 50 ms and adds that many times the tokens per fill: the rate stays as written, but the
// tokens arrive in larger portions, so more requests can pass at once than `per` suggests. The
// numbers in the message are the ones the emitter writes (its own tokenBucket builder, which is
// pure). Info: nothing is lost, but the file no longer says what Envoy enforces.
import { defineRule } from '../../../diagnostics/rule.js';
import { MIN_FILL_INTERVAL_MS, tokenBucket } from '../../../model/token-bucket.js';
import { parseDuration } from '../../../model/duration.js';
import { localRateLimits } from './local-rate-limits.js';

export default defineRule({
  code: 'MESH428',
  name: 'rate-limit-interval-below-minimum',
  level: 'info',
  category: 'rate-limit',
  description: 'A local rate limit whose per is under Envoy\'s minimum fill interval of 50ms, so meshctl stretches the interval (same rate, larger refills).',
  messages: {
    stretched:
      'per {per} is under Envoy\'s minimum fill interval of {minimum}ms, so meshctl adds {tokens} tokens every {interval} instead: the same rate, but up to {maxTokens} requests can pass at once; write it as requests: {tokens}, per: {interval} to say what is enforced',
  },
  check({ model, report }) {
    for (const service of model.services) {
      for (const { limit, path } of localRateLimits(service)) {
        const perMs = parseDuration(limit.per);
        // Malformed intervals and those under 1ms are MESH310's finding, empty buckets MESH420's.
        if (perMs === undefined || perMs < 1 || perMs >= MIN_FILL_INTERVAL_MS || limit.requests <= 0) continue;
        const bucket = tokenBucket(limit);
        // fill_interval is a protobuf duration in seconds, e.g. "0.056s".
        const intervalMs = Math.round(Number.parseFloat(bucket.fill_interval) * 1000);
        report(
          'stretched',
          { per: limit.per, minimum: MIN_FILL_INTERVAL_MS, tokens: bucket.tokens_per_fill, interval: `${intervalMs}ms`, maxTokens: bucket.max_tokens },
          service.at(...path, 'per'),
        );
      }
    }
  },
});
