// The policy rules, one per file; listed here and merged into the sorted index in ../index.ts.
import type { Rule } from '../../../diagnostics/rule.js';

export const POLICY_RULES: readonly Rule[] = [];
