// Writes compiled objects into a directory, one file per object plus a kustomization.yaml.
// All or nothing: files are written into a fresh sibling directory that then replaces the target,
// so a failure never leaves a half-written output. A directory meshctl did not write is never
// overwritten: the marker file says it is meshctl's own.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { kustomization, objectFileName, toYaml, type KubernetesObject } from './manifest.js';

export const OUTPUT_MARKER = '.meshctl-output';

export class OutputDirectoryError extends Error {}

export async function writeObjectsDirectory(directory: string, objects: readonly KubernetesObject[]): Promise<string[]> {
  const target = path.resolve(directory);
  await refuseForeignDirectory(target);
  const files = new Map<string, string>();
  for (const object of objects) {
    const name = objectFileName(object);
    if (files.has(name)) throw new OutputDirectoryError(`two objects would be written to ${name}`);
    files.set(name, toYaml(object));
  }
  const names = [...files.keys()];
  const staging = `${target}.meshctl-${process.pid}-staging`;
  const previous = `${target}.meshctl-${process.pid}-previous`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  try {
    for (const [name, text] of files) await fs.writeFile(path.join(staging, name), text);
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
