// Two global descriptors of one service counting by the same key: the rate-limit service keeps
// one limit per descriptor key, so one of the two limits is silently dropped (or the service
// rejects its configuration).
import { defineRule } from '../../rule.js';
import { descriptorIdentity } from './global-rate-limit-keys.js';

export default defineRule({
  code: 'MESH425',
  name: 'duplicate-rate-limit-descriptor',
  level: 'error',
  category: 'rate-limit',
  description: 'Two global rate-limit descriptors of one service count by the same key; the rate-limit service can keep only one of them.',
  messages: {
    duplicate: 'this descriptor counts by {key}, like descriptor {first}: the rate-limit service keeps one limit per key, so one of them is lost; merge them into one limit, or count by different keys',
  },
  check({ model, report }) {
    for (const service of model.services) {
      const seen = new Map<string, number>();
      service.resource.spec.rateLimit?.global?.descriptors.forEach((descriptor, index) => {
        const identity = descriptorIdentity(descriptor);
        if (identity === undefined) return;
        const first = seen.get(identity);
        if (first === undefined) {
          seen.set(identity, index);
          return;
        }
        const path = ['spec', 'rateLimit', 'global', 'descriptors'] as const;
        const name = service.resource.spec.rateLimit!.global!.descriptors[first]!.name;
        report(
          'duplicate',
          { key: identity, first: name ? `"${name}"` : `#${first + 1}` },
          service.keyAt(...path, index, 'key'),
          [{ message: 'the first descriptor with this key', location: service.keyAt(...path, first, 'key') }],
        );
      });
    }
  },
});
