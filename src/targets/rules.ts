// The registry of every rule meshctl knows: the target-neutral rules (src/validators/rules/) and the
// rules each target keeps with its emitter (src/compiler/<target>/rules/), because they read what
// that target writes. It is assembled here, the lowest layer that sees both; the pipeline passes it
// to validate(), and the commands, reports and the library read it from here. Sorted by code; codes
// are stable and never reused.
import type { Rule } from '../validators/rule.js';
import { ruleSet, type RuleSet } from '../validators/rule-set.js';
import { TARGET_NEUTRAL_RULES } from '../validators/rules/index.js';
import { COMPILED_NAME_RULES } from '../compiler/istio/rules/index.js';
import { ENVOY_RULES } from '../compiler/envoy/rules/index.js';
import { GATEWAY_API_RULES } from '../compiler/gateway-api/rules/index.js';

export const ALL_RULES: RuleSet = ruleSet([...TARGET_NEUTRAL_RULES, ...COMPILED_NAME_RULES, ...ENVOY_RULES, ...GATEWAY_API_RULES]);

export const RULES: readonly Rule[] = ALL_RULES.rules;

/** The rule with this code (in any case) or this name. */
export function findRule(codeOrName: string): Rule | undefined {
  return ALL_RULES.find(codeOrName);
}
