// Imported mesh documents as the text of mesh files, deterministic: the same import gives
// byte-identical files.
import { writeYaml } from '../output/yaml-writer.js';
import type { ImportedFile } from './import-mesh.js';

/** The file's text: a header that says where it came from, then its documents. */
export function renderImportedFile(file: ImportedFile): string {
  return '# Written by meshctl import. Review it, then keep it in git: from now on this file is the source.\n' + file.documents.map((document) => writeYaml(document)).join('---\n');
}

export function renderImportedFiles(files: readonly ImportedFile[]): Map<string, string> {
  return new Map(files.map((file) => [file.path, renderImportedFile(file)]));
}
