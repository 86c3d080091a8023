// review: two revisions of a mesh (each validated, and compiled when free of errors) -> the change
// in behaviour between them. Pure: no git, no files, no clock; the same two sides give the same
// review.
import { UserError } from '../diagnostics/user-error.js';
import { compileArtifacts } from '../pipeline/index.js';
import { OBJECT_TARGETS } from '../targets/index.js';
import type { LoadedMesh } from '../loader/load-mesh.js';
import type { SpanResolver } from '../loader/span-resolver.js';
import type { KubernetesObject } from '../output/manifest.js';
import type { ValidateOptions, ValidationResult } from '../validators/validate.js';
import { diffAccess } from './access-changes.js';
import { diffDiagnostics } from './diagnostic-changes.js';
import { diffEntities } from './entity-changes.js';
import { changedGraph } from './graph-section.js';
import { locateAccessChange, locateEntityChange } from './locations.js';
import { diffObjects } from './object-changes.js';
import { toReviewedDiagnostic, type FailOn, type MeshReview, type ReviewSideSummary, type ReviewSummary } from './types.js';

export interface ReviewSide {
  /** The revision as given; undefined for the working tree. */
  readonly ref?: string;
  readonly commit?: string;
  readonly validation: ValidationResult;
  /** Undefined when the side has errors: a mesh with errors is never compiled. */
  readonly objects?: readonly KubernetesObject[];
  /** Turns a place in the side's documents into file:line:col; without it changes carry no location. */
  readonly spans?: SpanResolver;
}

export interface ReviewSideOptions extends Omit<ValidateOptions, 'targets' | 'ruleSet'> {
  /** A target whose artifacts are Kubernetes objects (default: the registry's first such target). */
  target?: string;
}

/** Validates and compiles one side, as `meshctl compile` would. */
export function prepareReviewSide(loaded: LoadedMesh, revision: { ref?: string; commit?: string }, options: ReviewSideOptions = {}): ReviewSide {
  const { target = OBJECT_TARGETS[0]!.name, ...check } = options;
  const result = compileArtifacts(loaded, { ...check, target });
  if (result.ok && result.artifacts.kind !== 'objects') throw new UserError(`target ${target} gives no Kubernetes objects to review`);
  return {
    ...(revision.ref !== undefined ? { ref: revision.ref } : {}),
    ...(revision.commit !== undefined ? { commit: revision.commit } : {}),
    validation: result.validation,
    ...(result.ok && result.artifacts.kind === 'objects' ? { objects: result.artifacts.objects } : {}),
    spans: loaded.spans,
  };
}

export function reviewMesh(base: ReviewSide, head: ReviewSide): MeshReview {
  const [before, after] = [base.validation.model, head.validation.model];
  const sides = { base: { model: before, spans: base.spans }, head: { model: after, spans: head.spans } };
  // Compare only what both sides could resolve: a resource whose document does not load on one
  // side is not "added" or "removed", and with a Mesh document that does not load, every access
  // default of that side would be a stand-in, so access is not compared at all.
  const unloaded = (key: string) => (before.invalidKeys.has(key) ? 'base' : after.invalidKeys.has(key) ? 'head' : undefined);
  const meshUnloaded = [before, after].some((model) => [...model.invalidKeys].some((key) => !key.includes('/')));
  const unresolved = [...new Set([...before.invalidKeys, ...after.invalidKeys])].sort().map((key) => `${key} (does not load in the ${unloaded(key)})`);
  const entities = diffEntities(before, after)
    .filter((entity) => (entity.kind === 'Mesh' ? !meshUnloaded : unloaded(entity.entity) === undefined))
    .map((entity) => ({
    ...entity,
    changes: entity.changes.map((change) => {
      const location = locateEntityChange(sides, entity, change);
      return location ? { ...change, location } : change;
    }),
  }));
  const access = (meshUnloaded ? [] : diffAccess(before, after).filter((change) => unloaded(change.scope) === undefined)).map((change) => {
    const location = locateAccessChange(sides, change);
    return location ? { ...change, location } : change;
  });
  const diagnostics = diffDiagnostics(base.validation.diagnostics, head.validation.diagnostics);
  const compared = base.objects !== undefined && head.objects !== undefined;
  const objects = compared ? diffObjects(base.objects!, head.objects!) : [];
  const graph = changedGraph(base.objects !== undefined ? before : undefined, head.objects !== undefined ? after : undefined);

  const risks: string[] = [];
  for (const change of access) if (change.classification === 'widened') risks.push(`access widened: ${change.scope}: ${change.message}`);
  const newErrors = diagnostics.new.filter((d) => d.level === 'error').length;
  if (newErrors > 0) risks.push(`${newErrors} new validation ${newErrors === 1 ? 'error' : 'errors'}`);
  for (const entity of entities) {
    for (const change of entity.changes) if (change.risk) risks.push(`${entity.entity}: ${change.risk}`);
  }

  const count = <T>(items: readonly T[], test: (item: T) => boolean) => items.filter(test).length;
  const summary: ReviewSummary = {
    changed: entities.length > 0 || access.length > 0 || diagnostics.new.length > 0 || diagnostics.resolved.length > 0 || objects.length > 0,
    entities: {
      added: count(entities, (e) => e.status === 'added'),
      removed: count(entities, (e) => e.status === 'removed'),
      changed: count(entities, (e) => e.status === 'changed'),
    },
    access: { widened: count(access, (a) => a.classification === 'widened'), narrowed: count(access, (a) => a.classification === 'narrowed') },
    diagnostics: {
      new: diagnostics.new.length,
      newErrors,
      newWarnings: count(diagnostics.new, (d) => d.level === 'warning'),
      resolved: diagnostics.resolved.length,
    },
    objects: {
      added: count(objects, (o) => o.status === 'added'),
      changed: count(objects, (o) => o.status === 'changed'),
      removed: count(objects, (o) => o.status === 'removed'),
      compared,
    },
    risky: risks.length > 0,
    risks,
  };
  return {
    base: sideSummary(base),
    head: sideSummary(head),
    summary,
    entities,
    access,
    diagnostics,
    objects,
    unresolved,
    ...(graph !== undefined ? { graph } : {}),
  };
}

function sideSummary(side: ReviewSide): ReviewSideSummary {
  return {
    ...(side.ref !== undefined ? { ref: side.ref } : {}),
    ...(side.commit !== undefined ? { commit: side.commit } : {}),
    files: side.validation.fileCount,
    errors: side.validation.errorCount,
    warnings: side.validation.warningCount,
    compiled: side.objects !== undefined,
    errorFindings: side.validation.diagnostics.filter((d) => d.level === 'error').map(toReviewedDiagnostic),
  };
}

/** Whether a review meets a --fail-on condition. */
export function matchesFailOn(review: MeshReview, condition: FailOn): boolean {
  switch (condition) {
    case 'widened-access':
      return review.summary.access.widened > 0;
    case 'risky':
      return review.summary.risky;
    case 'any':
      return review.summary.changed;
  }
}
