// Percentages in a route (how many requests get a fault injected or are mirrored) outside 0-100:
// Istio rejects them, and no reading of "150% of requests" makes sense.
import { defineRule } from '../../../diagnostics/rule.js';
import { routeSites } from './sites.js';

export default defineRule({
  code: 'MESH307',
  name: 'percent-out-of-range',
  level: 'error',
  category: 'routing',
  description: 'A fault-injection or mirror percentage outside 0-100.',
  messages: {
    outOfRange: '{field} is {percent}, outside 0-100: it is the percentage of requests affected',
  },
  check(context) {
    for (const { service, route, path } of routeSites(context.model)) {
      const percentages = [
        ['fault.delay.percent', [...path, 'fault', 'delay', 'percent'], route.fault?.delay?.percent],
        ['fault.abort.percent', [...path, 'fault', 'abort', 'percent'], route.fault?.abort?.percent],
        ['mirror.percent', [...path, 'mirror', 'percent'], route.mirror?.percent],
      ] as const;
      for (const [field, at, percent] of percentages) {
        if (percent !== undefined && (percent < 0 || percent > 100)) context.report('outOfRange', { field, percent }, service.at(...at));
      }
    }
  },
});
