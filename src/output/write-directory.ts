// Writes compiled objects into a directory, one file per object plus a kustomization.yaml.
// All or nothing: files are written into a fresh sibling directory that then replaces the target,
// so a failure never leaves a half-written output. A directory meshctl did not write is never
// overwritten: the marker file says it is meshctl's own.
import { promises as fs, writeFileSync } from 'node:fs';
import path from 'node:path';
import { kustomization, objectFileName, toYaml, type KubernetesObject } from './manifest.js';

export const OUTPUT_MARKER = '.meshctl-output';

export class OutputDirectoryError extends Error {}

export async function writeObjectsDirectory(directory: string, objects: readonly KubernetesObject[]): Promise<string[]> {
  const target = path.resolve(directory);
  await refuseForeignDirectory(target);
  const names = objects.map(objectFileName);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new OutputDirectoryError(`two objects would be written to ${name}`);
    seen.add(name);
  }
  const staging = `${target}.meshctl-${process.pid}-staging`;
  const previous = `${target}.meshctl-${process.pid}-previous`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  try {
    // Synchronous on purpose: a large mesh writes tens of thousands of small files, and a promise
    // per file (open, write, close through the thread pool) costs about five times the CPU of a
    // plain write, with nothing else for the process to do meanwhile. Each file is rendered just
    // before it is written, so the whole output is never held in memory at once.
    objects.forEach((object, index) => writeFileSync(path.join(staging, names[index]!), toYaml(object)));
    await fs.writeFile(path.join(staging, 'kustomization.yaml'), kustomization(names));
    await fs.writeFile(path.join(staging, OUTPUT_MARKER), 'This directory is written by `meshctl compile -o`; its contents are replaced on every run.\n');
    const exists = await fs.stat(target).then(() => true, () => false);
    if (exists) await fs.rename(target, previous);
    try {
      await fs.rename(staging, target);
    } catch (error) {
      if (exists) await fs.rename(previous, target);
      throw error;
    }
    if (exists) await fs.rm(previous, { recursive: true, force: true });
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
  return [...names, 'kustomization.yaml'];
}

async function refuseForeignDirectory(target: string): Promise<void> {
  let entries: string[];
  try {
    const stat = await fs.stat(target);
    if (!stat.isDirectory()) throw new OutputDirectoryError(`${target} exists and is not a directory`);
    entries = await fs.readdir(target);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length > 0 && !entries.includes(OUTPUT_MARKER)) {
    throw new OutputDirectoryError(`${target} is not empty and was not written by meshctl: choose an empty or new directory`);
  }
}
