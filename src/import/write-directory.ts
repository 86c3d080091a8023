// Writes imported mesh files all or nothing: into a staging directory beside the target, renamed
// into place at the end. A directory that holds anything but an earlier import's files is refused,
// so an import never mixes with, or overwrites, mesh files a team already keeps.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { UserError } from '../diagnostics/user-error.js';

/** Marks a directory as written by `meshctl import` (a later import may replace it). */
export const IMPORT_MARKER = '.meshctl-import';

/** A directory the import may not write into: the user names another. */
export class ImportDirectoryError extends UserError {}

export async function writeImportDirectory(directory: string, files: ReadonlyMap<string, string>): Promise<void> {
  const target = path.resolve(directory);
  const entries = await fs.readdir(target).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    if (error.code === 'ENOTDIR') throw new ImportDirectoryError(`${directory} is not a directory`);
    throw error;
  });
  if (entries && entries.length > 0 && !entries.includes(IMPORT_MARKER)) {
    throw new ImportDirectoryError(`${directory} is not empty and was not written by "meshctl import": choose a new directory`);
  }
  for (const name of files.keys()) {
    if (path.isAbsolute(name) || name.split('/').includes('..')) throw new ImportDirectoryError(`refusing to write ${name} outside ${directory}`);
  }
  const staging = `${target}.meshctl-import-${process.pid}`;
  const previous = `${target}.meshctl-import-${process.pid}-previous`;
  await fs.rm(staging, { recursive: true, force: true });
  try {
    await fs.mkdir(staging, { recursive: true });
    for (const [name, text] of files) {
      const file = path.join(staging, name);
      await fs.mkdir(path.dirname(file), { recursive: true });
      await fs.writeFile(file, text);
    }
    await fs.writeFile(path.join(staging, IMPORT_MARKER), 'Written by `meshctl import`; a later import into this directory replaces it. Remove this file once the mesh files are yours.\n');
    if (entries) await fs.rename(target, previous);
    try {
      await fs.rename(staging, target);
    } catch (error) {
      if (entries) await fs.rename(previous, target);
      throw error;
    }
    if (entries) await fs.rm(previous, { recursive: true, force: true });
  } finally {
    await fs.rm(staging, { recursive: true, force: true });
  }
}
