// Connection-pool limits of zero or below. Envoy reads 0 as "allow none" and would refuse every
// connection or request, while Istio drops a 0 and silently applies its unlimited default: either
// way the limit does not do what it says. maxRequestsPerConnection is the exception: 0 is the
// documented spelling of "unlimited" there, so only a negative value is reported.
import { defineRule } from '../../rule.js';

const LIMIT_FIELDS = ['maxConnections', 'maxPendingRequests', 'maxRequests', 'maxRequestsPerConnection', 'maxRetries'] as const;

export default defineRule({
  code: 'MESH404',
  name: 'circuit-breaker-limit-not-positive',
  level: 'error',
  category: 'resilience',
  description: 'A circuit-breaker limit of zero or below: it either refuses everything or is ignored as unset.',
  messages: {
    zero: '{field} 0 would refuse every {what} in Envoy, and Istio ignores it as unset (unlimited): use a positive limit, or remove the field for no limit',
    negative: '{field} is {value}: a limit must be a positive number, or remove the field for no limit',
  },
  check({ model, report }) {
    const what: Record<(typeof LIMIT_FIELDS)[number], string> = {
      maxConnections: 'connection',
      maxPendingRequests: 'queued request',
      maxRequests: 'request',
      maxRequestsPerConnection: 'request',
      maxRetries: 'retry',
    };
    for (const node of [...model.services, ...model.externalServices]) {
      const breaker = node.resource.spec.resilience?.circuitBreaker;
      if (!breaker) continue;
      for (const field of LIMIT_FIELDS) {
        const value = breaker[field];
        if (value === undefined || value > 0 || (value === 0 && field === 'maxRequestsPerConnection')) continue;
        const at = node.at('spec', 'resilience', 'circuitBreaker', field);
        if (value === 0) report('zero', { field, what: what[field] }, at);
        else report('negative', { field, value }, at);
      }
    }
  },
});
