// A per-try timeout longer than the whole request's timeout never fires: the route timeout ends
// the request first, so the first try that hangs uses up all the time and no retry runs.
import { defineRule } from '../../rule.js';
import { parseDuration } from '../../../model/duration.js';
import { routeLabel, routeSites } from './sites.js';

export default defineRule({
  code: 'MESH311',
  name: 'per-try-timeout-exceeds-timeout',
  level: 'error',
  category: 'routing',
  description: 'A retries.perTryTimeout longer than the route timeout, so it never fires and a hanging try is never retried.',
  messages: {
    exceeds: 'perTryTimeout {perTryTimeout} of route "{route}" is longer than its timeout {timeout}, so a hanging try is never retried: make perTryTimeout shorter than timeout',
  },
  check(context) {
    for (const site of routeSites(context.model)) {
      const { route } = site;
      const perTryTimeout = route.retries?.perTryTimeout;
      if (route.timeout === undefined || perTryTimeout === undefined) continue;
      const timeoutMs = parseDuration(route.timeout);
      const perTryMs = parseDuration(perTryTimeout);
      if (timeoutMs === undefined || perTryMs === undefined || perTryMs <= timeoutMs) continue;
      context.report('exceeds', { route: routeLabel(site), perTryTimeout, timeout: route.timeout }, site.service.at(...site.path, 'retries', 'perTryTimeout'), [
        { message: 'the route timeout', location: site.service.at(...site.path, 'timeout') },
      ]);
    }
  },
});
