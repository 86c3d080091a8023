// A route setting the Gateway API's standard channel (at the pinned version) cannot carry: retries
// (experimental channel only), fault injection, a prefix rewrite without a prefix path match (a
// Gateway API prefix rewrite needs a PathPrefix match), CORS origins by prefix or regex, and on a
// grpc port a timeout, rewrite or CORS. The route is written without it: Istio's defaults apply
// (its default retry policy, no fault, no timeout).
import { defineRule } from '../../../validators/rule.js';
import { droppedSettings, leftOutBecause } from '../expressible.js';
import { writtenRoutes } from './routes.js';
import { routeName } from '../../../model/names.js';

const WHY = {
  retries: 'HTTPRoute retries are in the Gateway API\'s experimental channel only; Istio applies its default retry policy instead',
  fault: 'the Gateway API has no fault injection',
  rewrite: 'a Gateway API prefix rewrite needs a path prefix match on the same route (and a GRPCRoute has no rewrite)',
  cors: 'Gateway API CORS origins are exact origins or "*" (and a GRPCRoute has no CORS filter)',
  timeout: 'a GRPCRoute has no timeouts',
} as const;

export default defineRule({
  code: 'MESH701',
  name: 'gateway-api-setting-dropped',
  level: 'warning',
  category: 'gateway-api',
  target: 'gateway-api',
  description: 'A route setting the Gateway API standard channel cannot carry: compile --target gateway-api writes the route without it.',
  messages: {
    dropped: '{setting} of route "{route}" is not written for the Gateway API: {why}',
  },
  check(context) {
    const seen = new Set<string>();
    for (const written of writtenRoutes(context.model)) {
      if (written.index === undefined || !written.planned.route) continue;
      if (leftOutBecause(written.planned, written.entries, written.family) !== undefined) continue;
      for (const dropped of droppedSettings(written.index, written.planned.route, written.family)) {
        const key = `${written.service.key} ${dropped.path.join('.')}`;
        if (seen.has(key)) continue;
        seen.add(key);
        context.report('dropped', { setting: dropped.field, route: written.index !== undefined ? routeName(written.service.resource.spec.routes![written.index]!, written.index) : written.planned.name, why: WHY[dropped.field] }, written.service.keyAt(...dropped.path));
      }
    }
  },
});
