// Durations anywhere in the format (route timeouts, retry and fault timings, CORS max age, rate-limit
// intervals, resilience timings, cookie TTLs, the rate-limit service timeout). The schema takes
// them as strings so this rule can point at the bad value and say what is wrong with it: no unit,
// an unknown unit, or a value Envoy cannot use (under 1ms rounds to 0, which Envoy reads as "no
// timeout" or rejects; beyond protobuf's range it cannot be sent at all).
import { defineRule } from '../../rule.js';
import { parseDuration } from '../../../model/duration.js';
import { durationSites } from './sites.js';

/** The largest google.protobuf.Duration: 10,000 years. */
const MAX_DURATION_MS = 315_576_000_000_000;

export default defineRule({
  code: 'MESH310',
  name: 'invalid-duration',
  level: 'error',
  category: 'routing',
  description: 'A duration that is not <number><unit> (ms, s, m, h), or is under 1ms or beyond what Envoy can represent.',
  messages: {
    noUnit: '"{value}" has no unit: write {value}ms or {value}s',
    unknownUnit: '"{value}" uses the unit "{unit}", which durations do not have: use ms, s, m or h, e.g. 24h for a day',
    syntax: '"{value}" is not a duration: write one or more <number><unit> with unit ms, s, m or h and no spaces, e.g. 250ms, 2s or 1m30s',
    tooShort: '{value} is less than 1ms: Envoy would read it as 0, which means "no limit" or is rejected; use at least 1ms',
    tooLong: '{value} is longer than Envoy can represent (10,000 years): use a shorter duration',
  },
  check(context) {
    for (const site of durationSites(context.model)) {
      const value = site.value;
      const milliseconds = parseDuration(value);
      if (milliseconds !== undefined && (milliseconds >= 1 || (site.zeroAllowed && milliseconds === 0)) && milliseconds <= MAX_DURATION_MS) continue;
      // Located only when there is a finding: most durations are fine.
      const location = site.node.at(...site.path);
      if (milliseconds === undefined) {
        const unit = /^\d+(?:\.\d+)?\s*([^\d\s.]+)$/.exec(value.trim())?.[1];
        if (/^\d+(?:\.\d+)?$/.test(value.trim())) context.report('noUnit', { value: value.trim() }, location);
        else if (unit !== undefined && !/^(ms|s|m|h)$/.test(unit)) context.report('unknownUnit', { value, unit }, location);
        else context.report('syntax', { value }, location);
      } else if (milliseconds < 1 && !(site.zeroAllowed && milliseconds === 0)) {
        context.report('tooShort', { value }, location);
      } else if (milliseconds > MAX_DURATION_MS) {
        context.report('tooLong', { value }, location);
      }
    }
  },
});
