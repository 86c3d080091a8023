// A negative number of retries means nothing: Envoy's num_retries is unsigned, so the route would
// be rejected (or, worse, wrap around to billions of retries in a hand-written conversion).
import { defineRule } from '../../rule.js';
import { routeSites } from './sites.js';

export default defineRule({
  code: 'MESH314',
  name: 'negative-retry-attempts',
  level: 'error',
  category: 'routing',
  description: 'retries.attempts below 0.',
  messages: {
    negative: 'attempts is {attempts}: it counts retries after the first try, so use 0 (no retries) or more',
  },
  check(context) {
    for (const { service, route, path } of routeSites(context.model)) {
      const attempts = route.retries?.attempts;
      if (attempts !== undefined && attempts < 0) context.report('negative', { attempts }, service.at(...path, 'retries', 'attempts'));
    }
  },
});
