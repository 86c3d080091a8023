// The command-line habits kubectl users bring: -o names a format on every command, help and -h,
// version, shell completion, did-you-mean, and one error style.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dryRunMeansServer } from '../src/commands/apply.js';
import { resolveOutput } from '../src/cli/output-format.js';
import { formatUsageError } from '../src/cli/error-style.js';
import { repoRoot, runCli } from './helpers/run-cli.js';

let dir: string;
const meshctl = (args: string[]) => runCli(args, { cwd: dir });
const MESH = path.join(repoRoot, 'examples', 'mesh');

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'meshctl-conventions-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('-o/--output names a format on every command', () => {
  it.each([
    [['validate', MESH, '-o', 'json'], (out: string) => JSON.parse(out).summary],
    [['compile', MESH, '-o', 'json'], (out: string) => JSON.parse(out).kind === 'List'],
    [['graph', MESH, '-o', 'json'], (out: string) => JSON.parse(out).nodes],
    [['rules', '-o', 'json'], (out: string) => JSON.parse(out).length > 0],
    [['version', '-o', 'json'], (out: string) => JSON.parse(out).version],
  ])('%j prints the format and writes no file called "json"', (args, check) => {
    const run = meshctl(args);
    expect(run.status, run.stderr).toBe(0);
    expect(check(run.stdout)).toBeTruthy();
    expect(run.stderr).toBe('');
    expect(existsSync(path.join(dir, 'json'))).toBe(false);
  });

  it('a format name of another command is refused, never taken as a file name', () => {
    for (const [command, name] of [['validate', 'yaml'], ['graph', 'sarif'], ['compile', 'sarif']] as const) {
      const run = meshctl([command, MESH, '-o', name]);
      expect(run.status, `${command} -o ${name}`).toBe(2);
      expect(run.stderr).toMatch(new RegExp(`^meshctl: error: -o ${name}: not an output format of this command`));
      expect(existsSync(path.join(dir, name))).toBe(false);
    }
  });

  it('the old spellings still work for one release, with a deprecation warning', () => {
    const report = path.join(dir, 'report.sarif');
    const legacy = meshctl(['validate', MESH, '-f', 'sarif', '-o', report]);
    expect(legacy.status, legacy.stderr).toBe(0);
    expect(legacy.stderr).toContain('meshctl: warning: -o ');
    expect(legacy.stderr).toContain(`use --output-file ${report}`);
    expect(legacy.stderr).toContain('meshctl: warning: -f/--format is deprecated: use -o sarif');
    const current = meshctl(['validate', MESH, '-o', 'sarif', '--output-file', path.join(dir, 'current.sarif')]);
    expect(current.stderr).toBe('');
    expect(readFileSync(report, 'utf8')).toBe(readFileSync(path.join(dir, 'current.sarif'), 'utf8'));

    const out = path.join(dir, 'out');
    const compiled = meshctl(['compile', MESH, '-o', out]);
    expect(compiled.status, compiled.stderr).toBe(0);
    expect(compiled.stderr).toContain(`use --out-dir ${out}`);
    expect(existsSync(path.join(out, 'kustomization.yaml'))).toBe(true);
  });

  it('resolves each combination in one place', () => {
    const options = { formats: ['stylish', 'json'], defaultFormat: 'stylish', destination: 'file' as const, targetFlag: '--output-file' };
    expect(resolveOutput({}, options)).toEqual({ format: 'stylish', warnings: [] });
    expect(resolveOutput({ output: 'json' }, { ...options, target: 'r.json' })).toEqual({ format: 'json', target: 'r.json', warnings: [] });
    expect(() => resolveOutput({ output: 'yaml' }, options)).toThrow(/not an output format/);
    expect(() => resolveOutput({ output: 'json', format: 'stylish' }, options)).toThrow(/disagree/);
    expect(() => resolveOutput({ output: 'a.txt' }, { ...options, target: 'b.txt' })).toThrow(/give the file once/);
    // Where there never was a file flag, a value that is not a format is an error, not a file.
    expect(() => resolveOutput({ output: 'a.txt' }, { ...options, destination: 'none', targetFlag: undefined })).toThrow(/not an output format/);
  });
});

describe('help, -h and version', () => {
  it('"meshctl help validate", "validate -h" and "validate --help" print the same help', () => {
    const help = meshctl(['help', 'validate']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('$ meshctl validate [PATHS...]');
    expect(meshctl(['validate', '-h']).stdout).toBe(help.stdout);
    expect(meshctl(['validate', '--help']).stdout).toBe(help.stdout);
  });

  it('version -o json gives the version, Node and the build commit', () => {
    const run = meshctl(['version', '-o', 'json']);
    const info = JSON.parse(run.stdout);
    expect(info.version).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
    expect(info.node).toBe(process.version);
    // The commit dist/ was built from: a commit of this repository (HEAD when built by `npm test`).
    expect(info.build.commit).toMatch(/^[0-9a-f]{40}(-dirty)?$/);
    const commit = info.build.commit.replace(/-dirty$/, '');
    expect(spawnSync('git', ['cat-file', '-e', `${commit}^{commit}`], { cwd: repoRoot }).status).toBe(0);
    expect(meshctl(['version']).stdout).toBe(`meshctl ${info.version} (commit ${info.build.commit}) node ${info.node} ${info.platform}\n`);
  });
});

describe('one error style, with did-you-mean', () => {
  it.each([
    [['valdiate', MESH], 'meshctl: error: unknown command "valdiate"; did you mean "validate"?\n  (see "meshctl help")\n'],
    [['help', 'compiel'], 'meshctl: error: unknown command "compiel"; did you mean "compile"?\n'],
    [['graph', MESH, '--bogus'], 'meshctl: error: nonexistent flag: --bogus\n  (see "meshctl graph --help")\n'],
  ])('%j', (args, expected) => {
    const run = meshctl(args);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe(expected);
    expect(run.stdout).toBe('');
  });

  it('formats oclif\'s messages as meshctl\'s', () => {
    expect(formatUsageError('Nonexistent flag: --x\nSee more help with --help', 'review')).toBe('meshctl: error: nonexistent flag: --x\n  (see "meshctl review --help")\n');
  });
});

describe('diff and apply', () => {
  it('-n explains that namespaces come from the mesh files', () => {
    const run = meshctl(['diff', MESH, '-n', 'shop']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^meshctl: error: -n shop: meshctl diff has no namespace flag; namespaces come from the mesh files/);
    expect(meshctl(['apply', '--help']).stdout).toContain('There is no -n/--namespace');
  });

  it('--dry-run alone means server; a mesh path after it is not its value', () => {
    expect(dryRunMeansServer(['--dry-run', 'mesh/'])).toEqual(['--dry-run=server', 'mesh/']);
    expect(dryRunMeansServer(['mesh/', '--dry-run'])).toEqual(['mesh/', '--dry-run=server']);
    expect(dryRunMeansServer(['--dry-run', 'server', 'mesh/'])).toEqual(['--dry-run', 'server', 'mesh/']);
    expect(dryRunMeansServer(['--dry-run=server'])).toEqual(['--dry-run=server']);
    expect(dryRunMeansServer(['--', '--dry-run'])).toEqual(['--', '--dry-run']);
  });

  it('--dry-run=client points to compile and diff', () => {
    const run = meshctl(['apply', MESH, '--dry-run=client']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/meshctl has no client dry run; "meshctl compile" prints what would be sent/);
  });
});

describe('meshctl completion', () => {
  const complete = (script: string, words: string[]) => {
    const program = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _meshctl; printf '%s\\n' "\${COMPREPLY[@]}"`;
    const run = spawnSync('bash', ['-c', program, 'complete', script, ...words], { cwd: dir, encoding: 'utf8' });
    expect(run.stderr).toBe('');
    return run.stdout.split('\n').filter(Boolean);
  };

  it('bash completes commands, flags and format values from the commands themselves', () => {
    const run = meshctl(['completion', 'bash']);
    expect(run.status).toBe(0);
    const script = path.join(dir, 'meshctl.bash');
    writeFileSync(script, run.stdout);
    expect(complete(script, ['meshctl', 'val'])).toEqual(['validate']);
    expect(complete(script, ['meshctl', 'co'])).toEqual(['compile', 'completion']);
    expect(complete(script, ['meshctl', 'validate', '-o', ''])).toEqual(['stylish', 'json', 'sarif', 'github']);
    expect(complete(script, ['meshctl', 'graph', '--output', '=', 'd'])).toEqual(['dot']);
    expect(complete(script, ['meshctl', 'compile', '--ta'])).toEqual(['--target']);
    expect(complete(script, ['meshctl', 'compile', '--target', ''])).toEqual(['istio', 'envoy', 'gateway-api']);
    expect(complete(script, ['meshctl', 'completion', 'f'])).toEqual(['fish']);
    // Deprecated spellings are not offered.
    expect(complete(script, ['meshctl', 'validate', '--fo'])).toEqual([]);
  });

  it('zsh and fish scripts cover the same commands; an unknown shell is refused', () => {
    const zsh = meshctl(['completion', 'zsh']).stdout;
    expect(zsh).toMatch(/^#compdef meshctl\n/);
    expect(zsh).toContain('complete -o default -F _meshctl meshctl');
    const fish = meshctl(['completion', 'fish']).stdout;
    expect(fish).toContain("complete -c meshctl -n \"__fish_seen_subcommand_from validate\" -s o -l output -x -a 'stylish json sarif github'");
    const bad = meshctl(['completion', 'tcsh']);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/^meshctl: error: expected tcsh to be one of: bash, zsh, fish/);
  });
});
