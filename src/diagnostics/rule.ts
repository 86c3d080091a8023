// A rule is data (code, name, default level, messages) plus, for semantic rules, a check. Loader
// and schema codes are rules without a check: they are reported by the loader and the schema
// validator, but listed, documented and configured like every other rule.
import type { Level, Location, RelatedLocation } from './types.js';
import type { MeshModel } from '../model/mesh-model.js';

export type RuleCategory = 'load' | 'schema' | 'reference' | 'routing' | 'resilience' | 'rate-limit' | 'security' | 'naming' | 'telemetry';

export interface RuleContext {
  readonly model: MeshModel;
  /** The targets the mesh is checked for (compiled to, or named by `validate --target`). */
  readonly targets: ReadonlySet<string>;
  report(messageId: string, data: Record<string, string | number>, location: Location, related?: RelatedLocation[]): void;
}

export interface RuleMeta<M extends string = string> {
  /** Stable code, never reused: MESH + three digits. */
  readonly code: string;
  /** kebab-case name, also accepted by --rule. */
  readonly name: string;
  readonly level: Level;
  readonly category: RuleCategory;
  /** One sentence: what the rule finds and why it matters. */
  readonly description: string;
  /** Message templates; {name} is replaced by the report's data. */
  readonly messages: Readonly<Record<M, string>>;
  /** Loader and I/O problems that make the run itself fail exit with 2 rather than 1. */
  readonly fatal?: boolean;
  /**
   * The target whose output the rule checks (a name in the target registry): the rule runs only
   * when the mesh is compiled, or validated, for that target. Without it the rule always runs.
   */
  readonly target?: string;
}

export interface Rule<M extends string = string> extends RuleMeta<M> {
  readonly check?: (context: RuleContext) => void;
}

export function defineRule<M extends string>(rule: Rule<M>): Rule<M> {
  return rule;
}

export function renderMessage(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}

export const DOCS_BASE_URL = 'https://github.com/meshctl/meshctl/blob/main/docs/rules';

export function ruleDocsUrl(code: string): string {
  return `${DOCS_BASE_URL}/${code}.md`;
}
