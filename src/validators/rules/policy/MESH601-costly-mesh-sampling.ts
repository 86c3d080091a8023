// Mesh-wide trace sampling above 10%: every proxy of every service then reports spans for that
// share of all requests, which costs CPU in each proxy and storage in the tracing backend. Usual
// mesh-wide rates are 1% or less, raised per namespace or service while investigating.
import { defineRule } from '../../rule.js';
import { telemetrySettings } from './telemetry-settings.js';

const COSTLY_SAMPLING_PERCENT = 10;

export default defineRule({
  code: 'MESH601',
  name: 'costly-mesh-sampling',
  level: 'info',
  category: 'telemetry',
  description: 'Mesh-wide trace sampling above 10% is costly for every proxy and for the tracing backend.',
  messages: {
    costly: 'mesh-wide tracing samples {value}% of all requests, which is costly in every proxy and in the tracing backend: sample 1% or less mesh-wide, and raise it for the namespaces or services you investigate',
  },
  check({ model, report }) {
    for (const entry of telemetrySettings(model)) {
      const value = entry.telemetry.tracing?.samplingPercent;
      if (entry.scope !== 'mesh' || value === undefined || value <= COSTLY_SAMPLING_PERCENT || value > 100) continue;
      report('costly', { value }, entry.at('tracing', 'samplingPercent'));
    }
  },
});
