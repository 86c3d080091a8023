// A tracing sampling percentage outside 0-100: Istio rejects the Telemetry resource, so tracing
// falls back to whatever applied before, silently.
import { defineRule } from '../../rule.js';
import { telemetrySettings } from './telemetry-settings.js';

export default defineRule({
  code: 'MESH600',
  name: 'sampling-percent-out-of-range',
  level: 'error',
  category: 'telemetry',
  description: 'A tracing samplingPercent outside 0-100.',
  messages: {
    range: 'samplingPercent {value} is not a percentage: use a value from 0 to 100 (e.g. 1 for one request in a hundred)',
  },
  check({ model, report }) {
    for (const entry of telemetrySettings(model)) {
      const value = entry.telemetry.tracing?.samplingPercent;
      if (value !== undefined && (value < 0 || value > 100)) report('range', { value }, entry.at('tracing', 'samplingPercent'));
    }
  },
});
