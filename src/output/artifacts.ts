// What a target produces, in the two kinds writers know: Kubernetes objects (applied, diffed,
// reviewed; written one file each plus a kustomization.yaml), or plain files (written as they
// are). Writers choose by the kind, never by the target's name.
import type { KubernetesObject } from './manifest.js';
import { jsonListChunks, yamlStreamChunks } from './manifest.js';
import { writeObjectsDirectory } from './write-directory.js';
import { writeFilesDirectoryStreaming } from './write-files.js';

export type ArtifactKind = 'objects' | 'files';

/** Kubernetes objects, sorted, all in memory. */
export interface ObjectArtifacts {
  readonly kind: 'objects';
  readonly objects: readonly KubernetesObject[];
}

/**
 * Files produced one at a time: each is built only when it is asked for, so a writer can write it
 * and drop it (a large mesh's files together need not fit in memory).
 */
export interface FileArtifacts {
  readonly kind: 'files';
  /** What the files are, plural, for "wrote 12 Envoy configurations". */
  readonly noun: string;
  /** Each file's path (relative, under the output directory) and text. */
  files(): Iterable<readonly [string, string]>;
  /** Every file as one YAML stream, piece by piece. */
  yamlChunks(): Iterable<string>;
  /** Every file as one JSON document, piece by piece. */
  jsonChunks(): Iterable<string>;
}

export type Artifacts = ObjectArtifacts | FileArtifacts;

/**
 * Writes the artifacts into a directory, all or nothing (see writeFilesDirectoryStreaming), and
 * returns the line that says what was written.
 */
export async function writeArtifactsDirectory(directory: string, artifacts: Artifacts): Promise<string> {
  if (artifacts.kind === 'objects') {
    const files = await writeObjectsDirectory(directory, artifacts.objects);
    return `wrote ${files.length} files (${artifacts.objects.length} objects) to ${directory}`;
  }
  const files = await writeFilesDirectoryStreaming(directory, artifacts.files());
  return `wrote ${files.length} ${artifacts.noun} to ${directory}`;
}

/**
 * The artifacts as one YAML stream or one JSON document, piece by piece, for standard output: each
 * object or file is rendered only when its piece is asked for, so the whole text is never in memory.
 */
export function artifactChunks(artifacts: Artifacts, format: 'yaml' | 'json'): Iterable<string> {
  if (artifacts.kind === 'objects') return format === 'json' ? jsonListChunks(artifacts.objects) : yamlStreamChunks(artifacts.objects);
  return format === 'json' ? artifacts.jsonChunks() : artifacts.yamlChunks();
}
