// Bundles the compiled CLI into dist/bundle/: the oclif runtime (dist/cli/main.js), one entry per
// command and hook, and the chunks they share, with their npm dependencies inside. Node.js 20 has
// no compile cache for ES modules, so most of a cold start went to resolving, reading and
// compiling about 400 module files; the bundle gives the same code in a few dozen. A command's
// lazy imports stay lazy: esbuild splits them into chunks loaded when the command reaches them.
//
//   npm run build            (runs this after tsc, before the manifest is written)
//
// Kept out, loaded from node_modules as before: @kubernetes/client-node, which only the cluster
// commands load and which finds parts of itself at run time; typescript and ts-node, which oclif
// asks for only when it transpiles sources, and meshctl never lets it.
//
// The chunks sit directly in dist/bundle/, two levels below the package root as every compiled
// module in dist/<folder>/ is, so that code which finds package.json relative to its own module
// finds the same file bundled or not.
import { readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
export const BUNDLE_DIRECTORY = path.join(dist, 'bundle');

const entries = (folder) =>
  readdirSync(path.join(dist, folder))
    .filter((name) => name.endsWith('.js'))
    .sort()
    .map((name) => path.join(dist, folder, name));

rmSync(BUNDLE_DIRECTORY, { recursive: true, force: true });
const commands = entries('commands');
const hooks = entries('hooks');
// Entry names are file names alone: two entries with one name would overwrite each other.
const names = [...commands, ...hooks].map((file) => path.basename(file));
const repeated = names.find((name, index) => names.indexOf(name) !== index || name === 'main.js');
if (repeated) throw new Error(`two bundle entries are named ${repeated}: rename a command or hook`);

await build({
  entryPoints: [path.join(dist, 'cli', 'main.js'), ...commands, ...hooks],
  outdir: BUNDLE_DIRECTORY,
  entryNames: '[name]',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Whitespace and syntax only: names stay, so a stack trace (DEBUG=meshctl) still reads.
  minifyWhitespace: true,
  minifySyntax: true,
  external: ['@kubernetes/client-node', 'typescript', 'ts-node'],
  // CommonJS dependencies bundled into an ES module still call require() for Node's built-ins.
  banner: { js: "import { createRequire as __meshctlCreateRequire } from 'node:module'; const require = __meshctlCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});
process.stdout.write(`bundled ${commands.length} commands and ${hooks.length} hook${hooks.length === 1 ? '' : 's'} into ${path.relative(root, BUNDLE_DIRECTORY)}/\n`);
