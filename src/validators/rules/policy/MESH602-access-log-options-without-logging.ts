// Access-log options next to enabled: false: with logging off, format and errorsOnly have no
// effect. Either the options are left over, or logging was switched off by mistake.
import { defineRule } from '../../rule.js';
import { telemetrySettings } from './telemetry-settings.js';

export default defineRule({
  code: 'MESH602',
  name: 'access-log-options-without-logging',
  level: 'warning',
  category: 'telemetry',
  description: 'Access-log format or errorsOnly set while the access log is disabled: they have no effect.',
  messages: {
    noEffect: '{field} has no effect because the access log of {scope} is disabled: remove {field}, or set enabled to true',
  },
  check({ model, report }) {
    for (const entry of telemetrySettings(model)) {
      const log = entry.telemetry.accessLog;
      if (!log || log.enabled) continue;
      for (const field of ['format', 'errorsOnly'] as const) {
        if (log[field] !== undefined) report('noEffect', { field, scope: entry.label }, entry.keyAt('accessLog', field));
      }
    }
  },
});
