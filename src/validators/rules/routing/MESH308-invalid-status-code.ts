// The status a route answers with itself (a direct response, or an injected abort) must be a real
// final HTTP status: Istio accepts 200-599 only, and a 1xx is not a final answer at all.
import { defineRule } from '../../../diagnostics/rule.js';
import { routeSites } from './sites.js';

export default defineRule({
  code: 'MESH308',
  name: 'invalid-status-code',
  level: 'error',
  category: 'routing',
  description: 'A directResponse or fault abort status outside 200-599.',
  messages: {
    outOfRange: '{field} {status} is not a status a route can answer with: use a status from 200 to 599',
  },
  check(context) {
    for (const { service, route, path } of routeSites(context.model)) {
      const statuses = [
        ['directResponse.status', [...path, 'directResponse', 'status'], route.directResponse?.status],
        ['fault.abort.status', [...path, 'fault', 'abort', 'status'], route.fault?.abort?.status],
      ] as const;
      for (const [field, at, status] of statuses) {
        if (status !== undefined && (status < 200 || status > 599)) context.report('outOfRange', { field, status }, service.at(...at));
      }
    }
  },
});
