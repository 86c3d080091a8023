// A global rate-limit descriptor counts requests by exactly one key. With none there is nothing to
// count by; with several, the rate-limit service would see a compound key the limit does not
// describe, so meshctl refuses to guess.
import { defineRule } from '../../rule.js';
import { descriptorKeyFields } from './global-rate-limit-keys.js';

export default defineRule({
  code: 'MESH424',
  name: 'rate-limit-descriptor-key-count',
  level: 'error',
  category: 'rate-limit',
  description: 'A global rate-limit descriptor key must set exactly one of header, remoteAddress, path, value.',
  messages: {
    none: 'this descriptor key sets nothing to count requests by: set exactly one of header, remoteAddress, path, value',
    several: 'this descriptor key sets {fields}, but a descriptor counts by one key: keep one of them, or split it into one descriptor per key',
  },
  check({ model, report }) {
    for (const service of model.services) {
      service.resource.spec.rateLimit?.global?.descriptors.forEach((descriptor, index) => {
        const fields = descriptorKeyFields(descriptor);
        const at = service.keyAt('spec', 'rateLimit', 'global', 'descriptors', index, 'key');
        if (fields.length === 0) report('none', {}, at);
        else if (fields.length > 1) report('several', { fields: fields.join(', ') }, at);
      });
    }
  },
});
