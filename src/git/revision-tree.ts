// The mesh as it is at a git revision, read from git's object database (`ls-tree`, then one
// `cat-file --batch`), or as it is in the working tree (the files git tracks or would track, with
// their uncommitted edits). Neither touches the working tree or the index. The files come back as
// SourceText, so the loader parses them exactly as it parses files on disk and every diagnostic
// keeps its file:line:col.
//
// Symbolic links are not followed on either side: at a revision git stores the link, not the
// file, and reading the target in the working tree instead would make the two sides disagree.
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createFinding } from '../diagnostics/finding.js';
import { compareStrings, type Finding } from '../diagnostics/types.js';
import { DEFAULT_LIMITS, type LoadLimits } from '../loader/limits.js';
import { loadSources, type LoadedMesh } from '../loader/load-mesh.js';
import { decodeMeshFile, otherToolOwning, type ReadOptions } from '../loader/read-paths.js';
import { OUTPUT_MARKER } from '../output/write-files.js';
import skippedPath from '../loader/rules/MESH016-skipped-path.js';
import { fileStartSpan, type SourceText } from '../loader/source-file.js';
import fileTooLarge from '../loader/rules/MESH008-file-too-large.js';
import unreadablePath from '../loader/rules/MESH013-unreadable-path.js';
import { readBlobs } from './blob-reader.js';
import { displayName, owningPath, type MeshPath, type MeshPathScope } from './mesh-paths.js';
import { GitReadError, gitMessage, type GitRepository } from './repository.js';

export interface MeshSnapshot {
  readonly loaded: LoadedMesh;
  /** Displayed names of the mesh files read, sorted. */
  readonly files: readonly string[];
  /** The given paths under which at least one mesh file was found. */
  readonly foundPaths: ReadonlySet<MeshPath>;
}

/** What a directory search skips: the project configuration's ignore patterns (absolute paths). */
export interface SkipOptions {
  readonly ignore?: ReadOptions['ignore'];
}

interface TreeFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly objectId: string;
  readonly size: number;
}

/** The mesh at a commit, read from the object database. */
export async function readMeshAtCommit(repository: GitRepository, commit: string, scope: MeshPathScope, limits: LoadLimits = DEFAULT_LIMITS, skip: SkipOptions = {}): Promise<MeshSnapshot> {
  const listed = await listTreeFiles(repository, commit, scope);
  const findings: Finding[] = [];
  const kept = new Set(skipped(repository, scope, listed.map((file) => file.path), skip, findings));
  const files = listed.filter((file) => kept.has(file.path) && owningPath(scope, file.path) !== undefined);
  const small = files.filter((file) => file.size <= limits.maxFileBytes);
  const blobs = await readBlobs(repository.root, small.map((file) => file.objectId));
  const sources: SourceText[] = [];
  for (const file of files) {
    const display = displayName(scope, file.path);
    const bytes = blobs.get(file.objectId);
    if (bytes === undefined) {
      findings.push(createFinding(fileTooLarge, 'fileSize', { size: file.size, limit: limits.maxFileBytes }, { span: fileStartSpan(display) }));
      continue;
    }
    const decoded = decodeMeshFile(display, bytes, limits);
    if ('finding' in decoded) findings.push(decoded.finding);
    else if (!isOtherToolsFile(scope, file.path, decoded.source, findings)) sources.push(decoded.source);
  }
  return snapshot(scope, files.map((file) => file.path), sources, findings, limits);
}

/** The mesh in the working tree: tracked files as they are on disk, and untracked files git does not ignore. */
export async function readMeshInWorkingTree(repository: GitRepository, scope: MeshPathScope, limits: LoadLimits = DEFAULT_LIMITS, skip: SkipOptions = {}): Promise<MeshSnapshot> {
  let listing: string;
  try {
    listing = await repository.git.raw(['--literal-pathspecs', 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...scope.paths.map((p) => p.pathspec)]);
  } catch (error) {
    throw new GitReadError(`cannot list the working tree's files: ${gitMessage(error)}`);
  }
  const findings: Finding[] = [];
  const listed = [...new Set(listing.split('\0').filter((file) => file !== ''))].sort(compareStrings);
  const candidates = skipped(repository, scope, listed, skip, findings).filter((file) => owningPath(scope, file) !== undefined);
  const sources: SourceText[] = [];
  const present: string[] = [];
  for (const file of candidates) {
    const display = displayName(scope, file);
    const absolute = path.join(repository.root, ...file.split('/'));
    let stat;
    try {
      stat = await fs.lstat(absolute);
    } catch {
      continue; // Deleted and not yet committed: absent from the head.
    }
    if (!stat.isFile()) continue; // A symbolic link or a submodule: see the note at the top.
    present.push(file);
    if (stat.size > limits.maxFileBytes) {
      findings.push(createFinding(fileTooLarge, 'fileSize', { size: stat.size, limit: limits.maxFileBytes }, { span: fileStartSpan(display) }));
      continue;
    }
    let bytes: Buffer;
    try {
      bytes = await fs.readFile(absolute);
    } catch (error) {
      findings.push(createFinding(unreadablePath, 'unreadable', { reason: (error as Error).message }, { span: fileStartSpan(display) }));
      continue;
    }
    const decoded = decodeMeshFile(display, bytes, limits);
    if ('finding' in decoded) findings.push(decoded.finding);
    else if (!isOtherToolsFile(scope, file, decoded.source, findings)) sources.push(decoded.source);
  }
  return snapshot(scope, present, sources, findings, limits);
}

async function listTreeFiles(repository: GitRepository, commit: string, scope: MeshPathScope): Promise<TreeFile[]> {
  let listing: string;
  try {
    listing = await repository.git.raw(['--literal-pathspecs', 'ls-tree', '-r', '-z', '-l', '--full-tree', commit, '--', ...scope.paths.map((p) => p.pathspec)]);
  } catch (error) {
    throw new GitReadError(`cannot list the files of ${commit.slice(0, 12)}: ${gitMessage(error)}`);
  }
  const files: TreeFile[] = [];
  for (const record of listing.split('\0')) {
    if (record === '') continue;
    // <mode> SP <type> SP <object> SP+ <size> TAB <path>
    const tab = record.indexOf('\t');
    const [mode, type, objectId, sizeText] = record.slice(0, tab).split(/ +/);
    const file = record.slice(tab + 1);
    // Regular files only: 120000 is a symbolic link, 160000 a submodule.
    if (type !== 'blob' || (mode !== '100644' && mode !== '100755') || !objectId) continue;
    files.push({ path: file, objectId, size: Number(sizeText) });
  }
  return files.sort((a, b) => compareStrings(a.path, b.path));
}

/**
 * The listed files (relative to the repository root) a directory search reads, as the file-system
 * loader chooses them: under a given directory, a path matching an ignore pattern of .meshctl.yaml
 * and a directory holding meshctl's output marker are skipped with a note (MESH016), once each. A
 * file named on the command line is always read. Hidden files stay in the list (the marker is one).
 */
function skipped(repository: GitRepository, scope: MeshPathScope, listed: readonly string[], skip: SkipOptions, findings: Finding[]): string[] {
  const outputDirectories = new Set(listed.filter((file) => path.posix.basename(file) === OUTPUT_MARKER).map((file) => path.posix.dirname(file)));
  const noted = new Set<string>();
  const note = (entry: string, finding: Finding) => {
    if (!noted.has(entry)) findings.push(finding);
    noted.add(entry);
  };
  return listed.filter((file) => {
    const owner = owningPath(scope, file);
    if (owner === undefined || file === owner.pathspec) return true;
    const base = owner.pathspec === '.' ? '' : `${owner.pathspec}/`;
    const segments = file.slice(base.length).split('/');
    for (let depth = 1; depth <= segments.length; depth++) {
      const entry = base + segments.slice(0, depth).join('/');
      const display = displayName(scope, entry);
      const ignoredBy = skip.ignore?.(path.join(repository.root, ...entry.split('/')));
      if (ignoredBy) {
        note(entry, createFinding(skippedPath, 'ignored', ignoredBy, { span: fileStartSpan(display) }));
        return false;
      }
      if (depth < segments.length && outputDirectories.has(entry)) {
        note(entry, createFinding(skippedPath, 'output', { marker: OUTPUT_MARKER }, { span: fileStartSpan(display) }));
        return false;
      }
    }
    return true;
  });
}

/** Another tool's YAML found by a directory search (kustomization.yaml, docker-compose.yml...): a note, not a mesh file. */
function isOtherToolsFile(scope: MeshPathScope, file: string, source: SourceText, findings: Finding[]): boolean {
  const owner = owningPath(scope, file);
  if (owner === undefined || file === owner.pathspec) return false;
  const tool = otherToolOwning(path.posix.basename(file), source.text);
  if (tool === undefined) return false;
  findings.push(createFinding(skippedPath, 'otherTool', { tool }, { span: fileStartSpan(source.file) }));
  return true;
}

function snapshot(scope: MeshPathScope, files: readonly string[], sources: SourceText[], findings: Finding[], limits: LoadLimits): MeshSnapshot {
  const foundPaths = new Set<MeshPath>();
  for (const file of files) {
    const owner = owningPath(scope, file);
    if (owner) foundPaths.add(owner);
  }
  sources.sort((a, b) => compareStrings(a.file, b.file));
  return {
    loaded: loadSources(sources, limits, findings),
    files: files.map((file) => displayName(scope, file)).sort(compareStrings),
    foundPaths,
  };
}
