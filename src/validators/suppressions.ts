// Inline suppressions, as ESLint's: "# meshctl-disable-next-line MESH301, shadowed-route -- why".
// A suppression must give a reason after "--"; one that gives none, names an unknown rule or
// suppresses nothing is itself reported (MESH017), so stale suppressions do not pile up.
import { createFinding } from '../diagnostics/finding.js';
import type { Diagnostic, Finding } from '../diagnostics/types.js';
import type { SourceText } from '../loader/source-file.js';
import suppression from '../loader/rules/MESH017-suppression.js';
import type { RuleSet } from './rule-set.js';

const DIRECTIVE = /(?:^|\s)#\s*meshctl-disable-next-line\b(.*)$/;

interface Directive {
  file: string;
  line: number;
  column: number;
  endColumn: number;
  codes: string[];
  used: boolean;
}

/**
 * Drops suppressed diagnostics; returns the rest and the findings about the suppressions themselves.
 * A suppression may name the rules of `ruleSet` (every rule meshctl has, whichever targets are checked).
 */
export function applySuppressions(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, SourceText>, ruleSet: RuleSet): { kept: Diagnostic[]; findings: Finding[] } {
  const findings: Finding[] = [];
  const directives = new Map<string, Directive[]>(); // by "file:line" of the line they apply to
  for (const source of sources.values()) {
    if (!source.text.includes('meshctl-disable')) continue;
    for (let line = 1; line <= source.lineCount; line++) {
      const text = source.text.slice(source.lineStart(line), source.lineEnd(line));
      const match = DIRECTIVE.exec(text);
      if (!match) continue;
      const column = text.indexOf('#', match.index) + 1;
      const span = { file: source.file, line, column, endLine: line, endColumn: text.length + 1 };
      const [list = '', reason] = match[1]!.split(/\s--(?:\s|$)/, 2);
      const names = list.split(/[\s,]+/).filter(Boolean);
      const codesText = names.join(', ') || 'RULE';
      if (names.length === 0) {
        findings.push(createFinding(suppression, 'noRule', {}, { span }));
        continue;
      }
      if (reason === undefined || reason.trim() === '') {
        findings.push(createFinding(suppression, 'noReason', { codes: codesText }, { span }));
        continue;
      }
      const codes: string[] = [];
      for (const name of names) {
        const rule = ruleSet.find(name);
        if (!rule) findings.push(createFinding(suppression, 'unknownRule', { rule: name }, { span }));
        else if (rule.fatal) findings.push(createFinding(suppression, 'fatal', { rule: rule.code }, { span }));
        else codes.push(rule.code);
      }
      if (codes.length === 0) continue;
      const key = `${source.file}:${line + 1}`;
      directives.set(key, [...(directives.get(key) ?? []), { file: source.file, line, column, endColumn: span.endColumn, codes, used: false }]);
    }
  }
  if (directives.size === 0) return { kept: [...diagnostics], findings };
  const kept = diagnostics.filter((diagnostic) => {
    const directive = directives.get(`${diagnostic.span.file}:${diagnostic.span.line}`)?.find((d) => d.codes.includes(diagnostic.code));
    if (directive) directive.used = true;
    return !directive;
  });
  for (const list of directives.values()) {
    for (const directive of list) {
      if (directive.used) continue;
      const span = { file: directive.file, line: directive.line, column: directive.column, endLine: directive.line, endColumn: directive.endColumn };
      findings.push(createFinding(suppression, 'unused', { codes: directive.codes.join(', ') }, { span }));
    }
  }
  return { kept, findings };
}
