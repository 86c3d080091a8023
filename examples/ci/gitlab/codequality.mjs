#!/usr/bin/env node
// meshctl's JSON report (`meshctl validate -o json`) as a GitLab code quality report:
// https://docs.gitlab.com/ci/testing/code_quality/#code-quality-report-format
// Usage: node codequality.mjs meshctl-validate.json gl-code-quality-report.json
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';

const [input, output] = process.argv.slice(2);
if (!input || !output) {
  process.stderr.write('usage: node codequality.mjs <meshctl JSON report> <code quality report>\n');
  process.exit(2);
}
let report;
try {
  report = JSON.parse(readFileSync(input, 'utf8'));
} catch (error) {
  process.stderr.write(`codequality: cannot read ${input}: ${error.message}\n`);
  process.exit(2);
}
const SEVERITY = { error: 'major', warning: 'minor', info: 'info' };
const issues = (report.diagnostics ?? []).map((d) => ({
  description: d.message,
  check_name: d.code,
  // Stable across pushes while the finding stays the same, so GitLab can tell new from fixed.
  fingerprint: createHash('sha256').update([d.code, d.file, d.path ?? d.line, d.message].join('\0')).digest('hex'),
  severity: SEVERITY[d.level] ?? 'info',
  location: { path: d.file, lines: { begin: d.line } },
}));
writeFileSync(output, `${JSON.stringify(issues, null, 2)}\n`);
process.stderr.write(`codequality: ${issues.length} findings written to ${output}\n`);
