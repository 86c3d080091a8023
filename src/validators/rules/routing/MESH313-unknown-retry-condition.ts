// Retry conditions Envoy does not know. Envoy rejects a route whose retry_on lists an unknown
// condition, so one typo (5XX, connection-failure) fails the whole route configuration. As in
// Istio, an HTTP status code such as 503 is also accepted: it retries on that status.
import { defineRule } from '../../rule.js';
import { closestMatch } from '../../../common/suggest.js';
import { routeSites } from './sites.js';

/** x-envoy-retry-on values. */
const HTTP_RETRY_CONDITIONS = [
  '5xx',
  'gateway-error',
  'reset',
  'reset-before-request',
  'connect-failure',
  'envoy-ratelimited',
  'retriable-4xx',
  'refused-stream',
  'retriable-status-codes',
  'retriable-headers',
  'http3-post-connect-failure',
] as const;

/** x-envoy-retry-grpc-on values. */
const GRPC_RETRY_CONDITIONS = ['cancelled', 'deadline-exceeded', 'internal', 'resource-exhausted', 'unavailable'] as const;

const KNOWN = new Set<string>([...HTTP_RETRY_CONDITIONS, ...GRPC_RETRY_CONDITIONS]);

export default defineRule({
  code: 'MESH313',
  name: 'unknown-retry-condition',
  level: 'error',
  category: 'routing',
  description: 'A retries.on condition that is neither an Envoy retry condition nor an HTTP status code, which makes Envoy reject the route.',
  messages: {
    unknown: '"{condition}" is not a retry condition{suggestion}: use an Envoy condition such as 5xx, gateway-error, reset, connect-failure or unavailable, or a status code such as 503',
  },
  check(context) {
    for (const { service, route, path } of routeSites(context.model)) {
      route.retries?.on?.forEach((condition, index) => {
        if (KNOWN.has(condition) || isRetriableStatus(condition)) return;
        const closest = closestMatch(condition, KNOWN);
        const suggestion = closest ? ` (did you mean "${closest}"?)` : '';
        context.report('unknown', { condition, suggestion }, service.at(...path, 'retries', 'on', index));
      });
    }
  },
});

function isRetriableStatus(condition: string): boolean {
  return /^[1-5]\d\d$/.test(condition);
}
