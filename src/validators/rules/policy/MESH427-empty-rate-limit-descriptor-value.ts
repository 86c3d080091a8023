// A global rate-limit descriptor keyed by a fixed value that is empty. The value becomes the
// descriptor_value of an Envoy generic_key action, which must not be empty: Envoy rejects the
// route configuration that carries it, and every route of the listener with it.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH427',
  name: 'empty-rate-limit-descriptor-value',
  level: 'error',
  category: 'rate-limit',
  description: 'A global rate-limit descriptor whose key.value is empty, which Envoy rejects together with the route configuration.',
  messages: {
    empty: 'this descriptor counts by the fixed value "", but Envoy rejects an empty descriptor value (and with it the whole route configuration): name the bucket, e.g. value: all',
  },
  check({ model, report }) {
    for (const service of model.services) {
      service.resource.spec.rateLimit?.global?.descriptors.forEach((descriptor, index) => {
        if (descriptor.key.value === '') report('empty', {}, service.at('spec', 'rateLimit', 'global', 'descriptors', index, 'key', 'value'));
      });
    }
  },
});
