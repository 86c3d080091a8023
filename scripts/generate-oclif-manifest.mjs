// Writes oclif.manifest.json: every command's id, summary, flags and args, read from the compiled
// commands in dist/commands. With it, oclif answers `--version` and `--help` and finds a command
// without importing every command module first (the manifest halves meshctl's cold start).
//
// It builds the manifest the way oclif's own `oclif manifest` command does: an oclif Plugin for
// this package, told to ignore any manifest already there, loads every file under dist/commands
// and caches its static properties. New command files are therefore picked up without a list to
// keep in step. Command ids are sorted so the same dist/ always gives the same bytes.
//
//   npm run build            (runs this after tsc)
//   node scripts/generate-oclif-manifest.mjs [--check]
//
// --check writes nothing and exits 1 when the manifest on disk differs from what dist/ gives.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Plugin } from '@oclif/core';

export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_FILE = 'oclif.manifest.json';

/** The manifest's text for the package at `root`, built from its compiled commands. */
export async function buildOclifManifest(root = repoRoot) {
  if (!existsSync(path.join(root, 'dist', 'commands'))) throw new Error(`${path.join(root, 'dist', 'commands')} is missing: run "npm run build"`);
  const plugin = new Plugin({
    root,
    type: 'core',
    isRoot: true,
    ignoreManifest: true,
    // A command that fails to load must fail the build, not vanish from the manifest.
    errorOnManifestCreate: true,
    respectNoCacheDefault: true,
  });
  await plugin.load();
  const commands = Object.fromEntries(Object.keys(plugin.manifest.commands).sort().map((id) => [id, bundled(root, plugin.manifest.commands[id])]));
  return `${JSON.stringify({ commands, version: plugin.manifest.version }, null, 2)}\n`;
}

/**
 * The command as oclif loads it: from its entry in dist/bundle/ (scripts/bundle.mjs), where the
 * build put one, so that the command and bin/run.js share the bundled oclif; else from dist/commands.
 */
function bundled(root, command) {
  const file = command.relativePath?.at(-1);
  if (file === undefined || !existsSync(path.join(root, 'dist', 'bundle', file))) return command;
  return { ...command, relativePath: ['dist', 'bundle', file] };
}

async function main() {
  const file = path.join(repoRoot, MANIFEST_FILE);
  if (process.argv.includes('--check')) {
    const expected = await buildOclifManifest();
    const actual = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
    if (actual !== expected) {
      process.stderr.write(`${MANIFEST_FILE} ${actual === undefined ? 'is missing' : 'is stale'}: run "npm run build"\n`);
      process.exitCode = 1;
    }
    return;
  }
  // An old manifest must not outlive a failed generation: oclif would trust it.
  rmSync(file, { force: true });
  const text = await buildOclifManifest();
  writeFileSync(file, text);
  const count = Object.keys(JSON.parse(text).commands).length;
  process.stdout.write(`wrote ${MANIFEST_FILE} (${count} commands)\n`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    await main();
  } catch (error) {
    process.stderr.write(`generate-oclif-manifest: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 2;
  }
}
