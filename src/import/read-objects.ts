// Reads Istio and Kubernetes objects from files, directories and standard input, keeping where each
// came from so that every finding can point at the node it is about (file:line:col). Parsing is
// the loader's (the same document cutting, limits and syntax checks as mesh files); positions are
// resolved lazily, only for the nodes that get a finding.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { PathSegment } from '../diagnostics/types.js';
import { DEFAULT_LIMITS } from '../loader/limits.js';
import { parseDocuments } from '../loader/parse-documents.js';
import { decodeMeshFile, STDIN_NAME, STDIN_PATH } from '../loader/read-paths.js';
import type { SourceDocument, SourceText } from '../loader/source-file.js';
import { SpanResolver } from '../loader/span-resolver.js';
import { importFinding, type ImportFinding, type ImportLocation } from './findings.js';

/** An object of the input: a Kubernetes object with `kind`, `metadata.name` and its origin. */
export interface InputObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  readonly namespace: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly spec: Record<string, unknown>;
  /** The whole object as read. */
  readonly raw: Record<string, unknown>;
  /** kind/namespace/name. */
  readonly key: string;
  /** Where a node of the object is (path from the object's root, e.g. ['spec', 'http', 0]). */
  locate(path?: readonly PathSegment[]): ImportLocation;
}

export interface ReadObjectsResult {
  objects: InputObject[];
  findings: ImportFinding[];
}

const YAML_FILE = /\.ya?ml$/i;
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);
export const DEFAULT_NAMESPACE = 'default';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function stringRecord(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));
}

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/** Every YAML file named or found under a named directory, sorted, with display names relative to cwd. */
async function collectFiles(paths: readonly string[], cwd: string): Promise<{ files: { display: string; absolute?: string }[]; errors: string[] }> {
  const files: { display: string; absolute?: string }[] = [];
  const errors: string[] = [];
  const display = (absolute: string) => path.relative(cwd, absolute).split(path.sep).join('/') || path.basename(absolute);
  const walk = async (directory: string) => {
    const entries = (await fs.readdir(directory, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      const absolute = path.join(directory, entry.name);
      if (entry.isDirectory()) {
        if (!SKIPPED_DIRECTORIES.has(entry.name)) await walk(absolute);
      } else if (entry.isFile() && YAML_FILE.test(entry.name)) files.push({ display: display(absolute), absolute });
    }
  };
  for (const given of paths) {
    if (given === STDIN_PATH) {
      files.push({ display: STDIN_NAME });
      continue;
    }
    const absolute = path.resolve(cwd, given);
    try {
      const stat = await fs.stat(absolute);
      if (stat.isDirectory()) await walk(absolute);
      else files.push({ display: display(absolute), absolute });
    } catch (error) {
      errors.push(`${given}: ${(error as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file or directory' : (error as Error).message}`);
    }
  }
  return { files, errors };
}

/** Reads the objects of the given files and directories ("-": standard input). */
export async function readObjectFiles(paths: readonly string[], options: { cwd: string; readStdin?: () => Promise<Buffer> }): Promise<ReadObjectsResult & { errors: string[] }> {
  const { files, errors } = await collectFiles(paths, options.cwd);
  const texts: SourceText[] = [];
  const findings: ImportFinding[] = [];
  for (const file of files) {
    const bytes = file.absolute === undefined ? await (options.readStdin ?? readStdin)() : await fs.readFile(file.absolute);
    const decoded = decodeMeshFile(file.display, bytes, DEFAULT_LIMITS);
    if ('finding' in decoded) {
      const location = 'span' in decoded.finding.location ? decoded.finding.location : undefined;
      findings.push(importFinding('unreadable', { what: decoded.finding.message }, location ?? { object: file.display }, file.display));
    } else texts.push(decoded.source);
  }
  const parsed = objectsFromSources(texts);
  return { objects: parsed.objects, findings: [...findings, ...parsed.findings], errors };
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The objects of already-read texts (also what tests use). */
export function objectsFromSources(texts: readonly SourceText[]): ReadObjectsResult {
  const objects: InputObject[] = [];
  const findings: ImportFinding[] = [];
  const sources = new Map<string, SourceText>();
  const documents = new Map<string, SourceDocument[]>();
  const resolver = new SpanResolver(sources, documents);
  for (const source of texts) {
    sources.set(source.file, source);
    const parsed = parseDocuments(source, DEFAULT_LIMITS);
    documents.set(source.file, parsed.documents);
    for (const finding of parsed.findings) {
      if (finding.code === 'MESH009') continue; // an empty file holds no object, which is no problem here
      const location: ImportLocation = 'span' in finding.location ? { span: finding.location.span } : { span: resolver.resolve(finding.location) };
      findings.push(importFinding('unreadable', { what: finding.message }, location, source.file));
    }
    for (const document of parsed.documents) {
      // The document itself is at its first content line (not at the `---` before it).
      const at = (nodePath: readonly PathSegment[] = []): ImportLocation =>
        nodePath.length === 0 ? { span: source.lineSpan(document.firstLine), path: nodePath } : { span: resolver.resolveNode({ file: source.file, document: document.index, path: nodePath }), path: nodePath };
      collect(document.value, [], at, objects, findings, source.file);
    }
  }
  return { objects, findings };
}

/** An object; a `List` (kubectl get -o yaml) contributes its items. */
function collect(
  value: unknown,
  prefix: readonly PathSegment[],
  at: (path?: readonly PathSegment[]) => ImportLocation,
  objects: InputObject[],
  findings: ImportFinding[],
  file: string,
): void {
  if (value === undefined || value === null) return;
  if (!isRecord(value)) {
    findings.push(importFinding('unreadable', { what: 'this document is not a Kubernetes object (a mapping with apiVersion, kind and metadata.name)' }, at(prefix), file));
    return;
  }
  if (typeof value.kind === 'string' && value.kind.endsWith('List') && Array.isArray(value.items)) {
    value.items.forEach((item, index) => collect(item, [...prefix, 'items', index], at, objects, findings, file));
    return;
  }
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  if (typeof value.kind !== 'string' || typeof value.apiVersion !== 'string' || typeof metadata.name !== 'string') {
    findings.push(importFinding('unreadable', { what: 'not a Kubernetes object: apiVersion, kind and metadata.name are required' }, at(prefix), file));
    return;
  }
  const object = inputObject(value, (nodePath = []) => at([...prefix, ...nodePath]));
  objects.push(object);
}

export function inputObject(value: Record<string, unknown>, locate: (path?: readonly PathSegment[]) => ImportLocation): InputObject {
  const metadata = isRecord(value.metadata) ? value.metadata : {};
  const kind = String(value.kind);
  const name = String(metadata.name);
  const namespace = typeof metadata.namespace === 'string' && metadata.namespace !== '' ? metadata.namespace : DEFAULT_NAMESPACE;
  return {
    apiVersion: String(value.apiVersion),
    kind,
    name,
    namespace,
    labels: stringRecord(metadata.labels),
    annotations: stringRecord(metadata.annotations),
    spec: isRecord(value.spec) ? value.spec : {},
    raw: value,
    key: objectKey(kind, namespace, name),
    locate,
  };
}

/** Objects read from a cluster: findings name them by kind/namespace/name and the field path. */
export function clusterObject(value: Record<string, unknown>): InputObject {
  let key = '';
  const object = inputObject(value, (nodePath = []) => ({ object: key, path: nodePath }));
  key = object.key;
  return object;
}
