// Writes a report to a file atomically: a reader never sees half a file, and a failed run leaves
// the previous file in place.
import { promises as fs } from 'node:fs';
import path from 'node:path';

export async function writeFileAtomically(file: string, content: string): Promise<void> {
  const directory = path.dirname(path.resolve(file));
  const temporary = path.join(directory, `.${path.basename(file)}.${process.pid}.tmp`);
  try {
    await fs.writeFile(temporary, content);
    await fs.rename(temporary, file);
  } catch (error) {
    await fs.rm(temporary, { force: true });
    throw error;
  }
}
