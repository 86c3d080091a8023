// A review as JSON for scripts: a stable shape (docs/review.md), keys in a fixed order, the
// Mermaid graph left out (`meshctl graph -o json` gives the graph as data).
import type { FailOn, MeshReview, ReviewLocation } from './types.js';

export const REVIEW_SCHEMA_VERSION = 1;

export function renderReviewJson(review: MeshReview, failOn?: { condition: FailOn; matched: boolean }): string {
  const document = {
    schemaVersion: REVIEW_SCHEMA_VERSION,
    base: { ref: review.base.ref ?? null, commit: review.base.commit ?? null, ...counts(review.base) },
    head: { ref: review.head.ref ?? null, commit: review.head.commit ?? null, ...counts(review.head) },
    summary: review.summary,
    entities: review.entities.map((entity) => ({
      entity: entity.entity,
      kind: entity.kind,
      status: entity.status,
      changes: entity.changes.map((change) => ({ category: change.category, message: change.message, risk: change.risk ?? null, ...at(change.location) })),
    })),
    access: review.access.map((change) => ({
      scope: change.scope,
      classification: change.classification,
      kind: change.kind,
      message: change.message,
      securityRelevant: change.securityRelevant,
      ...at(change.location),
    })),
    diagnostics: review.diagnostics,
    objects: review.objects.map((object) => ({
      apiVersion: object.apiVersion,
      kind: object.kind,
      namespace: object.namespace ?? null,
      name: object.name,
      status: object.status,
      diff: object.diff,
    })),
    unresolved: review.unresolved,
    failOn: failOn ?? null,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}

function counts(side: MeshReview['base']) {
  return { files: side.files, errors: side.errors, warnings: side.warnings, compiled: side.compiled, errorFindings: side.errorFindings };
}

/** The place a change was made: file, line and column at the head (or the base, for what it removed). */
function at(location: ReviewLocation | undefined) {
  return { file: location?.file ?? null, line: location?.line ?? null, column: location?.column ?? null, side: location?.side ?? null };
}
