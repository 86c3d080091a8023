// A route with its own `to` on a service with a canary: requests matching that route go where the
// route says, not through the canary split. Often intended (pinning an old API to the stable
// version), but worth knowing when reading the canary's weight.
import { defineRule } from '../../rule.js';
import { routeDestinations, routeLabel, routeSites } from './sites.js';

export default defineRule({
  code: 'MESH334',
  name: 'route-bypasses-canary',
  level: 'info',
  category: 'routing',
  description: 'A route with an explicit destination on a service with a canary, so its requests skip the canary split.',
  messages: {
    bypass: 'route "{route}" names its own destination, so its requests skip the canary split ({canary} at {weight}%): leave out to to follow the canary, or keep it to pin these requests',
  },
  check(context) {
    for (const site of routeSites(context.model)) {
      const { canary, versions } = site.service.resource.spec;
      if (!canary || site.route.to === undefined) continue;
      // A canary between versions the service does not declare is broken (MESH201); there is no
      // split to bypass yet.
      if (!versions || !Object.hasOwn(versions, canary.stable) || !Object.hasOwn(versions, canary.canary)) continue;
      // Only destinations in this service bypass its canary; sending elsewhere is another matter.
      if (!routeDestinations(site).some((destination) => destination.service === site.service.key)) continue;
      context.report('bypass', { route: routeLabel(site), canary: canary.canary, weight: canary.weight }, site.service.keyAt(...site.path, 'to'), [
        { message: 'the canary', location: site.service.at('spec', 'canary') },
      ]);
    }
  },
});
