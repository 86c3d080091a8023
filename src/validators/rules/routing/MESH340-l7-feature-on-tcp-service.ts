// HTTP features on a service that speaks only TCP or TLS. The proxy sees a byte stream there, not
// requests: it cannot read a path, method, header, query or cookie, and cannot retry, time out,
// rewrite, redirect, mirror, inject faults into, answer, rate-limit per request or apply CORS to a
// request it never parses. Istio drops these silently; the service then behaves unlike its file.
import { defineRule } from '../../rule.js';
import type { PathSegment } from '../../../diagnostics/types.js';
import type { RouteSpec } from '../../../schema/traffic.js';

const L7_MATCH_FIELDS = ['path', 'methods', 'headers', 'query', 'cookies'] as const;
const L7_ROUTE_FIELDS = ['redirect', 'directResponse', 'rewrite', 'mirror', 'headers', 'timeout', 'retries', 'fault', 'cors', 'rateLimit'] as const satisfies readonly (keyof RouteSpec)[];

export default defineRule({
  code: 'MESH340',
  name: 'l7-feature-on-tcp-service',
  level: 'error',
  category: 'routing',
  description: 'An HTTP-only routing feature on a service whose ports are all tcp or tls, where it cannot apply.',
  messages: {
    feature: '{feature} needs HTTP, but every port of this service is {protocols}, so the proxy never sees requests: declare the port as http, http2 or grpc, or remove {feature}',
  },
  check(context) {
    for (const service of context.model.services) {
      const spec = service.resource.spec;
      if (spec.ports.some((port) => port.protocol !== 'tcp' && port.protocol !== 'tls')) continue;
      const protocols = [...new Set(spec.ports.map((port) => port.protocol))].sort().join(' or ');
      const report = (feature: string, path: PathSegment[]) => context.report('feature', { feature, protocols }, service.keyAt(...path));

      (spec.routes ?? []).forEach((route, index) => {
        for (const field of L7_MATCH_FIELDS) {
          if (route.match?.[field] !== undefined) report(`match.${field}`, ['spec', 'routes', index, 'match', field]);
        }
        for (const field of L7_ROUTE_FIELDS) {
          if (route[field] !== undefined) report(field, ['spec', 'routes', index, field]);
        }
      });
      if (spec.abTest) report('abTest', ['spec', 'abTest']);
    }
  },
});
