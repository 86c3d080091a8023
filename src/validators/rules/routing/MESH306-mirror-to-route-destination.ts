// Mirroring sends a copy of each request to a second destination whose answers are thrown away,
// to try a new version on real traffic. Mirroring to the very destination the route already sends
// to doubles that destination's load and runs every non-idempotent request twice.
import { defineRule } from '../../rule.js';
import { qualify } from '../../../model/mesh-model.js';
import { routeDestinations, routeLabel, routeSites } from './sites.js';

export default defineRule({
  code: 'MESH306',
  name: 'mirror-to-route-destination',
  level: 'error',
  category: 'routing',
  description: 'A route that mirrors requests to the same service and version it already sends them to.',
  messages: {
    self: 'route "{route}" mirrors to {destination}, which already gets these requests from the route: they would run twice there; mirror to a version the route does not send to',
  },
  check(context) {
    for (const site of routeSites(context.model)) {
      const mirror = site.route.mirror;
      if (!mirror) continue;
      const service = mirror.service === undefined ? site.service.key : qualify(mirror.service, site.service.namespace);
      const same = routeDestinations(site).find((destination) => destination.service === service && destination.version === mirror.version);
      if (!same) continue;
      const where = service === site.service.key ? 'this service' : service;
      const destination = mirror.version === undefined ? `all versions of ${where}` : `version ${mirror.version} of ${where}`;
      const related = same.path ? [{ message: 'the route sends requests here', location: site.service.at(...same.path) }] : undefined;
      context.report('self', { route: routeLabel(site), destination }, site.service.keyAt(...site.path, 'mirror'), related);
    }
  },
});
