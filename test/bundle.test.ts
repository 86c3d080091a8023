// meshctl starts from dist/bundle/ (scripts/bundle.mjs): the oclif runtime, every command and the
// npm packages they use, in a few dozen files instead of some 400 modules. These tests hold the
// bundle to what it is for: self-contained for the commands that do not talk to a cluster, the
// same output as the compiled modules, and never used when it may be older than them.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from './helpers/run-cli.js';

const example = path.join(repoRoot, 'examples', 'mesh');
let copy: string;

/** meshctl from the copy of the package, with an environment that names nothing of the checkout. */
const meshctl = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(copy, 'bin', 'run.js'), ...args], { cwd: copy, encoding: 'utf8', env: { PATH: process.env.PATH, NO_COLOR: '1' } });
let unbundled: string;
/** meshctl from a copy without a manifest: oclif from node_modules, the commands from dist/commands. */
const fromModules = (...args: string[]) =>
  spawnSync(process.execPath, [path.join(unbundled, 'bin', 'run.js'), ...args], { cwd: unbundled, encoding: 'utf8', env: { PATH: process.env.PATH, NO_COLOR: '1' } });

/** A copy of the package's files with their times, directories' too (bin/run.js compares them). */
function copyPackage(from: string, to: string): void {
  for (const entry of ['package.json', 'oclif.manifest.json', 'bin', 'dist']) cpSync(path.join(from, entry), path.join(to, entry), { recursive: true, preserveTimestamps: true });
  const dateDirectories = (relative: string) => {
    for (const name of readdirSync(path.join(from, relative), { withFileTypes: true })) if (name.isDirectory()) dateDirectories(path.join(relative, name.name));
    const { atime, mtime } = statSync(path.join(from, relative));
    utimesSync(path.join(to, relative), atime, mtime);
  };
  dateDirectories('dist');
}

beforeAll(() => {
  // The package without node_modules: what validate and compile need must all be in the bundle.
  copy = mkdtempSync(path.join(tmpdir(), 'meshctl-bundle-'));
  copyPackage(repoRoot, copy);
  unbundled = mkdtempSync(path.join(tmpdir(), 'meshctl-unbundled-'));
  copyPackage(repoRoot, unbundled);
  rmSync(path.join(unbundled, 'oclif.manifest.json'));
  symlinkSync(path.join(repoRoot, 'node_modules'), path.join(unbundled, 'node_modules'), 'dir');
});
afterAll(() => {
  rmSync(copy, { recursive: true, force: true });
  rmSync(unbundled, { recursive: true, force: true });
});

describe('the bundle', () => {
  it('is where the manifest sends oclif for every command', () => {
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { relativePath: string[] }> };
    const bundled = readdirSync(path.join(repoRoot, 'dist', 'bundle'));
    for (const [id, command] of Object.entries(manifest.commands)) {
      expect(command.relativePath.slice(0, 2), id).toEqual(['dist', 'bundle']);
      expect(bundled, id).toContain(command.relativePath[2]);
    }
  });

  it('runs validate, compile and --help without node_modules, with the output of the compiled modules', () => {
    for (const args of [
      ['validate', example, '-o', 'json'],
      ['compile', example, '--target', 'istio'],
      ['compile', example, '--target', 'envoy', '-o', 'json'],
      ['compile', example, '--target', 'gateway-api'],
      ['validate', '--help'],
    ]) {
      const fromBundle = meshctl(...args);
      const fromCompiled = fromModules(...args);
      expect(fromBundle.status, `${args.join(' ')}: ${fromBundle.stderr}`).toBe(0);
      expect(fromBundle.stdout.length, args.join(' ')).toBeGreaterThan(100);
      expect(fromBundle.stdout, args.join(' ')).toBe(fromCompiled.stdout);
      expect(fromBundle.stderr, args.join(' ')).toBe(fromCompiled.stderr);
    }
  });

  it('reports usage errors and mistyped commands in meshctl\'s style', () => {
    const flag = meshctl('validate', '--bogus');
    expect(flag.status).toBe(2);
    expect(flag.stderr).toBe('meshctl: error: nonexistent flag: --bogus\n  (see "meshctl validate --help")\n');
    // The command-not-found hook is loaded from dist/hooks, with oclif from node_modules.
    const link = path.join(copy, 'node_modules');
    symlinkSync(path.join(repoRoot, 'node_modules'), link, 'dir');
    try {
      const typo = meshctl('valdiate', example);
      expect(typo.status).toBe(2);
      expect(typo.stderr).toContain('unknown command "valdiate"; did you mean "validate"?');
    } finally {
      rmSync(link);
    }
  });

  it('is not used once a compiled command is newer than the manifest', () => {
    // A marker in the compiled validate command that the bundle does not have: only a run that
    // loads dist/commands (the fallback, with oclif from node_modules) prints it.
    const stale = mkdtempSync(path.join(tmpdir(), 'meshctl-bundle-stale-'));
    try {
      copyPackage(copy, stale);
      symlinkSync(path.join(repoRoot, 'node_modules'), path.join(stale, 'node_modules'), 'dir');
      const validate = path.join(stale, 'dist', 'commands', 'validate.js');
      const MARKER = 'Checked by the recompiled command.';
      writeFileSync(validate, readFileSync(validate, 'utf8').replace(/static summary = '[^']*'/, `static summary = '${MARKER}'`));
      mkdirSync(path.join(stale, 'mesh'));
      const help = spawnSync(process.execPath, [path.join(stale, 'bin', 'run.js'), 'validate', '--help'], { cwd: stale, encoding: 'utf8', env: { PATH: process.env.PATH } });
      expect(help.status, help.stderr).toBe(0);
      expect(help.stdout).toContain(MARKER);
    } finally {
      rmSync(stale, { recursive: true, force: true });
    }
  });
});
