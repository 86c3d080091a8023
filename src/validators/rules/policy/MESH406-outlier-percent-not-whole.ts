// Outlier-detection percentages with a fraction. Istio's DestinationRule takes maxEjectionPercent
// and minHealthPercent as whole numbers (int32), so 33.3 cannot be said: rounding it silently would
// change the limit a reviewer approved, in one direction or the other. The message suggests the
// whole number on the safe side: down for the ejection cap (never eject more than written), up
// for the healthy share (never fall back to all hosts later than written).
import { defineRule } from '../../rule.js';

const ROUNDING = {
  maxEjectionPercent: { round: Math.floor, direction: 'down, so no more hosts are ejected than written' },
  minHealthPercent: { round: Math.ceil, direction: 'up, so panic mode starts no later than written' },
} as const;

/** The whole number to suggest; a cap rounded down to 0 would switch ejection off (MESH402), so it becomes 1. */
function suggestion(field: keyof typeof ROUNDING, value: number): { value: number; direction: string } {
  const rounded = ROUNDING[field].round(value);
  if (field === 'maxEjectionPercent' && rounded === 0) return { value: 1, direction: 'up, as 0 would eject no host at all' };
  return { value: rounded, direction: ROUNDING[field].direction };
}

export default defineRule({
  code: 'MESH406',
  name: 'outlier-percent-not-whole',
  level: 'error',
  category: 'resilience',
  description: 'An outlier-detection maxEjectionPercent or minHealthPercent with a fraction, which Istio cannot take (whole percentages only).',
  messages: {
    fraction: '{field} is {value}, but Istio takes whole percentages only: write {suggestion} (rounded {direction})',
  },
  check({ model, report }) {
    for (const node of [...model.services, ...model.externalServices]) {
      const outlier = node.resource.spec.resilience?.outlierDetection;
      if (!outlier) continue;
      for (const field of ['maxEjectionPercent', 'minHealthPercent'] as const) {
        const value = outlier[field];
        // Values outside 0-100 are MESH403's finding, whatever their fraction.
        if (value === undefined || Number.isInteger(value) || value < 0 || value > 100) continue;
        const suggested = suggestion(field, value);
        report('fraction', { field, value, suggestion: suggested.value, direction: suggested.direction }, node.at('spec', 'resilience', 'outlierDetection', field));
      }
    }
  },
});
