// Routes that can never be reached. Routes are tried in order and the first match wins, so a route
// after a catch-all, after an identical match, or after a match that accepts everything it accepts
// (a shorter path prefix, fewer header conditions) never receives a request. Only what can be
// proven is reported: regexes are compared only with the exact values they match.
import { defineRule } from '../../rule.js';
import type { Location } from '../../../diagnostics/types.js';
import type { ServiceNode } from '../../../model/mesh-model.js';
import { coversMatch, matchesEverything, normalizeRouteMatch, sameMatch, type NormalizedRouteMatch } from '../../../model/route-match.js';
import type { RouteSpec } from '../../../schema/traffic.js';
import { routeLabel } from './sites.js';

export default defineRule({
  code: 'MESH301',
  name: 'shadowed-route',
  level: 'error',
  category: 'routing',
  description: 'A route that an earlier route of the same service always matches first, so it never receives traffic.',
  messages: {
    afterCatchAll: 'route "{route}" is never reached: the earlier route "{earlier}" matches every request; move "{route}" above it or give "{earlier}" a match',
    duplicate: 'route "{route}" is never reached: the earlier route "{earlier}" has the same match; merge the two routes or change one match',
    covered: 'route "{route}" is never reached: every request it matches is already matched by the earlier route "{earlier}"; move "{route}" above "{earlier}"',
  },
  check(context) {
    for (const service of context.model.services) {
      const routes = service.resource.spec.routes ?? [];
      const matches = routes.map((route) => normalizeRouteMatch(route.match, service.namespace));
      routes.forEach((route, index) => {
        const later = matches[index]!;
        const earlierIndex = matches.findIndex((earlier, candidate) => candidate < index && coversMatch(earlier, later));
        if (earlierIndex === -1) return;
        const earlier = matches[earlierIndex]!;
        const data = { route: routeLabel({ route, index }), earlier: routeLabel({ route: routes[earlierIndex]!, index: earlierIndex }) };
        const messageId = kindOfShadowing(earlier, later);
        context.report(messageId, data, matchLocation(service, route, index), [
          { message: `route "${data.earlier}" matches first`, location: matchLocation(service, routes[earlierIndex]!, earlierIndex) },
        ]);
      });
    }
  },
});

function kindOfShadowing(earlier: NormalizedRouteMatch, later: NormalizedRouteMatch): 'afterCatchAll' | 'duplicate' | 'covered' {
  if (sameMatch(earlier, later)) return 'duplicate';
  return matchesEverything(earlier) ? 'afterCatchAll' : 'covered';
}

/** The route's `match` key, or the route itself when it has none. */
function matchLocation(service: ServiceNode, route: RouteSpec, index: number): Location {
  return route.match ? service.keyAt('spec', 'routes', index, 'match') : service.at('spec', 'routes', index);
}
