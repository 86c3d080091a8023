// A route does one thing with a request: forward it (`to`), redirect it, or answer it directly.
// Given two, which one runs would depend on the compiler; Istio itself rejects the combination.
import { defineRule } from '../../rule.js';
import { routeLabel, routeSites } from './sites.js';

const ROUTE_ACTIONS = ['to', 'redirect', 'directResponse'] as const;

export default defineRule({
  code: 'MESH302',
  name: 'conflicting-route-actions',
  level: 'error',
  category: 'routing',
  description: 'A route with more than one of to, redirect and directResponse.',
  messages: {
    conflict: 'route "{route}" has both {first} and {second}: a route either forwards (to), redirects or answers directly; keep one, or split it into two routes with different matches',
  },
  check(context) {
    for (const site of routeSites(context.model)) {
      const actions = ROUTE_ACTIONS.filter((action) => site.route[action] !== undefined);
      const [first, ...others] = actions;
      for (const second of others) {
        context.report('conflict', { route: routeLabel(site), first: first!, second }, site.service.keyAt(...site.path, second));
      }
    }
  },
});
