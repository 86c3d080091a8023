// The generated meshes the benchmark runs on, kept in .cache/bench/ between runs: generating 20,000
// services takes seconds, and the same seed and generator always give the same files. A directory
// is named by size, seed and a hash of everything that decides the generator's output, so an edited
// generator (or another version of the YAML library that renders it) gets fresh meshes.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { generateMesh, type GeneratedFile } from './generate-mesh.js';

export interface CachedMesh {
  services: number;
  seed: number;
  directory: string;
  files: number;
  bytes: number;
  /** Whether this run generated it (false: reused from an earlier run). */
  generated: boolean;
}

export function generatorHash(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(path.join(import.meta.dirname, 'generate-mesh.ts')));
  const require = createRequire(import.meta.url);
  const yamlPackage = JSON.parse(readFileSync(path.join(path.dirname(require.resolve('yaml')), '..', 'package.json'), 'utf8')) as { version: string };
  hash.update(`yaml@${yamlPackage.version}`);
  return hash.digest('hex').slice(0, 12);
}

/** The mesh of `services` services for `seed`, from the cache or freshly generated into it. */
export function cachedMesh(cacheDir: string, services: number, seed: number, hash: string): CachedMesh {
  const prefix = `mesh-${services}-seed${seed}-`;
  const directory = path.join(cacheDir, `${prefix}${hash}`);
  const complete = path.join(directory, '.complete');
  let generated = false;
  if (!existsSync(complete)) {
    writeAtomically(cacheDir, directory, generateMesh({ services, seed }));
    generated = true;
  }
  // Meshes of an older generator are never read again. (Only finished ones: a `.partial-<pid>`
  // directory may be another benchmark run's, still being written.)
  for (const name of readdirSync(cacheDir)) {
    if (name.startsWith(prefix) && /^[0-9a-f]{12}$/.test(name.slice(prefix.length)) && path.join(cacheDir, name) !== directory) {
      rmSync(path.join(cacheDir, name), { recursive: true, force: true });
    }
  }
  const { files, bytes } = meshSize(directory);
  return { services, seed, directory, files, bytes, generated };
}

/** A one-file mesh (the Mesh and one Service in one file), for the cold-start figures. */
export function oneFileMesh(cacheDir: string, seed: number, hash: string): string {
  const directory = path.join(cacheDir, `one-file-seed${seed}-${hash}`);
  const file = path.join(directory, 'mesh.yaml');
  if (!existsSync(path.join(directory, '.complete'))) {
    const text = generateMesh({ services: 1, seed })
      .map((generated) => generated.text)
      .join('---\n');
    writeAtomically(cacheDir, directory, [{ path: 'mesh.yaml', text }]);
  }
  return file;
}

/** Sum of the mesh files' sizes: what meshctl reads. */
export function meshSize(directory: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const name of readdirSync(directory)) {
    if (!/\.ya?ml$/.test(name)) continue;
    files++;
    bytes += statSync(path.join(directory, name)).size;
  }
  return { files, bytes };
}

/**
 * Written beside its final place and renamed into it, so an interrupted run leaves no half mesh. A
 * finished mesh is never replaced: another benchmark run may be reading it, and it has the same
 * files anyway.
 */
function writeAtomically(cacheDir: string, directory: string, files: readonly GeneratedFile[]): void {
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${directory}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial);
  for (const file of files) writeFileSync(path.join(partial, file.path), file.text);
  writeFileSync(path.join(partial, '.complete'), '');
  // Left by an interrupted run of an older layout, or by hand: incomplete, so nobody reads it.
  if (existsSync(directory) && !existsSync(path.join(directory, '.complete'))) rmSync(directory, { recursive: true, force: true });
  try {
    renameSync(partial, directory);
  } catch (error) {
    // Another run finished the same mesh first.
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(path.join(directory, '.complete'))) throw error;
  }
}
