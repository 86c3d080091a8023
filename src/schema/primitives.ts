// Shared building blocks of the mesh file format. Syntax that needs more than a type check
// (durations, RE2 regexes, header names) is checked by semantic rules, which can point at the
// exact node and explain the problem better than a schema pattern could.
import { z } from 'zod';
import { LabelKeyedMap, LabelMap, LIMITS, ObjectName, PortNumber } from './limits.js';

/** A Kubernetes-style DNS label: the names meshctl compiles into object names. */
export const Name = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, 'must be a DNS label: lowercase letters, digits and "-", starting and ending with a letter or digit')
  .max(LIMITS.dnsLabel.max, `must be at most ${LIMITS.dnsLabel.max} characters`)
  .meta({ description: 'A DNS label (RFC 1123): lowercase letters, digits and "-".' });

/** A Kubernetes service account name: an object name, a DNS subdomain (RFC 1123). */
export const ServiceAccountName = ObjectName.meta({ description: 'A Kubernetes service account name (a DNS subdomain, RFC 1123).' });

/** A duration such as 250ms, 2s, 1m30s or 1h. Syntax and bounds are checked by MESH310. */
export const Duration = z.string().meta({
  description: 'A duration: one or more <number><unit> with unit ms, s, m or h, e.g. 250ms, 2s, 1m30s.',
  examples: ['250ms', '2s', '1m30s'],
});

/** A reference to a service: `name` (same namespace) or `namespace/name`. */
export const ServiceRef = z.string().min(1).meta({
  description: 'A service: "name" in the same namespace, or "namespace/name".',
});

export const Port = PortNumber;

// 0-100 is checked by rules with advice of their own (MESH300, MESH307, MESH330, MESH403, MESH600);
// the bounds are here as JSON Schema metadata, so editors flag what validate reports.
export const Percent = z.number().meta({ description: 'A percentage, 0-100.', minimum: 0, maximum: 100 });

export const Labels = LabelMap;
export const Annotations = LabelKeyedMap.meta({ description: 'Kubernetes annotations: free-form notes for people and tools (an owner, a runbook link), unlike labels never used to select anything.' });

export const Protocol = z.enum(['http', 'http2', 'grpc', 'tcp', 'tls']).meta({
  description: 'Application protocol. http, http2 and grpc allow L7 features (routing, retries, rate limits); tcp and tls do not.',
});

export const MtlsMode = z.enum(['strict', 'permissive', 'disabled']).meta({
  description: 'strict: only mutual TLS; permissive: mutual TLS and plain text (for migrating); disabled: plain text only.',
});

/** A string match on a header, query parameter or cookie value. Exactly one key. */
export const StringMatch = z
  .strictObject({
    exact: z.string().optional(),
    prefix: z.string().optional(),
    regex: z.string().optional().meta({ description: 'An RE2 regular expression (what Envoy runs) that must match the whole value.' }),
    present: z.literal(true).optional().meta({ description: 'Matches when the header is present, whatever its value.' }),
    absent: z.literal(true).optional().meta({ description: 'Matches when the header is absent.' }),
  })
  .meta({ description: 'Exactly one of exact, prefix, regex, present, absent.' });

/** Shorthand: a plain string means an exact match. */
export const ValueMatch = z.union([z.string(), StringMatch]);

export type StringMatchSpec = z.infer<typeof StringMatch>;
export type ValueMatchSpec = z.infer<typeof ValueMatch>;
