// Rate limits that refuse every request: no tokens are ever added (requests <= 0) or the bucket
// can hold none (burst <= 0). The service or route answers 429 to everything.
import { defineRule } from '../../rule.js';
import { localRateLimits } from './local-rate-limits.js';

export default defineRule({
  code: 'MESH420',
  name: 'rate-limit-never-passes',
  level: 'error',
  category: 'rate-limit',
  description: 'A rate limit with requests or burst of zero or below refuses every request.',
  messages: {
    requests: 'requests {value} adds no tokens, so every request is refused with 429: use a positive number of requests per {per}',
    burst: 'burst {value} leaves no room for a single token, so every request is refused with 429: use a positive burst, or remove it to default to requests',
    globalRequests: 'requests {value} per {per} lets no request through, so every request counted by this descriptor is refused with 429: use a positive number',
  },
  check({ model, report }) {
    for (const service of model.services) {
      for (const { limit, path } of localRateLimits(service)) {
        if (limit.requests <= 0) report('requests', { value: limit.requests, per: limit.per }, service.at(...path, 'requests'));
        if (limit.burst !== undefined && limit.burst <= 0) report('burst', { value: limit.burst }, service.at(...path, 'burst'));
      }
      service.resource.spec.rateLimit?.global?.descriptors.forEach((descriptor, index) => {
        if (descriptor.requests <= 0) {
          report('globalRequests', { value: descriptor.requests, per: descriptor.per }, service.at('spec', 'rateLimit', 'global', 'descriptors', index, 'requests'));
        }
      });
    }
  },
});
