// Finds two routes of one service with the same name (a written name, or the route-<index> default
// a written name can repeat). Route names are how diagnostics, reviews and the compiled
// VirtualService's routes refer to a route; two with one name make those references ambiguous.
import { defineRule } from '../../../diagnostics/rule.js';
import { routeName } from '../../../model/names.js';

export default defineRule({
  code: 'MESH225',
  name: 'duplicate-route-name',
  level: 'error',
  category: 'reference',
  description: 'Two routes of one service with the same name.',
  messages: {
    duplicate: 'route name "{name}" is already used by route {index} of this service; give each route its own name',
    defaultName: 'route name "{name}" is the default name of route {index}, which has no name of its own; pick another name',
  },
  check(context) {
    for (const service of context.model.services) {
      const routes = service.resource.spec.routes ?? [];
      const written = new Map<string, number>();
      routes.forEach((route, r) => {
        if (route.name === undefined) return;
        const earlier = written.get(route.name);
        if (earlier === undefined) written.set(route.name, r);
        else context.report('duplicate', { name: route.name, index: earlier }, service.at('spec', 'routes', r, 'name'), [{ message: 'the route that has it first', location: service.at('spec', 'routes', earlier, 'name') }]);
      });
      for (const [name, r] of written) {
        const index = routes.findIndex((route, i) => route.name === undefined && routeName(route, i) === name);
        if (index < 0) continue;
        context.report('defaultName', { name, index }, service.at('spec', 'routes', r, 'name'), [{ message: `route ${index}`, location: service.at('spec', 'routes', index) }]);
      }
    }
  },
});
