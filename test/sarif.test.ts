// The machine-readable reports are contracts: SARIF 2.1.0 as code scanning reads it, GitHub
// workflow commands, the documented JSON shape; and the human format's colour follows the flags
// and NO_COLOR.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../src/index.js';
import { ruleDocsUrl } from '../src/diagnostics/rule.js';
import { parseStylish, position, repoRoot, runCli } from './helpers/run-cli.js';
import { sarifValidator } from './support/sarif-schema.js';

const ANSI = /\u001b\[\d+(?:;\d+)*m/;

const REVIEWS = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{port: 9080, protocol: htp}]
  routes:
    - match: {path: /reviews}
      retrys: {attempts: 3}
      fault: {abort: {status: 503, percent: "10%"}}
`;
const RATINGS = `apiVersion: meshctl.dev/v1alpha1
kind: Servise
metadata: {name: ratings, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
`;
const BROKEN = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: details, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]]
`;

interface JsonDiagnostic {
  code: string;
  level: string;
  message: string;
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  path?: string;
  messageId: string;
  data: Record<string, unknown>;
  related?: unknown[];
}

interface JsonReport {
  summary: { files: number; documents: number; errors: number; warnings: number; infos: number };
  diagnostics: JsonDiagnostic[];
}

/** Where each finding of the mesh below must be, by code. */
const EXPECTED = [
  { code: 'MESH001', level: 'error', file: 'broken.yaml', ...position(BROKEN, ']]', 1) },
  { code: 'MESH104', level: 'info', file: 'ratings.yaml', ...position(RATINGS, 'Servise') },
  { code: 'MESH103', level: 'error', file: 'reviews.yaml', ...position(REVIEWS, 'htp') },
  { code: 'MESH100', level: 'error', file: 'reviews.yaml', ...position(REVIEWS, 'retrys') },
  { code: 'MESH101', level: 'error', file: 'reviews.yaml', ...position(REVIEWS, '"10%"') },
  { code: 'MESH015', level: 'warning', file: 'teams/all', line: 1, column: 1 },
];
const ARGS = ['validate', 'mesh', '--rule', 'MESH104=info'];

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'meshctl-formats-'));
  mkdirSync(path.join(dir, 'mesh', 'teams'), { recursive: true });
  writeFileSync(path.join(dir, 'mesh', 'reviews.yaml'), REVIEWS);
  writeFileSync(path.join(dir, 'mesh', 'ratings.yaml'), RATINGS);
  writeFileSync(path.join(dir, 'mesh', 'broken.yaml'), BROKEN);
  symlinkSync('..', path.join(dir, 'mesh', 'teams', 'all'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function report(format: string, extra: string[] = []) {
  const run = runCli([...ARGS, '--format', format, ...extra], { cwd: dir });
  expect(run.status, run.stderr).toBe(1);
  expect(run.stderr).toBe('');
  return run.stdout;
}

describe('--format json', () => {
  it('has the documented shape: {summary, diagnostics: [{code, level, message, file, line, column, endLine, endColumn, path, messageId, data}]}', () => {
    const json = JSON.parse(report('json')) as JsonReport;
    expect(Object.keys(json)).toEqual(['summary', 'diagnostics']);
    expect(json.summary).toEqual({ files: 3, documents: 3, errors: 4, warnings: 1, infos: 1 });
    for (const d of json.diagnostics) {
      expect(Object.keys(d).filter((key) => key !== 'path' && key !== 'related')).toEqual(['code', 'level', 'message', 'file', 'line', 'column', 'endLine', 'endColumn', 'messageId', 'data']);
      expect(typeof d.message).toBe('string');
      expect(d.message.length).toBeGreaterThan(0);
      expect(typeof d.messageId).toBe('string');
      expect(typeof d.data).toBe('object');
      expect(d.endLine > d.line || (d.endLine === d.line && d.endColumn >= d.column), `${d.code} ends before it starts`).toBe(true);
    }
    expect(json.diagnostics.map(({ code, level, file, line, column }) => ({ code, level, file, line, column }))).toEqual(EXPECTED);
    // A node inside a document carries its path; a syntax error or a file-level problem does not.
    expect(json.diagnostics.find((d) => d.code === 'MESH100')?.path).toBe('spec.routes[0].retrys');
    expect(json.diagnostics.find((d) => d.code === 'MESH103')?.path).toBe('spec.ports[0].protocol');
    expect(json.diagnostics.find((d) => d.code === 'MESH001')).not.toHaveProperty('path');
    expect(json.diagnostics.find((d) => d.code === 'MESH100')?.data).toMatchObject({ field: 'retrys', suggestion: '; did you mean "retries"?' });
  });
});

describe('--format sarif', () => {
  let log: any;
  let json: JsonReport;
  beforeAll(() => {
    log = JSON.parse(report('sarif'));
    json = JSON.parse(report('json')) as JsonReport;
  });

  it('validates against the SARIF 2.1.0 schema', () => {
    const validateSarif = sarifValidator();
    const valid = validateSarif(log);
    expect(validateSarif.errors ?? [], JSON.stringify(validateSarif.errors, null, 2)).toEqual([]);
    expect(valid).toBe(true);
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
  });

  it('describes every rule, each with a help link to its docs page', () => {
    const rules = log.runs[0].tool.driver.rules as { id: string; name: string; helpUri: string; shortDescription: { text: string }; defaultConfiguration: { level: string } }[];
    expect(rules.map((r) => r.id)).toEqual(RULES.map((r) => r.code));
    const levels: Record<string, string> = { error: 'error', warning: 'warning', info: 'note' };
    for (const [i, rule] of rules.entries()) {
      const meta = RULES[i]!;
      expect(rule.helpUri).toBe(ruleDocsUrl(meta.code));
      expect(rule.helpUri).toMatch(new RegExp(`/docs/rules/${meta.code}\\.md$`));
      expect(existsSync(path.join(repoRoot, 'docs', 'rules', `${meta.code}.md`)), `${meta.code}: helpUri points at a missing page`).toBe(true);
      expect(rule.shortDescription.text).toBe(meta.description);
      expect(rule.defaultConfiguration.level).toBe(levels[meta.level]);
    }
  });

  it('reports each finding with its rule, level and exact region', () => {
    const run = log.runs[0];
    const results = run.results as any[];
    expect(results).toHaveLength(EXPECTED.length);
    const sarifLevel: Record<string, string> = { error: 'error', warning: 'warning', info: 'note' };
    results.forEach((result, i) => {
      const expected = EXPECTED[i]!;
      const d = json.diagnostics[i]!;
      expect(result.ruleId).toBe(expected.code);
      expect(run.tool.driver.rules[result.ruleIndex].id).toBe(expected.code);
      expect(result.level).toBe(sarifLevel[expected.level]);
      expect(result.message.text).toBe(d.message);
      const location = result.locations[0].physicalLocation;
      expect(location.artifactLocation).toEqual({ uri: expected.file, uriBaseId: '%SRCROOT%' });
      expect(location.region).toEqual({ startLine: expected.line, startColumn: expected.column, endLine: d.endLine, endColumn: d.endColumn });
    });
    // The unknown field's region covers exactly the key.
    const unknown = results.find((r) => r.ruleId === 'MESH100').locations[0].physicalLocation.region;
    expect(unknown.endColumn - unknown.startColumn).toBe('retrys'.length);
    expect(results.find((r) => r.ruleId === 'MESH100').locations[0].logicalLocations).toEqual([{ fullyQualifiedName: 'spec.routes[0].retrys', kind: 'member' }]);
  });

  it('encodes file names into URIs that name the same files', () => {
    const odd = mkdtempSync(path.join(tmpdir(), 'meshctl-sarif-'));
    try {
      mkdirSync(path.join(odd, 'team one'));
      writeFileSync(path.join(odd, 'team one', 'a b#c?.yaml'), RATINGS);
      const run = runCli(['validate', 'team one', '-', '--format', 'sarif'], { cwd: odd, input: RATINGS });
      expect(run.status).toBe(1);
      const oddLog = JSON.parse(run.stdout);
      const validateSarif = sarifValidator();
      expect(validateSarif(oddLog), JSON.stringify(validateSarif.errors, null, 2)).toBe(true);
      const uris = oddLog.runs[0].results.map((r: any) => r.locations[0].physicalLocation.artifactLocation.uri as string);
      expect(uris).toEqual(['%3Cstdin%3E', 'a%20b%23c%3F.yaml']);
      expect(uris.map((uri: string) => decodeURIComponent(new URL(uri, 'file:///root/').pathname.slice('/root/'.length)))).toEqual(['<stdin>', 'a b#c?.yaml']);
    } finally {
      rmSync(odd, { recursive: true, force: true });
    }
  });

  it('is the same log on every run', () => {
    expect(report('sarif')).toBe(JSON.stringify(log, null, 2) + '\n');
  });
});

describe('--format github', () => {
  const COMMAND = /^::(error|warning|notice) ((?:[a-zA-Z]+=[^,:\n]*)(?:,[a-zA-Z]+=[^,:\n]*)*)::([^\r\n]*)$/;
  const unescape = (text: string) => text.replace(/%3A/g, ':').replace(/%2C/g, ',').replace(/%0D/g, '\r').replace(/%0A/g, '\n').replace(/%25/g, '%');

  it('prints one well-formed workflow command per finding, matching the JSON report', () => {
    const output = report('github');
    const json = JSON.parse(report('json')) as JsonReport;
    expect(output.endsWith('\n')).toBe(true);
    const lines = output.slice(0, -1).split('\n');
    expect(lines).toHaveLength(json.diagnostics.length);
    const commandOf: Record<string, string> = { error: 'error', warning: 'warning', info: 'notice' };
    lines.forEach((line, i) => {
      const match = COMMAND.exec(line);
      expect(match, line).not.toBeNull();
      const d = json.diagnostics[i]!;
      const properties = Object.fromEntries(match![2]!.split(',').map((pair) => pair.split('=') as [string, string]));
      expect(Object.keys(properties)).toEqual(['file', 'line', 'col', 'endLine', 'endColumn', 'title']);
      expect(match![1]).toBe(commandOf[d.level]);
      expect(unescape(properties.file!)).toBe(d.file);
      expect(Number(properties.line)).toBe(d.line);
      expect(Number(properties.col)).toBe(d.column);
      expect(Number(properties.endLine)).toBe(d.endLine);
      expect(Number(properties.endColumn)).toBe(d.endColumn);
      expect(unescape(properties.title!)).toBe(`meshctl ${d.code}`);
      expect(unescape(match![3]!)).toBe(d.message);
    });
    // "10%" in a message must reach the runner escaped, or it would read %"1 as an escape.
    expect(lines.find((line) => line.includes('MESH101'))).toContain('("10%25")');
  });

  it('escapes commas and colons in file names', () => {
    const odd = mkdtempSync(path.join(tmpdir(), 'meshctl-github-'));
    try {
      writeFileSync(path.join(odd, 'a,b:c.yaml'), RATINGS);
      const run = runCli(['validate', 'a,b:c.yaml', '--format', 'github'], { cwd: odd });
      expect(run.status).toBe(1);
      const where = position(RATINGS, 'Servise');
      expect(run.stdout).toMatch(new RegExp(`^::error file=a%2Cb%3Ac\\.yaml,line=${where.line},col=${where.column},endLine=${where.line},endColumn=${where.column + 'Servise'.length},title=meshctl MESH104::unknown kind "Servise"`));
    } finally {
      rmSync(odd, { recursive: true, force: true });
    }
  });
});

describe('stylish colour', () => {
  const colored = (extra: string[], env: Record<string, string | undefined>) => {
    const run = runCli([...ARGS, ...extra], { cwd: dir, env });
    expect(run.status).toBe(1);
    return run.stdout;
  };

  it('has no ANSI codes with NO_COLOR set', () => {
    const output = colored([], { NO_COLOR: '1' });
    expect(output).not.toMatch(ANSI);
    expect(parseStylish(output).map((d) => d.code)).toEqual(EXPECTED.map((d) => d.code));
  });

  it('has no ANSI codes when stdout is not a terminal and no flag or variable asks for colour', () => {
    expect(colored([], { NO_COLOR: undefined })).not.toMatch(ANSI);
  });

  it('has no ANSI codes with --no-color, even when FORCE_COLOR asks for colour', () => {
    expect(colored(['--no-color'], { NO_COLOR: undefined, FORCE_COLOR: '1' })).not.toMatch(ANSI);
  });

  it('has ANSI codes with --color, which wins over NO_COLOR', () => {
    const output = colored(['--color'], { NO_COLOR: '1' });
    expect(output).toMatch(ANSI);
    expect(output).toContain('\u001b[31merror');
    // Without its colour codes, the coloured report is the plain one.
    expect(output.replace(new RegExp(ANSI.source, 'g'), '')).toBe(colored([], { NO_COLOR: '1' }));
  });

  it('has ANSI codes with FORCE_COLOR and no NO_COLOR', () => {
    expect(colored([], { NO_COLOR: undefined, FORCE_COLOR: '1' })).toMatch(ANSI);
  });
});
