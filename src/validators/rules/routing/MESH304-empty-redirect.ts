// A redirect that changes nothing sends the client back to the URL it asked for: the client loops
// until it gives up. At least one of uri, authority, scheme or port must change.
import { defineRule } from '../../rule.js';
import { routeLabel, routeSites } from './sites.js';

export default defineRule({
  code: 'MESH304',
  name: 'empty-redirect',
  level: 'error',
  category: 'routing',
  description: 'A redirect that sets none of uri, authority, scheme and port, so it redirects to the same URL.',
  messages: {
    empty: 'the redirect of route "{route}" changes nothing, so clients are sent back to the URL they asked for and loop: set uri, authority, scheme or port',
  },
  check(context) {
    for (const site of routeSites(context.model)) {
      const redirect = site.route.redirect;
      if (!redirect) continue;
      if (redirect.uri === undefined && redirect.authority === undefined && redirect.scheme === undefined && redirect.port === undefined) {
        context.report('empty', { route: routeLabel(site) }, site.service.keyAt(...site.path, 'redirect'));
      }
    }
  },
});
