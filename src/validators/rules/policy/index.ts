// The policy rules, one per file; listed here and merged into the sorted index in ../index.ts.
import type { Rule } from '../../rule.js';
import localityFailoverWithoutOutlierDetection from './MESH400-locality-failover-without-outlier-detection.js';
import ineffectiveLocalityFailover from './MESH401-ineffective-locality-failover.js';
import outlierDetectionNeverEjects from './MESH402-outlier-detection-never-ejects.js';
import outlierDetectionOutOfRange from './MESH403-outlier-detection-out-of-range.js';
import circuitBreakerLimitNotPositive from './MESH404-circuit-breaker-limit-not-positive.js';
import hashCookieWithoutTtl from './MESH405-hash-cookie-without-ttl.js';
import outlierPercentNotWhole from './MESH406-outlier-percent-not-whole.js';
import rateLimitNeverPasses from './MESH420-rate-limit-never-passes.js';
import rateLimitBurstBelowRequests from './MESH421-rate-limit-burst-below-requests.js';
import routeRateLimitNeverRefuses from './MESH422-route-rate-limit-never-refuses.js';
import globalRateLimitWithoutService from './MESH423-global-rate-limit-without-service.js';
import rateLimitDescriptorKeyCount from './MESH424-rate-limit-descriptor-key-count.js';
import duplicateRateLimitDescriptor from './MESH425-duplicate-rate-limit-descriptor.js';
import rateLimitOnNonForwardingRoute from './MESH426-rate-limit-on-non-forwarding-route.js';
import emptyRateLimitDescriptorValue from './MESH427-empty-rate-limit-descriptor-value.js';
import rateLimitIntervalBelowMinimum from './MESH428-rate-limit-interval-below-minimum.js';
import accessAllowsEveryone from './MESH500-access-allows-everyone.js';
import denyBlocksEveryRequest from './MESH501-deny-blocks-every-request.js';
import unresolvedAccessSource from './MESH502-unresolved-access-source.js';
import unknownAccessNamespace from './MESH503-unknown-access-namespace.js';
import invalidIpBlock from './MESH504-invalid-ip-block.js';
import ipBlockHostBits from './MESH505-ip-block-host-bits.js';
import invalidPrincipal from './MESH506-invalid-principal.js';
import foreignTrustDomain from './MESH507-foreign-trust-domain.js';
import invalidAccessPath from './MESH508-invalid-access-path.js';
import invalidAccessMethod from './MESH509-invalid-access-method.js';
import claimsWithoutJwt from './MESH510-claims-without-jwt.js';
import denyByDefaultWithoutAllow from './MESH511-deny-by-default-without-allow.js';
import strictMtlsIpBlockCallers from './MESH512-strict-mtls-ip-block-callers.js';
import identityRulesWithoutMtls from './MESH513-identity-rules-without-mtls.js';
import denyClaimsWithOptionalJwt from './MESH514-deny-claims-with-optional-jwt.js';
import denyByDefaultWithMtlsDisabled from './MESH515-deny-by-default-with-mtls-disabled.js';
import gatewayListenerTls from './MESH516-gateway-listener-tls.js';
import jwtProviderBothJwks from './MESH517-jwt-provider-both-jwks.js';
import jwtProviderKeysUndiscoverable from './MESH518-jwt-provider-keys-undiscoverable.js';
import samplingPercentOutOfRange from './MESH600-sampling-percent-out-of-range.js';
import costlyMeshSampling from './MESH601-costly-mesh-sampling.js';
import accessLogOptionsWithoutLogging from './MESH602-access-log-options-without-logging.js';
import namespaceDefaultsWithoutWorkloads from './MESH603-namespace-defaults-without-workloads.js';

export const POLICY_RULES: readonly Rule[] = [
  // resilience
  localityFailoverWithoutOutlierDetection, ineffectiveLocalityFailover, outlierDetectionNeverEjects,
  outlierDetectionOutOfRange, circuitBreakerLimitNotPositive, hashCookieWithoutTtl, outlierPercentNotWhole,
  // rate limits
  rateLimitNeverPasses, rateLimitBurstBelowRequests, routeRateLimitNeverRefuses,
  globalRateLimitWithoutService, rateLimitDescriptorKeyCount, duplicateRateLimitDescriptor,
  rateLimitOnNonForwardingRoute, emptyRateLimitDescriptorValue, rateLimitIntervalBelowMinimum,
  // security
  accessAllowsEveryone, denyBlocksEveryRequest, unresolvedAccessSource, unknownAccessNamespace,
  invalidIpBlock, ipBlockHostBits, invalidPrincipal, foreignTrustDomain, invalidAccessPath,
  invalidAccessMethod, claimsWithoutJwt, denyByDefaultWithoutAllow, strictMtlsIpBlockCallers,
  identityRulesWithoutMtls, denyClaimsWithOptionalJwt, denyByDefaultWithMtlsDisabled,
  gatewayListenerTls, jwtProviderBothJwks, jwtProviderKeysUndiscoverable,
  // telemetry
  samplingPercentOutOfRange, costlyMeshSampling, accessLogOptionsWithoutLogging,
  namespaceDefaultsWithoutWorkloads,
];
