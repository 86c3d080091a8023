// A set of rules, found by code or name: what validate() runs, and what level overrides and
// inline suppressions may name. The validators hold only the target-neutral rules
// (./rules/index.ts); each target's own rules live with the target, and the set of all rules is
// assembled above the targets (src/targets/rules.ts) and passed in, so this layer never imports one.
import { compareStrings } from '../diagnostics/types.js';
import type { Rule } from './rule.js';

export interface RuleSet {
  /** Every rule of the set, sorted by code. */
  readonly rules: readonly Rule[];
  /** The rule with this code (in any case) or this name. */
  find(codeOrName: string): Rule | undefined;
}

/** The rules sorted by code; throws if two share a code or a name. */
export function ruleSet(rules: Iterable<Rule>): RuleSet {
  const sorted = [...rules].sort((a, b) => compareStrings(a.code, b.code));
  const byCode = new Map<string, Rule>();
  const byName = new Map<string, Rule>();
  for (const rule of sorted) {
    if (byCode.has(rule.code)) throw new Error(`two rules have the code ${rule.code}`);
    if (byName.has(rule.name)) throw new Error(`two rules have the name ${rule.name}`);
    byCode.set(rule.code, rule);
    byName.set(rule.name, rule);
  }
  return { rules: sorted, find: (codeOrName) => byCode.get(codeOrName.toUpperCase()) ?? byName.get(codeOrName) };
}
