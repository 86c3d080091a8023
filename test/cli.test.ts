// The command line as scripts and CI jobs use it: exit codes, rule levels, standard input, report
// files, and the rules and schema commands.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RULES } from '../src/index.js';
import { ruleDocsUrl } from '../src/diagnostics/rule.js';
import { parseStylish, position, repoRoot, runCli, STACK_TRACE } from './helpers/run-cli.js';

const CLEAN = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
`;
const KIND_TYPO = `apiVersion: meshctl.dev/v1alpha1
kind: Servise
metadata: {name: ratings, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
`;
const KIND_AT = position(KIND_TYPO, 'Servise');

let dir: string;
/** Runs meshctl in the test's directory, which holds: clean/ (a clean mesh with a symlink loop), typo.yaml, and broken.yaml. */
const meshctl = (args: string[], input?: string) => runCli(args, { cwd: dir, ...(input === undefined ? {} : { input }) });
const found = (output: string) => parseStylish(output).map((d) => `${d.file}:${d.line}:${d.column} ${d.level} ${d.code}`);

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'meshctl-cli-'));
  mkdirSync(path.join(dir, 'clean'));
  writeFileSync(path.join(dir, 'clean', 'reviews.yaml'), CLEAN);
  mkdirSync(path.join(dir, 'looped'));
  writeFileSync(path.join(dir, 'looped', 'reviews.yaml'), CLEAN);
  symlinkSync('.', path.join(dir, 'looped', 'again'));
  writeFileSync(path.join(dir, 'typo.yaml'), KIND_TYPO);
  writeFileSync(path.join(dir, 'broken.yaml'), 'apiVersion: meshctl.dev/v1alpha1\nkind: [Service\n');
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('exit codes', () => {
  it('0 for a clean mesh', () => {
    const run = meshctl(['validate', 'clean']);
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toBe('✔ no problems (1 document in 1 file)\n');
    expect(run.stderr).toBe('');
  });

  it('1 for findings at error level', () => {
    const run = meshctl(['validate', 'typo.yaml']);
    expect(run.status).toBe(1);
    expect(found(run.stdout)).toEqual([`typo.yaml:${KIND_AT.line}:${KIND_AT.column} error MESH104`]);
  });

  it('0 for warnings alone, 1 once they exceed --max-warnings', () => {
    const warned = meshctl(['validate', 'looped']);
    expect(warned.status).toBe(0);
    expect(found(warned.stdout)).toEqual(['again:1:1 warning MESH015']);
    expect(meshctl(['validate', 'looped', '--max-warnings', '1']).status).toBe(0);
    const exceeded = meshctl(['validate', 'looped', '--max-warnings', '0']);
    expect(exceeded.status).toBe(1);
    expect(exceeded.stderr).toBe('meshctl: 1 warning exceeds --max-warnings 0\n');
  });

  it('2 for a path that does not exist, even next to a clean one', () => {
    const run = meshctl(['validate', 'clean', 'missing.yaml']);
    expect(run.status).toBe(2);
    expect(found(run.stdout)).toEqual(['missing.yaml:1:1 error MESH012']);
  });

  it.each([
    ['a --rule value without a level', ['--rule', 'MESH104'], /--rule MESH104: expected CODE=off\|info\|warning\|error/],
    ['a --rule value with an unknown level', ['--rule', 'MESH104=loud'], /--rule MESH104=loud: expected CODE=off\|info\|warning\|error/],
    ['an unknown rule code', ['--rule', 'MESH999=off'], /unknown rule "MESH999"/],
    ['an unknown rule name', ['--rule', 'no-such-rule=warning'], /unknown rule "no-such-rule"/],
    ['switching off a rule that reports unreadable input', ['--rule', 'MESH012=off'], /MESH012 \(path-not-found\).*cannot be changed/],
    ['an unknown flag', ['--bogus'], /^meshctl: error: nonexistent flag: --bogus/],
    ['a format name that is not this command\'s', ['-o', 'yaml'], /^meshctl: error: -o yaml: not an output format of this command; expected one of stylish, json, sarif, github/],
    ['a negative --max-warnings', ['--max-warnings', '-1'], /--max-warnings/],
  ])('2 for %s', (_name, flags, message) => {
    const run = meshctl(['validate', 'typo.yaml', ...flags]);
    expect(run.status, run.stdout + run.stderr).toBe(2);
    expect(run.stderr).toMatch(message);
    expect(run.stderr).not.toContain('›');
    expect(run.stdout).toBe('');
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });

  it('2, in one line, when the report cannot be written', () => {
    const run = meshctl(['validate', 'typo.yaml', '--output-file', path.join(dir, 'no-such-dir', 'report.txt')]);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(`meshctl: error: cannot write ${path.join(dir, 'no-such-dir', 'report.txt')}: no such directory\n`);
    expect(run.stderr).not.toMatch(STACK_TRACE);
  });
});

describe('--rule', () => {
  it('CODE=off silences a rule, by code or by name', () => {
    for (const setting of ['MESH104=off', 'unknown-kind=off', 'mesh104=off']) {
      const run = meshctl(['validate', 'typo.yaml', '--rule', setting]);
      expect(run.status, setting).toBe(0);
      expect(found(run.stdout)).toEqual([]);
    }
  });

  it('is not greedy: the paths after it are still paths', () => {
    // Were typo.yaml taken as a second --rule value, the run would fail on it, or check "." instead.
    const run = meshctl(['validate', '--rule', 'MESH104=warning', 'typo.yaml']);
    expect(run.status, run.stderr).toBe(0);
    expect(found(run.stdout)).toEqual([`typo.yaml:${KIND_AT.line}:${KIND_AT.column} warning MESH104`]);
  });

  it('CODE=error promotes a warning to an error, and the exit code follows', () => {
    const run = meshctl(['validate', 'looped', '--rule', 'symlink-loop=error']);
    expect(run.status).toBe(1);
    expect(found(run.stdout)).toEqual(['again:1:1 error MESH015']);
  });

  it('applies each of several settings', () => {
    const run = meshctl(['validate', 'typo.yaml', 'looped', '--rule', 'MESH104=info', '--rule', 'MESH015=off']);
    expect(run.status).toBe(0);
    expect(found(run.stdout)).toEqual([`typo.yaml:${KIND_AT.line}:${KIND_AT.column} info MESH104`]);
  });
});

describe('standard input', () => {
  it('"-" reads the mesh from standard input, shown as <stdin>', () => {
    const run = meshctl(['validate', '-'], KIND_TYPO);
    expect(run.status).toBe(1);
    expect(found(run.stdout)).toEqual([`<stdin>:${KIND_AT.line}:${KIND_AT.column} error MESH104`]);
  });

  it('"-" with files: both are checked', () => {
    const run = meshctl(['validate', 'typo.yaml', '-'], CLEAN);
    expect(run.status).toBe(1);
    expect(run.stdout).toContain('in 2 documents in 2 files');
    expect(found(run.stdout)).toEqual([`typo.yaml:${KIND_AT.line}:${KIND_AT.column} error MESH104`]);
  });

  it('without "-", piped input is not read: the paths (default ".") are', () => {
    const run = runCli(['validate'], { cwd: path.join(dir, 'clean'), input: KIND_TYPO });
    expect(run.status, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toBe('✔ no problems (1 document in 1 file)\n');
  });
});

describe('--output-file', () => {
  it('writes the report to the file and nothing to standard output', () => {
    const file = path.join(dir, 'report.json');
    const written = meshctl(['validate', 'typo.yaml', '-o', 'json', '--output-file', file]);
    expect(written.status).toBe(1);
    expect(written.stdout).toBe('');
    expect(existsSync(file)).toBe(true);
    const printed = meshctl(['validate', 'typo.yaml', '-o', 'json']);
    expect(readFileSync(file, 'utf8')).toBe(printed.stdout);
    expect(JSON.parse(printed.stdout).diagnostics.map((d: { code: string }) => d.code)).toEqual(['MESH104']);
  });

  it('replaces an existing report, and writes the stylish report without colour', () => {
    const file = path.join(dir, 'report.txt');
    writeFileSync(file, 'an old report that is much longer than the new one will be\n'.repeat(50));
    const run = meshctl(['validate', 'broken.yaml', '--output-file', file]);
    expect(run.status).toBe(1);
    const report = readFileSync(file, 'utf8');
    expect(report).not.toContain('an old report');
    expect(report).not.toMatch(/\u001b\[/);
    expect(found(report)).toEqual(['broken.yaml:2:7 error MESH001']);
  });
});

describe('meshctl rules', () => {
  it('lists every rule with its code, name, level and description', () => {
    const run = meshctl(['rules']);
    expect(run.status).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^CODE\s+NAME\s+LEVEL\s+DESCRIPTION$/);
    expect(lines).toHaveLength(RULES.length + 1);
    RULES.forEach((rule, i) => {
      const columns = lines[i + 1]!.split(/\s{2,}/);
      expect(columns).toEqual([rule.code, rule.name, rule.level, rule.target !== undefined ? `${rule.description} (${rule.target} target only)` : rule.description]);
    });
  });

  it('-o json lists every rule with a link to its docs', () => {
    const run = meshctl(['rules', '-o', 'json']);
    expect(run.status).toBe(0);
    expect(JSON.parse(run.stdout)).toEqual(
      RULES.map((r) => ({ code: r.code, name: r.name, level: r.level, category: r.category, ...(r.target !== undefined ? { target: r.target } : {}), description: r.description, docs: ruleDocsUrl(r.code) })),
    );
  });
});

describe('meshctl schema', () => {
  it('prints exactly schemas/mesh.schema.json', () => {
    const run = meshctl(['schema']);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(readFileSync(path.join(repoRoot, 'schemas', 'mesh.schema.json'), 'utf8'));
  });
});

describe('meshctl validate --help', () => {
  it('documents the exit codes', () => {
    const run = meshctl(['validate', '--help']);
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('EXIT CODES');
    expect(run.stdout).toMatch(/^\s*0\s+no errors/m);
    expect(run.stdout).toMatch(/^\s*1\s+findings at error level, or too many warnings/m);
    expect(run.stdout).toMatch(/^\s*2\s+usage error, unreadable input, or internal error/m);
  });
});

describe('no command prints a stack trace', () => {
  it.each([[['nosuchcommand']], [['validate', '--output']], [['rules', '-o', 'yaml']]])('%j', (args) => {
    const run = meshctl(args);
    expect(run.status).toBe(2);
    expect(run.stdout + run.stderr).not.toMatch(STACK_TRACE);
    expect(run.stderr.trim().length).toBeGreaterThan(0);
  });
});
