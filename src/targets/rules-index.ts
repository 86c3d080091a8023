// The Markdown index of all rules (docs/rules/README.md), generated from the registry so that it
// cannot drift from what meshctl checks.
import type { RuleCategory } from '../diagnostics/rule.js';
import { RULES } from './rules.js';

const CATEGORY_TITLES: Record<RuleCategory, string> = {
  load: 'Reading files',
  schema: 'Schema',
  reference: 'References and names',
  naming: 'References and names',
  routing: 'Routing',
  resilience: 'Resilience',
  'rate-limit': 'Rate limits',
  security: 'Access control and mTLS',
  telemetry: 'Telemetry',
  'gateway-api': 'Gateway API target (compile --target gateway-api only)',
};

export function rulesIndexMarkdown(): string {
  const lines = [
    '# meshctl rules',
    '',
    'Every check `meshctl validate` makes, with its stable code and default level. Change a level with',
    '`--rule CODE=off|info|warning|error` (the code or the rule name). Codes are never reused.',
    'A rule marked with a target ("error, envoy target") checks what that target writes: it runs',
    'when the mesh is compiled for it (`meshctl compile --target`), or validated for it',
    '(`meshctl validate --target`, by default the targets .meshctl.yaml and the mesh files configure).',
    '',
    '<!-- Generated from the rule registry by `npm run docs:rules`; do not edit by hand. -->',
  ];
  // Sections in the order their first rule's code comes; rules by code within a section.
  const sections = new Map<string, string[]>();
  for (const rule of RULES) {
    const title = CATEGORY_TITLES[rule.category];
    const rows = sections.get(title) ?? [];
    rows.push(`| [${rule.code}](${rule.code}.md) | ${rule.name} | ${rule.level}${rule.target !== undefined ? `, ${rule.target} target` : ''} | ${rule.description.replace(/\|/g, '\\|')} |`);
    sections.set(title, rows);
  }
  for (const [title, rows] of sections) {
    lines.push('', `## ${title}`, '', '| code | name | level | what it finds |', '| --- | --- | --- | --- |', ...rows);
  }
  return lines.join('\n') + '\n';
}
