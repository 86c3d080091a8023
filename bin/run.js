#!/usr/bin/env node
// oclif lists meshctl's commands from oclif.manifest.json, which `npm run build` writes after
// compiling, instead of importing every command module on each start. A manifest older than any
// compiled command (tsc run on its own, a command added or removed since) could hide a command or
// describe stale flags, so it is ignored then and oclif reads the commands themselves: slower,
// never wrong.
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execute, Plugin, settings } from '@oclif/core';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
// meshctl always runs its compiled code. Without this, oclif loads src/ through a TypeScript
// transpiler whenever NODE_ENV is "development" or "test" (as under a test runner), which doubles
// start time and memory and runs something other than what ships.
settings.enableAutoTranspile = false;

if (manifestIsStale()) {
  const plugin = new Plugin({ root, type: 'core', isRoot: true, ignoreManifest: true });
  await plugin.load();
  await execute({ loadOptions: { root, plugins: new Map([[plugin.name, plugin]]) } });
} else {
  await execute({ dir: import.meta.url });
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
