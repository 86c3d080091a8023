// attempts: 0 turns retries off, so a perTryTimeout or retry conditions next to it never apply.
// Usually a rollback that forgot half the block, or a misunderstanding of attempts (it counts
// retries, not tries).
import { defineRule } from '../../rule.js';
import { routeLabel, routeSites } from './sites.js';

export default defineRule({
  code: 'MESH315',
  name: 'retry-settings-without-retries',
  level: 'warning',
  category: 'routing',
  description: 'retries with attempts 0 but a perTryTimeout or retry conditions, which then never apply.',
  messages: {
    unused: 'route "{route}" sets {setting} but attempts is 0, so it never retries and {setting} has no effect: set attempts to the number of retries wanted, or remove {setting}',
  },
  check(context) {
    for (const site of routeSites(context.model)) {
      const retries = site.route.retries;
      if (retries?.attempts !== 0) continue;
      for (const setting of ['perTryTimeout', 'on'] as const) {
        if (retries[setting] !== undefined) context.report('unused', { route: routeLabel(site), setting }, site.service.keyAt(...site.path, 'retries', setting));
      }
    }
  },
});
