// The status a route answers with itself (a direct response, or an injected abort) must be a real
// final HTTP status: Istio accepts 200-599 only, and a 1xx is not a final answer at all.
import { defineRule } from '../../rule.js';
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
    const invalid = (status: number | undefined): status is number => status !== undefined && (status < 200 || status > 599);
    // Runs for every route of the mesh: paths are only built for a value that is reported.
    for (const { service, route, path } of routeSites(context.model)) {
      const answered = route.directResponse?.status;
      if (invalid(answered)) context.report('outOfRange', { field: 'directResponse.status', status: answered }, service.at(...path, 'directResponse', 'status'));
      const aborted = route.fault?.abort?.status;
      if (invalid(aborted)) context.report('outOfRange', { field: 'fault.abort.status', status: aborted }, service.at(...path, 'fault', 'abort', 'status'));
    }
  },
});
