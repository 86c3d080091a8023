// Outlier detection configured so that it can never eject an endpoint: a zero ejection budget, or
// both error counters switched off. It reads like protection (and locality failover relies on
// it) but does nothing.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH402',
  name: 'outlier-detection-never-ejects',
  level: 'warning',
  category: 'resilience',
  description: 'Outlier detection that can never eject an endpoint: maxEjectionPercent 0, or both consecutive5xx and consecutiveGatewayErrors 0.',
  messages: {
    zeroPercent: 'maxEjectionPercent 0 allows no endpoint to be ejected, so outlier detection does nothing: use a positive percentage (e.g. 50), or remove outlierDetection',
    noTrigger: 'consecutive5xx 0 and consecutiveGatewayErrors {gateway} switch off both ejection triggers, so no endpoint is ever ejected: set consecutive5xx (e.g. 5) or consecutiveGatewayErrors to a positive count',
  },
  check({ model, report }) {
    for (const node of [...model.services, ...model.externalServices]) {
      const outlier = node.resource.spec.resilience?.outlierDetection;
      if (!outlier) continue;
      const path = ['spec', 'resilience', 'outlierDetection'] as const;
      if (outlier.maxEjectionPercent === 0) report('zeroPercent', {}, node.at(...path, 'maxEjectionPercent'));
      // consecutiveGatewayErrors is off unless set, so 5xx 0 alone already disables ejection.
      const gateway = outlier.consecutiveGatewayErrors;
      if (outlier.consecutive5xx === 0 && (gateway === undefined || gateway === 0)) {
        report('noTrigger', { gateway: gateway === undefined ? 'unset' : 0 }, node.at(...path, 'consecutive5xx'));
      }
    }
  },
});
