// Outlier-detection numbers Envoy cannot take: percentages outside 0-100 and negative error
// counts. Istio rejects such a DestinationRule, so the whole service's policy would fail to apply.
import { defineRule } from '../../rule.js';

const PERCENT_FIELDS = ['maxEjectionPercent', 'minHealthPercent'] as const;
const COUNT_FIELDS = ['consecutive5xx', 'consecutiveGatewayErrors'] as const;

export default defineRule({
  code: 'MESH403',
  name: 'outlier-detection-out-of-range',
  level: 'error',
  category: 'resilience',
  description: 'An outlier-detection percentage outside 0-100 or a negative error count.',
  messages: {
    percent: '{field} is {value}, but it is a percentage: use a value from 0 to 100',
    count: '{field} is {value}, but it counts consecutive errors: use a positive count, or 0 to switch this trigger off',
  },
  check({ model, report }) {
    for (const node of [...model.services, ...model.externalServices]) {
      const outlier = node.resource.spec.resilience?.outlierDetection;
      if (!outlier) continue;
      for (const field of PERCENT_FIELDS) {
        const value = outlier[field];
        if (value !== undefined && (value < 0 || value > 100)) report('percent', { field, value }, node.at('spec', 'resilience', 'outlierDetection', field));
      }
      for (const field of COUNT_FIELDS) {
        const value = outlier[field];
        if (value !== undefined && value < 0) report('count', { field, value }, node.at('spec', 'resilience', 'outlierDetection', field));
      }
    }
  },
});
