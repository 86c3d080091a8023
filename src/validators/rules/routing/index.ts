// The routing rules, one per file; listed here and merged into the sorted index in ../index.ts.
import type { Rule } from '../../rule.js';
import invalidSplitWeight from './MESH300-invalid-split-weight.js';
import shadowedRoute from './MESH301-shadowed-route.js';
import conflictingRouteActions from './MESH302-conflicting-route-actions.js';
import ineffectiveRouteSetting from './MESH303-ineffective-route-setting.js';
import emptyRedirect from './MESH304-empty-redirect.js';
import exactlyOneField from './MESH305-exactly-one-field.js';
import mirrorToRouteDestination from './MESH306-mirror-to-route-destination.js';
import percentOutOfRange from './MESH307-percent-out-of-range.js';
import invalidStatusCode from './MESH308-invalid-status-code.js';
import invalidDuration from './MESH310-invalid-duration.js';
import perTryTimeoutExceedsTimeout from './MESH311-per-try-timeout-exceeds-timeout.js';
import retriesOutlastTimeout from './MESH312-retries-outlast-timeout.js';
import unknownRetryCondition from './MESH313-unknown-retry-condition.js';
import negativeRetryAttempts from './MESH314-negative-retry-attempts.js';
import retrySettingsWithoutRetries from './MESH315-retry-settings-without-retries.js';
import invalidRegex from './MESH320-invalid-regex.js';
import regexTooLarge from './MESH321-regex-too-large.js';
import invalidHeaderName from './MESH322-invalid-header-name.js';
import headerNameNotLowercase from './MESH323-header-name-not-lowercase.js';
import unmodifiableHeader from './MESH324-unmodifiable-header.js';
import invalidCanary from './MESH330-invalid-canary.js';
import canaryNotRunning from './MESH331-canary-not-running.js';
import abTestVariantIsControl from './MESH332-ab-test-variant-is-control.js';
import abTestBypassesCanary from './MESH333-ab-test-bypasses-canary.js';
import routeBypassesCanary from './MESH334-route-bypasses-canary.js';
import abTestControlOverridesCanary from './MESH335-ab-test-control-overrides-canary.js';
import l7FeatureOnTcpService from './MESH340-l7-feature-on-tcp-service.js';

export const ROUTING_RULES: readonly Rule[] = [
  invalidSplitWeight,
  shadowedRoute,
  conflictingRouteActions,
  ineffectiveRouteSetting,
  emptyRedirect,
  exactlyOneField,
  mirrorToRouteDestination,
  percentOutOfRange,
  invalidStatusCode,
  invalidDuration,
  perTryTimeoutExceedsTimeout,
  retriesOutlastTimeout,
  unknownRetryCondition,
  negativeRetryAttempts,
  retrySettingsWithoutRetries,
  invalidRegex,
  regexTooLarge,
  invalidHeaderName,
  headerNameNotLowercase,
  unmodifiableHeader,
  invalidCanary,
  canaryNotRunning,
  abTestVariantIsControl,
  abTestBypassesCanary,
  routeBypassesCanary,
  abTestControlOverridesCanary,
  l7FeatureOnTcpService,
];
