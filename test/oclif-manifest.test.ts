// oclif.manifest.json lets meshctl start without importing every command. It must describe exactly
// the compiled commands: written by `npm run build` from dist/commands, and ignored at start-up as
// soon as a compiled command is newer than it.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './helpers/run-cli.js';

interface ManifestCommand {
  id: string;
  summary?: string;
  flags: Record<string, { name: string; char?: string; hidden?: boolean }>;
}
interface Manifest {
  version: string;
  commands: Record<string, ManifestCommand>;
}

const manifestFile = path.join(repoRoot, 'oclif.manifest.json');
const generator = path.join(repoRoot, 'scripts', 'generate-oclif-manifest.mjs');
let manifest: Manifest;

/** Command ids as oclif's pattern strategy derives them: one per compiled file, `:` between folders. */
function compiledCommandIds(directory: string): string[] {
  return readdirSync(directory, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.js'))
    .map((file) => file.slice(0, -'.js'.length).split(path.sep).join(':'))
    .map((id) => id.replace(/(^|:)index$/, ''))
    .sort();
}

beforeAll(() => {
  if (!existsSync(manifestFile)) throw new Error(`${manifestFile} is missing: run "npm run build"`);
  manifest = JSON.parse(readFileSync(manifestFile, 'utf8')) as Manifest;
});

describe('oclif.manifest.json', () => {
  it('is exactly what the generator builds from dist/commands', () => {
    const check = spawnSync(process.execPath, [generator, '--check'], { cwd: repoRoot, encoding: 'utf8' });
    expect(check.stderr).toBe('');
    expect(check.status).toBe(0);
  });

  it('lists every compiled command, and only those', () => {
    expect(Object.keys(manifest.commands).sort()).toEqual(compiledCommandIds(path.join(repoRoot, 'dist', 'commands')));
    expect(manifest.version).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
  });

  it('gives every command a working --help, and the command list names them all', () => {
    const root = runCli(['--help']);
    expect(root.status, root.stderr).toBe(0);
    for (const [id, command] of Object.entries(manifest.commands)) {
      expect(root.stdout).toContain(`  ${id.replaceAll(':', ' ')} `);
      // "meshctl help --help" is oclif's: the help command shows the overview, which lists help itself.
      const help = runCli(id === 'help' ? ['help', 'help'] : [...id.split(':'), '--help']);
      expect(help.status, `${id} --help: ${help.stderr}`).toBe(0);
      expect(help.stdout).toContain(`$ meshctl ${id.replaceAll(':', ' ')}`);
      if (command.summary) expect(help.stdout).toContain(command.summary.split(' ').slice(0, 4).join(' '));
      // Hidden flags are deprecated spellings or ones that only explain why they do not exist (-n).
      for (const flag of Object.values(command.flags)) if (!flag.hidden) expect(help.stdout, `${id} --help shows --${flag.name}`).toContain(`--${flag.name}`);
    }
  });
});

describe('a manifest that no longer matches dist/commands', () => {
  // A copy of the package, so the test can age and rewrite files without touching the checkout.
  let copy: string;
  const MARKER = 'Summary read from the manifest.';
  const longAgo = new Date('2020-01-01T00:00:00Z');
  const meshctl = (...args: string[]) => spawnSync(process.execPath, [path.join(copy, 'bin', 'run.js'), ...args], { cwd: copy, encoding: 'utf8' });

  /** Every compiled command and directory dated long ago, and a manifest (with a marker summary) dated now. */
  function writeFreshMarkedManifest(): void {
    const age = (entry: string) => {
      for (const name of readdirSync(entry, { withFileTypes: true })) {
        if (name.isDirectory()) age(path.join(entry, name.name));
        else utimesSync(path.join(entry, name.name), longAgo, longAgo);
      }
      utimesSync(entry, longAgo, longAgo);
    };
    age(path.join(copy, 'dist', 'commands'));
    age(path.join(copy, 'dist', 'cli'));
    const marked = structuredClone(manifest);
    marked.commands.validate!.summary = MARKER;
    const file = path.join(copy, 'oclif.manifest.json');
    writeFileSync(file, JSON.stringify(marked));
    // Dated a little in the past, so a change the test makes next is surely newer.
    const written = new Date(Date.now() - 60_000);
    utimesSync(file, written, written);
  }

  beforeAll(() => {
    copy = mkdtempSync(path.join(tmpdir(), 'meshctl-manifest-'));
    for (const entry of ['package.json', 'bin', 'dist', 'scripts/generate-oclif-manifest.mjs']) {
      mkdirSync(path.dirname(path.join(copy, entry)), { recursive: true });
      cpSync(path.join(repoRoot, entry), path.join(copy, entry), { recursive: true });
    }
    symlinkSync(path.join(repoRoot, 'node_modules'), path.join(copy, 'node_modules'), 'dir');
  });
  afterAll(() => {
    rmSync(copy, { recursive: true, force: true });
  });

  it('is used while it is newer than every compiled command', () => {
    writeFreshMarkedManifest();
    const help = meshctl('--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).toContain(MARKER);
  });

  it('is ignored once a command is recompiled: its help comes from the command itself', () => {
    writeFreshMarkedManifest();
    const validate = path.join(copy, 'dist', 'commands', 'validate.js');
    writeFileSync(validate, readFileSync(validate));
    const help = meshctl('validate', '--help');
    expect(help.status, help.stderr).toBe(0);
    expect(help.stdout).not.toContain(MARKER);
    expect(help.stdout).toContain(manifest.commands.validate!.summary!.split(' ').slice(0, 4).join(' '));
  });

  it('is ignored once a command is added or removed: the new one runs, the removed one is gone', () => {
    writeFreshMarkedManifest();
    cpSync(path.join(copy, 'dist', 'commands', 'schema.js'), path.join(copy, 'dist', 'commands', 'schema-copy.js'));
    const added = meshctl('schema-copy');
    expect(added.status, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toHaveProperty('$schema');

    writeFreshMarkedManifest();
    rmSync(path.join(copy, 'dist', 'commands', 'schema-copy.js'));
    const removed = meshctl('--help');
    expect(removed.stdout).not.toContain('schema-copy');
    expect(removed.stdout).not.toContain(MARKER);
  });

  it('fails the generator\'s --check', () => {
    writeFreshMarkedManifest();
    const check = spawnSync(process.execPath, [path.join(copy, 'scripts', 'generate-oclif-manifest.mjs'), '--check'], { cwd: copy, encoding: 'utf8' });
    expect(check.status).toBe(1);
    expect(check.stderr).toBe('oclif.manifest.json is stale: run "npm run build"\n');
  });
});
