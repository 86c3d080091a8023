#!/usr/bin/env node
// meshctl starts from its bundle: `npm run build` bundles the compiled CLI into dist/bundle/
// (scripts/bundle.mjs) and writes oclif.manifest.json, which lists the commands and points oclif at
// their bundled entries. The oclif runtime is taken from the bundle too, so that the commands and
// the runtime are one oclif.
//
// A manifest older than any compiled command (tsc run on its own, a command added or removed since)
// could hide a command, describe stale flags or point at a stale bundle, so then neither is used:
// oclif is loaded from node_modules and reads the compiled commands themselves. Slower, never wrong.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { manifestIsFresh } from './manifest-freshness.js';

const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
const bundledRuntime = path.join(root, 'dist', 'bundle', 'main.js');
const bundled = manifestIsFresh(root) && existsSync(bundledRuntime);
const oclif = bundled ? await import(pathToFileURL(bundledRuntime).href) : await import('@oclif/core');
const { flush, handle, Plugin, run, settings } = oclif;
// meshctl always runs its compiled code. Without this, oclif loads src/ through a TypeScript
// transpiler whenever NODE_ENV is "development" or "test" (as under a test runner), which doubles
// start time and memory and runs something other than what ships.
settings.enableAutoTranspile = false;

try {
  if (bundled) {
    await run(process.argv.slice(2), import.meta.url);
  } else {
    const plugin = new Plugin({ root, type: 'core', isRoot: true, ignoreManifest: true });
    await plugin.load();
    await run(process.argv.slice(2), { root, plugins: new Map([[plugin.name, plugin]]) });
  }
  await flush();
} catch (error) {
  await reportFailure(error);
}

/**
 * Errors raised before a command runs (an unknown command, a bad help topic) in meshctl's one error
 * style; an exit requested by a command keeps oclif's handling. Commands report their own errors.
 * oclif's errors are known by their shape, not their class: the command-not-found hook is loaded
 * from dist/hooks with oclif from node_modules, another copy of the classes than the bundle's.
 */
async function reportFailure(error) {
  if (error?.code === 'EEXIT') return handle(error);
  const { formatUsageError } = await import('../dist/cli/error-style.js');
  if (error instanceof Error && error.oclif !== undefined) {
    process.stderr.write(formatUsageError(error.message));
    process.exit(error.oclif.exit ?? 2);
  }
  process.stderr.write(`meshctl: internal error: ${error?.message ?? String(error)}\n  (set DEBUG=meshctl to see where)\n`);
  if (process.env.DEBUG) process.stderr.write(`${error?.stack}\n`);
  process.exit(2);
}
