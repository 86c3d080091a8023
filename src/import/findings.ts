// What `meshctl import` could not carry into mesh files, and why. Each finding names the Istio or
// Kubernetes object it is about (file:line:col of the node when read from a file, kind/namespace/name
// when read from a cluster) and has a stable code documented in docs/import-findings.md. Nothing is
// dropped without one: an object none of whose fields raised a finding was imported whole.
import { renderMessage } from '../diagnostics/rule.js';
import type { Level, PathSegment, SourceSpan } from '../diagnostics/types.js';

export interface ImportFindingKind {
  readonly code: string;
  readonly name: string;
  readonly level: Level;
  /** The Istio feature it is about, for the per-feature shares of the report. */
  readonly feature: string;
  readonly message: string;
  /** The finding means the whole object was left out (else only a part of it). */
  readonly dropsObject?: boolean;
}

/**
 * The catalogue. Codes are stable and never reused. `error` means the object could not be
 * imported at all (or the mesh would not be valid without a decision only its owner can make);
 * `warning` means a part of it was left out and behaviour may differ; `info` means nothing of its
 * behaviour was lost but its form changed.
 */
export const IMPORT_FINDINGS = {
  unsupportedKind: { dropsObject: true, code: 'IMP001', name: 'unsupported-kind', level: 'warning', feature: 'other kinds', message: '{kind} {object} is not a kind meshctl imports; it was left out' },
  unreadable: { dropsObject: true, code: 'IMP002', name: 'unreadable-object', level: 'error', feature: 'input', message: '{what}' },
  unsupportedField: { code: 'IMP003', name: 'unsupported-field', level: 'warning', feature: '{feature}', message: '{kind} {object}: {field} has no mesh-file form and was left out{why}' },
  unknownHost: { code: 'IMP004', name: 'unknown-host', level: 'warning', feature: '{feature}', message: '{kind} {object}: host "{host}" is no Kubernetes Service or ServiceEntry of the input (import it too); left out: {what}' },
  unknownCaller: { code: 'IMP006', name: 'unknown-caller', level: 'warning', feature: '{feature}', message: '{kind} {object}: the workloads {labels} are no service of the input; left out: {what}' },
  reshapedMatch: { code: 'IMP007', name: 'reshaped-route', level: 'info', feature: 'request routing', message: '{kind} {object}: route "{route}" {how}' },
  conflictingObjects: { dropsObject: true, code: 'IMP008', name: 'conflicting-objects', level: 'warning', feature: '{feature}', message: '{kind} {object} sets {what} for {target}, which {other} already set; it was left out' },
  selectorMismatch: { dropsObject: true, code: 'IMP009', name: 'unmatched-selector', level: 'warning', feature: '{feature}', message: '{kind} {object} selects workloads {labels}, which are no service\'s workloads; it was left out' },
  identity: { code: 'IMP010', name: 'identity-not-expressible', level: 'warning', feature: 'authorization', message: '{kind} {object}: {what}; the rule was left out' },
  rateLimitShape: { dropsObject: true, code: 'IMP011', name: 'foreign-envoy-filter', level: 'warning', feature: 'rate limits', message: 'EnvoyFilter {object} is not a rate-limit filter of the shape meshctl writes ({why}); it was left out' },
  ingressSettings: { code: 'IMP012', name: 'ingress-route-settings', level: 'warning', feature: 'ingress', message: '{kind} {object}: route "{route}" {what}; at a gateway meshctl applies the service\'s own routes, so these settings were left out' },
  namespaceDefault: { code: 'IMP013', name: 'namespace-default', level: 'info', feature: '{feature}', message: '{kind} {object}: {what}' },
} as const satisfies Record<string, ImportFindingKind>;

export type ImportFindingId = keyof typeof IMPORT_FINDINGS;

/** Where a finding points: a node of a document read from a file, or an object read from a cluster. */
export type ImportLocation = { span: SourceSpan; path?: readonly PathSegment[] } | { object: string; path?: readonly PathSegment[] };

export interface ImportFinding {
  readonly code: string;
  readonly name: string;
  readonly level: Level;
  readonly feature: string;
  readonly message: string;
  readonly location: ImportLocation;
  /** The key of the object it is about (kind/namespace/name), for the shares of the report. */
  readonly objectKey: string;
  readonly dropsObject: boolean;
}

export function importFinding(id: ImportFindingId, data: Record<string, string | number>, location: ImportLocation, objectKey: string, dropsObject?: boolean): ImportFinding {
  const kind: ImportFindingKind = IMPORT_FINDINGS[id];
  return {
    code: kind.code,
    name: kind.name,
    level: kind.level,
    feature: renderMessage(kind.feature, data),
    message: renderMessage(kind.message, { why: '', ...data }),
    location,
    objectKey,
    dropsObject: dropsObject ?? kind.dropsObject === true,
  };
}

export const IMPORT_DOCS_URL = 'https://github.com/meshctl/meshctl/blob/main/docs/import-findings.md';
