// Retries that the route timeout leaves no time for. `attempts` counts retries after the first try;
// when tries time out, retry n starts after n per-try timeouts, so once attempts x perTryTimeout
// reaches the route timeout the last retries can never start. The configuration promises more
// resilience than it gives.
import { defineRule } from '../../rule.js';
import { parseDuration, toProtoDuration } from '../../../model/duration.js';
import { routeLabel, routeSites } from './sites.js';

export default defineRule({
  code: 'MESH312',
  name: 'retries-outlast-timeout',
  level: 'warning',
  category: 'routing',
  description: 'More retries than fit in the route timeout when tries time out, so the last retries never run.',
  messages: {
    outlast: 'route "{route}" allows {retries} of up to {perTryTimeout} each, but when tries time out only {usable} can start within its timeout {timeout}: lower attempts to {usable}, or raise timeout above {needed}',
    none: 'route "{route}" allows {retries} of up to {perTryTimeout} each, but when the first try times out its timeout {timeout} has run out, so no retry can start: shorten perTryTimeout, or raise timeout above {needed}',
  },
  check(context) {
    for (const site of routeSites(context.model)) {
      const { route } = site;
      const retries = route.retries;
      if (route.timeout === undefined || retries?.perTryTimeout === undefined || retries.attempts < 1) continue;
      const timeoutMs = parseDuration(route.timeout);
      const perTryMs = parseDuration(retries.perTryTimeout);
      // A per-try timeout beyond the route timeout is MESH311's finding; under 1ms is MESH310's.
      if (timeoutMs === undefined || perTryMs === undefined || perTryMs < 1 || perTryMs > timeoutMs) continue;
      if (retries.attempts * perTryMs < timeoutMs) continue;
      const usable = Math.ceil(timeoutMs / perTryMs) - 1;
      context.report(
        usable === 0 ? 'none' : 'outlast',
        {
          route: routeLabel(site),
          retries: retries.attempts === 1 ? '1 retry' : `${retries.attempts} retries`,
          perTryTimeout: retries.perTryTimeout,
          timeout: route.timeout,
          usable,
          needed: toProtoDuration(retries.attempts * perTryMs),
        },
        site.service.at(...site.path, 'retries', 'attempts'),
        [{ message: 'the route timeout', location: site.service.at(...site.path, 'timeout') }],
      );
    }
  },
});
