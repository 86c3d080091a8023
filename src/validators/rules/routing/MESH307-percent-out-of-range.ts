// Percentages in a route (how many requests get a fault injected or are mirrored) outside 0-100:
// Istio rejects them, and no reading of "150% of requests" makes sense.
import { defineRule } from '../../rule.js';
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
    const outOfRange = (percent: number | undefined): percent is number => percent !== undefined && (percent < 0 || percent > 100);
    // Runs for every route of the mesh: paths are only built for a value that is reported.
    for (const { service, route, path } of routeSites(context.model)) {
      const delay = route.fault?.delay?.percent;
      if (outOfRange(delay)) context.report('outOfRange', { field: 'fault.delay.percent', percent: delay }, service.at(...path, 'fault', 'delay', 'percent'));
      const abort = route.fault?.abort?.percent;
      if (outOfRange(abort)) context.report('outOfRange', { field: 'fault.abort.percent', percent: abort }, service.at(...path, 'fault', 'abort', 'percent'));
      const mirror = route.mirror?.percent;
      if (outOfRange(mirror)) context.report('outOfRange', { field: 'mirror.percent', percent: mirror }, service.at(...path, 'mirror', 'percent'));
    }
  },
});
