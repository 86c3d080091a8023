// What a review says: the change in behaviour between two revisions of a mesh. This is also the
// JSON output's shape (docs/review.md documents it; schemaVersion changes when it does).
import type { Diagnostic, Level } from '../diagnostics/types.js';

export type EntityKind = 'Service' | 'ExternalService' | 'Gateway' | 'Mesh';
export type EntityStatus = 'added' | 'removed' | 'changed';

export type ChangeCategory =
  | 'service'
  | 'traffic'
  | 'cohort'
  | 'routes'
  | 'timeouts'
  | 'retries'
  | 'faults'
  | 'rate-limit'
  | 'load-balancing'
  | 'circuit-breaker'
  | 'other';

/**
 * Where in the mesh text a change is: the field that says it, at the head (the base for what the
 * head removed), so a bot can comment on that line of the pull request.
 */
export interface ReviewLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly side: 'base' | 'head';
}

export interface BehaviourChange {
  readonly category: ChangeCategory;
  /** One line a reviewer reads: "v2 75% → 50%, v3 25% → 50% (routes from-productpage, default)". */
  readonly message: string;
  /** Why the change is risky (see docs/review.md), when it is. */
  readonly risk?: string;
  /** Set by reviewMesh. */
  readonly location?: ReviewLocation;
}

export interface EntityChange {
  /** `namespace/name`; the Mesh's name for the Mesh. */
  readonly entity: string;
  readonly kind: EntityKind;
  readonly status: EntityStatus;
  readonly changes: readonly BehaviourChange[];
}

export type AccessClassification = 'widened' | 'narrowed';

export type AccessChangeKind =
  | 'caller-allowed'
  | 'caller-disallowed'
  | 'allow-everyone'
  | 'deny-removed'
  | 'deny-added'
  | 'mtls'
  | 'jwt'
  | 'access-default'
  | 'egress'
  | 'exposure';

export interface AccessChange {
  /** `namespace/name` of a service, `namespace <name>`, or `mesh`. */
  readonly scope: string;
  readonly classification: AccessClassification;
  readonly kind: AccessChangeKind;
  readonly message: string;
  /** Every widening is: it lets requests through that were refused before. */
  readonly securityRelevant: boolean;
  /** Set by reviewMesh. */
  readonly location?: ReviewLocation;
}

export interface ReviewedDiagnostic {
  readonly code: string;
  readonly level: Level;
  readonly message: string;
  readonly file: string;
  readonly line: number;
  readonly column: number;
}

export type ObjectStatus = 'added' | 'removed' | 'changed';

export interface ObjectChange {
  readonly apiVersion: string;
  readonly kind: string;
  readonly namespace?: string;
  readonly name: string;
  readonly status: ObjectStatus;
  /** A unified diff of the object's YAML (without the meshctl.dev/source annotation). */
  readonly diff: string;
}

export interface ReviewSideSummary {
  /** The revision as given; undefined for the working tree. */
  readonly ref?: string;
  readonly commit?: string;
  readonly files: number;
  readonly errors: number;
  readonly warnings: number;
  /** False when the side has errors and was not compiled. */
  readonly compiled: boolean;
  /** The side's error-level diagnostics: why it was not compiled, listed even when both sides share them. */
  readonly errorFindings: readonly ReviewedDiagnostic[];
}

export interface ReviewSummary {
  readonly changed: boolean;
  readonly entities: { readonly added: number; readonly removed: number; readonly changed: number };
  readonly access: { readonly widened: number; readonly narrowed: number };
  readonly diagnostics: { readonly new: number; readonly newErrors: number; readonly newWarnings: number; readonly resolved: number };
  readonly objects: { readonly added: number; readonly changed: number; readonly removed: number; readonly compared: boolean };
  readonly risky: boolean;
  readonly risks: readonly string[];
}

export interface MeshReview {
  readonly base: ReviewSideSummary;
  readonly head: ReviewSideSummary;
  readonly summary: ReviewSummary;
  readonly entities: readonly EntityChange[];
  readonly access: readonly AccessChange[];
  readonly diagnostics: { readonly new: readonly ReviewedDiagnostic[]; readonly resolved: readonly ReviewedDiagnostic[] };
  readonly objects: readonly ObjectChange[];
  /** Resources (`namespace/name`, or the Mesh's name) whose document does not load on one side: not compared. */
  readonly unresolved: readonly string[];
  /** The changed part of the service graph as a Mermaid flowchart (no fence); undefined when nothing in it changed. */
  readonly graph?: string;
}

export const FAIL_ON = ['widened-access', 'risky', 'any'] as const;
export type FailOn = (typeof FAIL_ON)[number];

export function toReviewedDiagnostic(diagnostic: Diagnostic): ReviewedDiagnostic {
  return {
    code: diagnostic.code,
    level: diagnostic.level,
    message: diagnostic.message,
    file: diagnostic.span.file,
    line: diagnostic.span.line,
    column: diagnostic.span.column,
  };
}
