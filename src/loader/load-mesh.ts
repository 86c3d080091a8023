// load: paths -> source files -> documents with plain values, plus what went wrong on the way.
import type { Finding } from '../diagnostics/types.js';
import { DEFAULT_LIMITS, type LoadLimits } from './limits.js';
import { parseDocuments } from './parse-documents.js';
import { readMeshPaths } from './read-paths.js';
import type { SourceDocument, SourceText } from './source-file.js';
import { SpanResolver } from './span-resolver.js';

export interface LoadOptions {
  /** Directory that paths are relative to; default: process.cwd(). */
  cwd?: string;
  /**
   * Directory that displayed file names (diagnostics, meshctl.dev/source) are relative to; default:
   * the git repository root holding the mesh, or outside git the mesh path given (display-root.ts).
   */
  displayRoot?: string;
  limits?: Partial<LoadLimits>;
  /** Source of `-`; default: the process's standard input. */
  readStdin?: () => Promise<Buffer>;
}

export interface LoadedMesh {
  readonly sources: ReadonlyMap<string, SourceText>;
  readonly documents: readonly SourceDocument[];
  readonly findings: readonly Finding[];
  readonly spans: SpanResolver;
  /** Where each file read from disk is, by its displayed name. */
  readonly locations?: ReadonlyMap<string, string>;
}

export async function loadMesh(paths: readonly string[], options: LoadOptions = {}): Promise<LoadedMesh> {
  const limits = { ...DEFAULT_LIMITS, ...options.limits };
  const read = await readMeshPaths(paths, { limits, cwd: options.cwd ?? process.cwd(), displayRoot: options.displayRoot, readStdin: options.readStdin });
  return { ...loadSources(read.sources, limits, read.findings), locations: read.locations };
}

/** Parses sources already in memory (the git reader and tests use this). */
export function loadSources(sources: readonly SourceText[], limits: LoadLimits = DEFAULT_LIMITS, earlier: readonly Finding[] = []): LoadedMesh {
  const findings = [...earlier];
  const documents: SourceDocument[] = [];
  const byFile = new Map<string, SourceText>();
  const documentsByFile = new Map<string, SourceDocument[]>();
  for (const source of sources) {
    const parsed = parseDocuments(source, limits);
    byFile.set(source.file, source);
    documentsByFile.set(source.file, parsed.documents);
    documents.push(...parsed.documents);
    findings.push(...parsed.findings);
  }
  return { sources: byFile, documents, findings, spans: new SpanResolver(byFile, documentsByFile) };
}
