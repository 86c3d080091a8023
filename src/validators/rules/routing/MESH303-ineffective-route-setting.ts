// Settings that only apply to a forwarded request, on a route that never forwards: a redirect or a
// direct response never reaches an upstream, so its rewrite, retries, timeout, mirror and fault
// injection never take effect (Istio rejects several of these outright). They mislead readers.
import { defineRule } from '../../rule.js';
import { routeLabel, routeSites } from './sites.js';

const FORWARDING_SETTINGS = ['rewrite', 'retries', 'timeout', 'mirror', 'fault'] as const;

export default defineRule({
  code: 'MESH303',
  name: 'ineffective-route-setting',
  level: 'error',
  category: 'routing',
  description: 'rewrite, retries, timeout, mirror or fault on a route that redirects or answers directly, where they never take effect.',
  messages: {
    ineffective: '{setting} has no effect on route "{route}": it {action}, so no request is forwarded; remove {setting}, or forward with to',
  },
  check(context) {
    for (const site of routeSites(context.model)) {
      const action = site.route.redirect ? 'redirects' : site.route.directResponse ? 'answers directly (directResponse)' : undefined;
      if (!action) continue;
      for (const setting of FORWARDING_SETTINGS) {
        if (site.route[setting] === undefined) continue;
        context.report('ineffective', { setting, route: routeLabel(site), action }, site.service.keyAt(...site.path, setting));
      }
    }
  },
});
