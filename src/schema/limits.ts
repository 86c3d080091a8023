// The bounds of what meshctl can compile, in one place: each taken from the field of Istio's CRDs
// (v1.30), Kubernetes' object rules or Envoy's v3 protos that a mesh value ends up in, so that
// whatever `validate` accepts, the API server and Envoy accept too. The zod schema uses these, so
// the published JSON Schema carries them and editors flag a value before meshctl runs.
import { z } from 'zod';

/** Largest int32: Istio's `format: int32` fields (DestinationRule connectionPool, HTTPRetry.attempts). */
export const INT32_MAX = 2 ** 31 - 1;
/** Largest uint32: Envoy's UInt32Value and uint32 fields, Istio's `maximum: 4294967295`. */
export const UINT32_MAX = 2 ** 32 - 1;

export const LIMITS = {
  /** ServiceEntry/WorkloadEntry `ports` CEL "port must be between 1-65535"; VirtualService
   * `destination.port.number` and `httpRedirect.port` (uint32, 1–65535 by the same rule);
   * Envoy `SocketAddress.port_value` (uint32, lte 65535). Port 0 asks the kernel for any port. */
  port: { min: 1, max: 65535 },
  /** VirtualService `http[].retries.attempts`: int32. Envoy `RetryPolicy.num_retries`: UInt32Value. */
  retryAttempts: { max: INT32_MAX },
  /** DestinationRule `connectionPool.tcp.maxConnections`, `http.http1MaxPendingRequests`,
   * `http.http2MaxRequests`, `http.maxRequestsPerConnection`, `http.maxRetries`: int32 (Envoy's
   * `CircuitBreakers.Thresholds` are UInt32Value, wider). */
  circuitBreaker: { max: INT32_MAX },
  /** DestinationRule `outlierDetection.consecutive5xxErrors`, `consecutiveGatewayErrors`: UInt32Value
   * (`maximum: 4294967295`); Envoy `OutlierDetection.consecutive_5xx`: UInt32Value. */
  outlierCount: { max: UINT32_MAX },
  /** Envoy `TokenBucket.max_tokens` (uint32, gt 0) and `tokens_per_fill` (UInt32Value, gt 0). */
  tokenBucket: { max: UINT32_MAX },
  /** envoyproxy/ratelimit `RateLimitPolicy.requests_per_unit`: uint32. */
  globalRequests: { max: UINT32_MAX },
  /** Kubernetes names: a DNS-1123 label (namespaces, Service names, port names) is at most 63
   * characters; a DNS-1123 subdomain (object names, Secret names as `credentialName`) at most 253. */
  dnsLabel: { max: 63 },
  /** Istio's port-name CEL rule: `size(key) < 63`. */
  portName: { max: 62 },
  dnsSubdomain: { max: 253 },
  /** Kubernetes label keys: an optional DNS subdomain prefix and "/", then a name of at most 63
   * characters; label values at most 63 characters. */
  labelName: { max: 63 },
  labelValue: { max: 63 },
  /** WorkloadEntry `address`: maxLength 256 (also ServiceEntry `endpoints[].address`, and the
   * Envoy target's endpoint addresses, which are IPs or DNS names); `serviceAccount`: maxLength
   * 253; `network`, `locality`: maxLength 2048 (ServiceEntry `endpoints[]` the same). */
  workloadAddress: { max: 256 },
  workloadServiceAccount: { max: 253 },
  workloadNetwork: { max: 2048 },
  /** ServiceEntry `hosts`: at most 256 per entry; Istio refuses a host longer than a DNS name (253). */
  host: { max: 253 },
} as const;

/** RFC 1123 label: Kubernetes namespaces and Service names, Istio port names. */
export const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** RFC 1123 subdomain: object names (a Secret's, for a gateway's credentialName). */
export const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
/** The name part of a label key, and a non-empty label value (Kubernetes' qualified-name rules). */
export const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
/** A label key's form; the lengths of its parts are checked by labelKeyProblem. */
export const LABEL_KEY = /^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
export const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$/;

/** Why a label key is not one Kubernetes accepts, or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined) {
    if (prefix === '') return 'has an empty prefix before "/"';
    if (prefix.length > LIMITS.dnsSubdomain.max) return `has a prefix longer than ${LIMITS.dnsSubdomain.max} characters`;
    if (!DNS_SUBDOMAIN.test(prefix)) return 'has a prefix that is not a DNS subdomain (lowercase letters, digits, "-" and ".")';
  }
  if (name === '') return 'has an empty name';
  if (name.length > LIMITS.labelName.max) return `has a name longer than ${LIMITS.labelName.max} characters`;
  if (!LABEL_NAME.test(name)) return 'has a name that is not letters, digits, "-", "_" and ".", starting and ending with a letter or digit';
  return undefined;
}

/** Istio port names (ServiceEntry/WorkloadEntry `ports` keys: CEL `size(key) < 63` and an
 * alphanumeric-and-"-" form); a Kubernetes Service port name is a lowercase DNS label. */
export const PortName = z
  .string()
  .regex(DNS_LABEL, 'must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit')
  .max(LIMITS.portName.max, `must be at most ${LIMITS.portName.max} characters`);

/** A Kubernetes object name (RFC 1123 subdomain): a Secret's for credentialName, a ServiceAccount's. */
export const ObjectName = z
  .string()
  .regex(DNS_SUBDOMAIN, 'must be a Kubernetes object name: lowercase letters, digits, "-" and ".", starting and ending with a letter or digit')
  .max(LIMITS.dnsSubdomain.max, `must be at most ${LIMITS.dnsSubdomain.max} characters`);

/** RequestAuthentication `jwtRules[].jwksUri`: CEL `url(self).getScheme() in ["http", "https"]`;
 * Envoy's `remote_jwks.http_uri.uri` fetches it. */
export const HttpUrl = z
  .string()
  .regex(/^https?:\/\/[^\s/?#@]+(?:[/?#][^\s]*)?$/i, 'must be an http:// or https:// URL')
  .refine((text) => URL.canParse(text), 'must be an http:// or https:// URL');

export const PortNumber = z
  .number()
  .int()
  .min(LIMITS.port.min)
  .max(LIMITS.port.max)
  .meta({ description: `A TCP port, ${LIMITS.port.min}-${LIMITS.port.max}.` });

/**
 * A whole number no larger than `max`. A lower bound is a semantic rule's, with its own advice, so
 * the zod type leaves it out; `ruleMinimum` (the smallest value that rule accepts) is carried into
 * the JSON Schema alone, so editors flag what validate would.
 */
export function count(max: number, ruleMinimum?: number) {
  const schema = z.number().int().max(max);
  return ruleMinimum === undefined ? schema : schema.meta({ minimum: ruleMinimum });
}

const LabelKey = z
      .string()
      .regex(LABEL_KEY, 'must be a Kubernetes label key: [prefix/]name')
      .superRefine((key, context) => {
        const problem = labelKeyProblem(key);
        if (problem !== undefined) context.addIssue({ code: 'custom', message: `label key ${JSON.stringify(key)} ${problem}` });
      })
      .meta({ description: 'A label key: [prefix/]name, the prefix a DNS subdomain (at most 253 characters), the name at most 63 characters.' });

/** Kubernetes labels: keys and values as the API server accepts them on any object. */
export const LabelMap = z
  .record(
    LabelKey,
    z
      .string()
      .max(LIMITS.labelValue.max, `must be at most ${LIMITS.labelValue.max} characters`)
      .regex(LABEL_VALUE, 'must be empty or letters, digits, "-", "_" and ".", starting and ending with a letter or digit'),
  )
  .meta({ description: 'Kubernetes labels.' });

/** Annotations: keys as label keys, values free. */
export const LabelKeyedMap = z.record(LabelKey, z.string()).meta({ description: 'Kubernetes annotations.' });
