// A semantic rule: a rule's data (src/diagnostics/rule.ts) plus a check over the mesh model, which
// reports findings through its context. The context says which targets the mesh is checked for,
// so a rule that belongs to one target (`target`) is run only for it.
import type { RuleMeta } from '../diagnostics/rule.js';
import type { Location, RelatedLocation } from '../diagnostics/types.js';
import type { MeshModel } from '../model/mesh-model.js';

export interface RuleContext {
  readonly model: MeshModel;
  /** The targets the mesh is checked for (compiled to, or named by `validate --target`). */
  readonly targets: ReadonlySet<string>;
  report(messageId: string, data: Record<string, string | number>, location: Location, related?: RelatedLocation[]): void;
}

export interface Rule<M extends string = string> extends RuleMeta<M> {
  readonly check?: (context: RuleContext) => void;
}

export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}
