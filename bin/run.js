#!/usr/bin/env node
// oclif lists meshctl's commands from oclif.manifest.json, which `npm run build` writes after
// compiling, instead of importing every command module on each start. A manifest older than any
// compiled command (tsc run on its own, a command added or removed since) could hide a command or
// describe stale flags, so it is ignored then and oclif reads the commands themselves: slower,
// never wrong.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Errors, flush, handle, Plugin, run, settings } from '@oclif/core';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// meshctl always runs its compiled code. Without this, oclif loads src/ through a TypeScript
// transpiler whenever NODE_ENV is "development" or "test" (as under a test runner), which doubles
// start time and memory and runs something other than what ships.
settings.enableAutoTranspile = false;

try {
  if (manifestIsStale()) {
    const plugin = new Plugin({ root, type: 'core', isRoot: true, ignoreManifest: true });
    await plugin.load();
    await run(process.argv.slice(2), { root, plugins: new Map([[plugin.name, plugin]]) });
  } else {
    await run(process.argv.slice(2), import.meta.url);
  }
  await flush();
} catch (error) {
  await reportFailure(error);
}

/**
 * Errors raised before a command runs (an unknown command, a bad help topic) in meshctl's one error
 * style; an exit requested by a command keeps oclif's handling. Commands report their own errors.
 */
async function reportFailure(error) {
  if (error instanceof Errors.ExitError || error?.code === 'EEXIT') return handle(error);
  const { formatUsageError } = await import('../dist/cli/error-style.js');
  if (error instanceof Errors.CLIError) {
    process.stderr.write(formatUsageError(error.message));
    process.exit(error.oclif?.exit ?? 2);
  }
  process.stderr.write(`meshctl: internal error: ${error?.message ?? String(error)}\n  (set DEBUG=meshctl to see where)\n`);
  if (process.env.DEBUG) process.stderr.write(`${error?.stack}\n`);
  process.exit(2);
}

/** True when some file or directory the manifest describes changed after it was written. */
function manifestIsStale() {
  let written;
  try {
    written = statSync(path.join(root, 'oclif.manifest.json')).mtimeMs;
  } catch {
    return false; // no manifest: oclif reads the commands anyway
  }
  // A directory's time changes when an entry is added, removed or renamed; a file's when rewritten.
  const changedSince = (entry) => {
    const stats = statSync(entry);
    if (stats.mtimeMs > written) return true;
    return stats.isDirectory() && readdirSync(entry).some((name) => changedSince(path.join(entry, name)));
  };
  try {
    return changedSince(path.join(root, 'dist', 'commands')) || changedSince(path.join(root, 'dist', 'cli'));
  } catch {
    return true;
  }
}
