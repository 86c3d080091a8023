// A token bucket on a route that redirects or answers directly. Local rate limits live in the
// inbound proxy of the service's own instances, but such a route is answered by the caller's proxy
// (or the gateway): its requests never reach the service, so no bucket ever counts them, and the
// emitter leaves the limit out. The route looks protected while it is not.
import { defineRule } from '../../../diagnostics/rule.js';
import { routeName } from '../../../model/names.js';
import { localRateLimits } from './local-rate-limits.js';

export default defineRule({
  code: 'MESH426',
  name: 'rate-limit-on-non-forwarding-route',
  level: 'warning',
  category: 'rate-limit',
  description: 'A rateLimit on a route that redirects or answers directly, whose requests never reach the proxy that enforces it.',
  messages: {
    neverEnforced:
      'rateLimit on route "{route}" is never enforced: the route {action}, so its requests are answered before they reach the service\'s own proxies, where the buckets live; remove rateLimit, or limit the service the requests end up at',
  },
  check({ model, report }) {
    for (const service of model.services) {
      const routes = service.resource.spec.routes ?? [];
      for (const entry of localRateLimits(service)) {
        if (entry.route === undefined) continue;
        const route = routes[entry.route]!;
        const answer = route.redirect ? 'redirect' : route.directResponse ? 'directResponse' : undefined;
        if (!answer) continue;
        const action = answer === 'redirect' ? 'redirects' : 'answers directly (directResponse)';
        report('neverEnforced', { route: routeName(route, entry.route), action }, service.keyAt(...entry.path), [
          { message: answer === 'redirect' ? 'the redirect' : 'the direct response', location: service.keyAt('spec', 'routes', entry.route, answer) },
        ]);
      }
    }
  },
});
