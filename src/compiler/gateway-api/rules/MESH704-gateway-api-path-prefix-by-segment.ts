// A path prefix, which the mesh file means as a plain string prefix (/cart also takes /cartoon),
// is a Gateway API PathPrefix under this target: it matches whole path segments (/cart and
// /cart/..., not /cartoon) and ignores a trailing "/" (/reviews/ also takes /reviews). The target
// writes it so anyway: Istio ranks a regular expression below every prefix, so the exact string
// prefix, written as a regex, would lose to the service's default route. Reported so the few
// requests whose meaning changes are known.
import { defineRule } from '../../../validators/rule.js';
import { normalizePathMatch } from '../../../model/route-match.js';

export default defineRule({
  code: 'MESH704',
  name: 'gateway-api-path-prefix-by-segment',
  level: 'info',
  category: 'gateway-api',
  target: 'gateway-api',
  description: 'A path prefix becomes a Gateway API PathPrefix, which matches whole path segments rather than any string prefix.',
  messages: {
    segments: 'path prefix "{prefix}" is a Gateway API PathPrefix, which matches whole segments: it takes {prefix} and {prefix}/..., not other paths that merely start with "{prefix}" ({prefix}x)',
    trailingSlash: 'path prefix "{prefix}" is a Gateway API PathPrefix, which ignores a trailing "/": it also takes {exact} itself',
  },
  check(context) {
    for (const service of context.model.services) {
      const spec = service.resource.spec;
      const report = (prefix: string, at: ReturnType<typeof service.at>) => {
        if (prefix === '/' || prefix === '') return;
        if (prefix.endsWith('/')) context.report('trailingSlash', { prefix, exact: prefix.slice(0, -1) }, at);
        else context.report('segments', { prefix }, at);
      };
      (spec.routes ?? []).forEach((route, index) => {
        if (route.match?.path === undefined) return;
        const path = normalizePathMatch(route.match.path);
        if (path.kind === 'prefix') report(path.value, service.at('spec', 'routes', index, 'match', 'path'));
      });
      (spec.expose ?? []).forEach((exposure, e) => {
        (exposure.paths ?? []).forEach((path, p) => {
          if (typeof path === 'string') report(path, service.at('spec', 'expose', e, 'paths', p));
          else if (path.prefix !== undefined) report(path.prefix, service.at('spec', 'expose', e, 'paths', p, 'prefix'));
        });
      });
    }
  },
});
