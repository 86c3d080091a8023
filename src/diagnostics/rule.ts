// A rule's data: code, name, default level, messages. Loader and schema codes are such rules
// without a check: they are reported by the loader and the schema validator, but listed,
// documented and configured like every other rule. Semantic rules add a check over the mesh
// model (src/validators/rule.ts), so this module, at the bottom of the layers, knows no model.
import type { Level } from './types.js';

export type RuleCategory = 'load' | 'schema' | 'reference' | 'routing' | 'resilience' | 'rate-limit' | 'security' | 'naming' | 'telemetry' | 'gateway-api';

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
  /** Run only in the target's portable mode (`compile --portable`, or the Mesh's gatewayApi.portable). */
  readonly portableOnly?: boolean;
}

/** A rule reported by the loader or the schema validator, which has no check of its own. */
export function defineRule<M extends string>(rule: RuleMeta<M>): RuleMeta<M> {
  return rule;
}

export function renderMessage(template: string, data: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in data ? String(data[key]) : whole));
}

export const DOCS_BASE_URL = 'https://github.com/meshctl/meshctl/blob/main/docs/rules';

export function ruleDocsUrl(code: string): string {
  return `${DOCS_BASE_URL}/${code}.md`;
}
