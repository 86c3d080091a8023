// A review as a list of located findings, the form code-scanning tools and CI annotations take:
// each behaviour change, access change and new diagnostic, with the place in the mesh text that
// made it. Shared by the SARIF and GitHub renderers.
import type { Level } from '../diagnostics/types.js';
import type { ChangeCategory, MeshReview, ReviewLocation } from './types.js';

export interface ReviewAnnotation {
  /** `review/<category>`, `review/access-widened`, `review/access-narrowed`, or a diagnostic's code. */
  readonly ruleId: string;
  readonly level: Level;
  readonly title: string;
  readonly message: string;
  readonly location?: ReviewLocation;
}

export const REVIEW_RULES: readonly { id: string; description: string }[] = [
  { id: 'review/access-widened', description: 'Access widened: requests get through that were refused before (security-relevant).' },
  { id: 'review/access-narrowed', description: 'Access narrowed: requests that got through are now refused.' },
  ...(['service', 'traffic', 'cohort', 'routes', 'timeouts', 'retries', 'faults', 'rate-limit', 'load-balancing', 'circuit-breaker', 'other'] satisfies ChangeCategory[]).map((category) => ({
    id: `review/${category}`,
    description: category === 'service' ? 'A service, external service or gateway added or removed.' : `A change in behaviour: ${category}.`,
  })),
];

/**
 * Every finding of a review, in the order the review lists them. Risky changes and widened access
 * are warnings, other changes notes; new diagnostics keep their level.
 */
export function reviewAnnotations(review: MeshReview): ReviewAnnotation[] {
  const annotations: ReviewAnnotation[] = [];
  for (const entity of review.entities) {
    for (const change of entity.changes) {
      annotations.push({
        ruleId: `review/${change.category}`,
        level: change.risk ? 'warning' : 'info',
        title: `meshctl review: ${entity.entity} ${change.category}${change.risk ? ' (risky)' : ''}`,
        message: `${entity.entity} (${entity.kind}, ${entity.status}): ${change.message}${change.risk ? `; risky: ${change.risk}` : ''}`,
        ...(change.location ? { location: change.location } : {}),
      });
    }
  }
  for (const change of review.access) {
    annotations.push({
      ruleId: `review/access-${change.classification}`,
      level: change.classification === 'widened' ? 'warning' : 'info',
      title: `meshctl review: access ${change.classification}`,
      message: `access ${change.classification}: ${change.scope}: ${change.message}`,
      ...(change.location ? { location: change.location } : {}),
    });
  }
  for (const d of review.diagnostics.new) {
    annotations.push({
      ruleId: d.code,
      level: d.level,
      title: `meshctl ${d.code} (new)`,
      message: d.message,
      location: { file: d.file, line: d.line, column: d.column, side: 'head' },
    });
  }
  return annotations;
}

/** The text a finding placed at the base carries instead of a location at the head. */
export function baseNote(location: ReviewLocation): string {
  return ` (at the base: ${location.file}:${location.line})`;
}
