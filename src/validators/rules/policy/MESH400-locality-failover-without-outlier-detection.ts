// Locality failover without outlier detection: Envoy only moves traffic to another region when
// the local endpoints are ejected as unhealthy, and without outlier detection nothing is ever
// ejected, so the failover never happens and the configuration only looks resilient.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH400',
  name: 'locality-failover-without-outlier-detection',
  level: 'error',
  category: 'resilience',
  description: 'Locality failover needs outlier detection: without it no endpoint is ever ejected and traffic never fails over.',
  messages: {
    missing: 'locality failover on "{service}" never happens without outlier detection: add resilience.outlierDetection (e.g. consecutive5xx: 5, interval: 10s) so unhealthy endpoints are ejected',
  },
  check({ model, report }) {
    for (const node of [...model.services, ...model.externalServices]) {
      const resilience = node.resource.spec.resilience;
      if (!resilience?.localityFailover || resilience.outlierDetection) continue;
      report('missing', { service: node.key }, node.keyAt('spec', 'resilience', 'localityFailover'));
    }
  },
});
