// Writes compiled objects into a directory, one file per object plus a kustomization.yaml, with
// the guarantees of writeFilesDirectoryStreaming: all or nothing, and never over a directory
// meshctl did not write. Each file is rendered just before it is written, so the whole output is
// never held in memory at once.
import { kustomization, objectFileName, toYaml, type KubernetesObject } from './manifest.js';
import { OutputDirectoryError, writeFilesDirectoryStreaming } from './write-files.js';

export { OUTPUT_MARKER, OutputDirectoryError } from './write-files.js';

export async function writeObjectsDirectory(directory: string, objects: readonly KubernetesObject[]): Promise<string[]> {
  const names = objects.map(objectFileName);
  const seen = new Set<string>();
  for (const name of names) {
    if (seen.has(name)) throw new OutputDirectoryError(`two objects would be written to ${name}`);
    seen.add(name);
  }
  function* files(): Generator<readonly [string, string]> {
    for (const [index, object] of objects.entries()) yield [names[index]!, toYaml(object)];
    yield ['kustomization.yaml', kustomization(names)];
  }
  return writeFilesDirectoryStreaming(directory, files());
}
