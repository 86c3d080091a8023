// A mesh route the Gateway API cannot match as the mesh file says: by caller, by a header, query
// parameter or cookie that must be absent, by two cookies at once (a Gateway API match reads one
// condition per header), a gRPC route by anything but its method and headers, or a route that
// answers directly. The target leaves such a route out rather than widen it; requests it would
// have taken go to the routes after it.
import { defineRule } from '../../../validators/rule.js';
import type { PathSegment } from '../../../diagnostics/types.js';
import { leftOutBecause } from '../expressible.js';
import { writtenRoutes } from './routes.js';
import { routeName } from '../../../model/names.js';

const REASONS = {
  caller: 'it matches by caller (match.from), which no Gateway API match can say',
  absent: 'it requires a header, query parameter or cookie to be absent, which no Gateway API match can say',
  'repeated-header': 'it matches two cookies (or a cookie and the A/B cohort\'s cookie), and a Gateway API match reads only one condition per header',
  'pseudo-header': 'narrowed to the exposed paths it needs a condition on the whole path and query (a regex path or a prefix rewrite), which no Gateway API match can say',
  'grpc-match': 'on a grpc port it matches by something other than the gRPC method (an exact path /service/method or a prefix /service/) and headers',
  'grpc-redirect': 'a GRPCRoute cannot redirect',
  'direct-response': 'the Gateway API has no direct response',
} as const;

export default defineRule({
  code: 'MESH700',
  name: 'gateway-api-route-left-out',
  level: 'warning',
  category: 'gateway-api',
  target: 'gateway-api',
  description: 'A route the Gateway API cannot match or answer as the mesh file says: compile --target gateway-api leaves it out.',
  messages: {
    leftOut: 'route "{route}" is left out of the Gateway API routes ({where}): {reason}; its requests go to the routes after it',
  },
  check(context) {
    const seen = new Set<string>();
    for (const written of writtenRoutes(context.model)) {
      const reason = leftOutBecause(written.planned, written.entries, written.family);
      if (reason === undefined) continue;
      const path: PathSegment[] = written.index !== undefined ? ['spec', 'routes', written.index] : ['spec', 'abTest'];
      const key = `${written.service.key} ${path.join('.')} ${reason} ${written.where}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const where = written.where === 'mesh' ? `${written.family === 'grpc' ? 'GRPCRoute' : 'HTTPRoute'} of the service` : `at gateway ${written.where}`;
      context.report('leftOut', { route: written.index !== undefined ? routeName(written.service.resource.spec.routes![written.index]!, written.index) : written.planned.name, where, reason: REASONS[reason] }, written.service.keyAt(...path));
    }
  },
});
