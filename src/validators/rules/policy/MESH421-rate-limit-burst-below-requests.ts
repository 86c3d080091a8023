// A token bucket smaller than one interval's refill: tokens beyond the burst are thrown away, so
// the effective limit is burst per interval, not requests per interval as written.
import { defineRule } from '../../rule.js';
import { localRateLimits } from './local-rate-limits.js';

export default defineRule({
  code: 'MESH421',
  name: 'rate-limit-burst-below-requests',
  level: 'warning',
  category: 'rate-limit',
  description: 'A local rate limit whose burst is lower than requests: the bucket never holds a full interval of tokens, so the real limit is burst per interval.',
  messages: {
    below: 'burst {burst} is lower than requests {requests}: the bucket never holds more than {burst} tokens, so at most {burst} requests pass per {per}, not {requests}; raise burst to at least {requests}, or lower requests to {burst}',
  },
  check({ model, report }) {
    for (const service of model.services) {
      for (const { limit, path } of localRateLimits(service)) {
        const burst = limit.burst;
        // Non-positive values refuse everything: MESH420 says so.
        if (burst === undefined || burst <= 0 || limit.requests <= 0 || burst >= limit.requests) continue;
        report('below', { burst, requests: limit.requests, per: limit.per }, service.at(...path, 'burst'));
      }
    }
  },
});
