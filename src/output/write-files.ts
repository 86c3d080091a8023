// Writes a set of text files (relative paths, subdirectories allowed) into a directory, with the
// same guarantees as writeObjectsDirectory: all or nothing (a staged sibling directory replaces
// the target), and never over a non-empty directory that meshctl did not write.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { OUTPUT_MARKER, OutputDirectoryError } from './write-directory.js';

export async function writeFilesDirectory(directory: string, files: ReadonlyMap<string, string>): Promise<string[]> {
  const target = path.resolve(directory);
  for (const name of files.keys()) {
    const normalized = path.posix.normalize(name);
    if (normalized.startsWith('../') || path.isAbsolute(normalized) || normalized === OUTPUT_MARKER) {
      throw new OutputDirectoryError(`refusing to write ${name}: not a file inside ${directory}`);
    }
  }
  await refuseForeignDirectory(target);
  const staging = `${target}.meshctl-${process.pid}-staging`;
  const previous = `${target}.meshctl-${process.pid}-previous`;
  await fs.rm(staging, { recursive: true, force: true });
  await fs.mkdir(staging, { recursive: true });
  try {
    for (const [name, text] of files) {
      const file = path.join(staging, name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
    }
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
  return [...files.keys()];
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
