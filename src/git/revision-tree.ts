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
import { decodeMeshFile } from '../loader/read-paths.js';
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

interface TreeFile {
  /** Relative to the repository root. */
  readonly path: string;
  readonly objectId: string;
  readonly size: number;
}

/** The mesh at a commit, read from the object database. */
export async function readMeshAtCommit(repository: GitRepository, commit: string, scope: MeshPathScope, limits: LoadLimits = DEFAULT_LIMITS): Promise<MeshSnapshot> {
  const files = await listTreeFiles(repository, commit, scope);
  const small = files.filter((file) => file.size <= limits.maxFileBytes);
  const blobs = await readBlobs(repository.root, small.map((file) => file.objectId));
  const sources: SourceText[] = [];
  const findings: Finding[] = [];
  for (const file of files) {
    const display = displayName(scope, file.path);
    const bytes = blobs.get(file.objectId);
    if (bytes === undefined) {
      findings.push(createFinding(fileTooLarge, 'fileSize', { size: file.size, limit: limits.maxFileBytes }, { span: fileStartSpan(display) }));
      continue;
    }
    const decoded = decodeMeshFile(display, bytes, limits);
    if ('finding' in decoded) findings.push(decoded.finding);
    else sources.push(decoded.source);
  }
  return snapshot(scope, files.map((file) => file.path), sources, findings, limits);
}

/** The mesh in the working tree: tracked files as they are on disk, and untracked files git does not ignore. */
export async function readMeshInWorkingTree(repository: GitRepository, scope: MeshPathScope, limits: LoadLimits = DEFAULT_LIMITS): Promise<MeshSnapshot> {
  let listing: string;
  try {
    listing = await repository.git.raw(['--literal-pathspecs', 'ls-files', '-z', '--cached', '--others', '--exclude-standard', '--', ...scope.paths.map((p) => p.pathspec)]);
  } catch (error) {
    throw new GitReadError(`cannot list the working tree's files: ${gitMessage(error)}`);
  }
  const candidates = [...new Set(listing.split('\0').filter((file) => file !== '' && owningPath(scope, file) !== undefined))].sort(compareStrings);
  const sources: SourceText[] = [];
  const findings: Finding[] = [];
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
    else sources.push(decoded.source);
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
    if (owningPath(scope, file) === undefined) continue;
    files.push({ path: file, objectId, size: Number(sizeText) });
  }
  return files.sort((a, b) => compareStrings(a.path, b.path));
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
