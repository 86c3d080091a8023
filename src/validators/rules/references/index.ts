// The references rules, one per file; listed here and merged into the sorted index in ../index.ts.
import type { Rule } from '../../../diagnostics/rule.js';

export const REFERENCES_RULES: readonly Rule[] = [];
