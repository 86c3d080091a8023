// Finds mesh files under the paths a user gives and reads them as UTF-8 text. The only module (with
// the git reader to come) that touches the file system.
import { isUtf8 } from 'node:buffer';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { createFinding } from '../diagnostics/finding.js';
import { compareStrings, type Finding } from '../diagnostics/types.js';
import invalidEncoding from './rules/MESH004-invalid-encoding.js';
import fileTooLarge from './rules/MESH008-file-too-large.js';
import pathNotFound from './rules/MESH012-path-not-found.js';
import unreadablePath from './rules/MESH013-unreadable-path.js';
import noMeshFiles from './rules/MESH014-no-mesh-files.js';
import symlinkLoop from './rules/MESH015-symlink-loop.js';
import skippedPath from './rules/MESH016-skipped-path.js';
import { OUTPUT_MARKER } from '../output/write-files.js';
import type { LoadLimits } from './limits.js';
import { displayRootFor } from './display-root.js';
import { SourceText, fileStartSpan } from './source-file.js';

export const STDIN_PATH = '-';
export const STDIN_NAME = '<stdin>';
const MESH_FILE = /\.ya?ml$/i;
// Folders that never hold a mesh: version control and dependency trees.
const SKIPPED_DIRECTORIES = new Set(['.git', 'node_modules']);
// YAML files other tools own, by name. Found while searching a directory, such a file is skipped
// with a note unless one of its documents says apiVersion: meshctl.dev/... .
const OTHER_TOOLS: readonly (readonly [RegExp, string])[] = [
  [/^kustomization\.ya?ml$/i, 'kustomize'],
  [/^(docker-)?compose(\.[\w-]+)?\.ya?ml$/i, 'Docker Compose'],
  [/^chart\.ya?ml$|^values(\.[\w-]+)?\.ya?ml$/i, 'Helm'],
  [/^skaffold\.ya?ml$/i, 'Skaffold'],
  [/^mkdocs\.ya?ml$/i, 'MkDocs'],
  [/^\.?pre-commit-config\.ya?ml$/i, 'pre-commit'],
  [/^(codecov|renovate|dependabot|\.?gitlab-ci|azure-pipelines|buildkite|cloudbuild|appveyor)\.ya?ml$/i, 'CI'],
];
const MESHCTL_API_VERSION = /^[ \t]*apiVersion:[ \t]*["']?meshctl\.dev\//m;

/**
 * The tool whose YAML a file found by a directory search is (by its name), unless a document in it
 * says apiVersion: meshctl.dev/...; undefined for a mesh file.
 */
export function otherToolOwning(fileName: string, text: string): string | undefined {
  const tool = OTHER_TOOLS.find(([name]) => name.test(fileName))?.[1];
  return tool !== undefined && !MESHCTL_API_VERSION.test(text) ? tool : undefined;
}

export interface ReadResult {
  sources: SourceText[];
  findings: Finding[];
  /** Each file read, by its displayed name: where it is on disk. */
  locations: Map<string, string>;
}

export interface ReadOptions {
  limits: LoadLimits;
  /** Whether a directory search skips this absolute path, and the pattern and file that say so. */
  ignore?: (absolutePath: string) => { pattern: string; config: string } | undefined;
  /** Directory that given paths are relative to. */
  cwd: string;
  /** Directory that displayed file names are relative to (display-root.ts); default: from the paths. */
  displayRoot?: string;
  readStdin?: () => Promise<Buffer>;
}

export async function readMeshPaths(paths: readonly string[], options: ReadOptions): Promise<ReadResult> {
  const findings: Finding[] = [];
  const files: { display: string; absolute: string; found?: boolean }[] = [];
  const sources: SourceText[] = [];
  const root = options.displayRoot ?? displayRootFor(paths, options.cwd);
  const display = (absolute: string) => toPosix(path.relative(root, absolute) || path.basename(absolute));
  const locations = new Map<string, string>();

  for (const given of paths) {
    if (given === STDIN_PATH) {
      const bytes = await (options.readStdin ?? readStdin)();
      const decoded = decodeMeshFile(STDIN_NAME, bytes, options.limits);
      if ('finding' in decoded) findings.push(decoded.finding);
      else sources.push(decoded.source);
      continue;
    }
    const resolved = path.resolve(options.cwd, given);
    let stat;
    try {
      stat = await fs.stat(resolved);
    } catch (error) {
      findings.push(ioFinding(toPosix(given), await explainStatError(resolved, error)));
      continue;
    }
    // Names are taken from the real path, as the display root is: a symlink on the way (or a
    // current directory reached through one) changes no name.
    const absolute = await fs.realpath(resolved);
    if (stat.isDirectory()) {
      const before = files.length;
      await walkDirectory(absolute, new Set([await fs.realpath(absolute)]), files, findings, display, options.ignore);
      if (files.length === before) findings.push(createFinding(noMeshFiles, 'none', {}, { span: fileStartSpan(display(absolute)) }));
    } else if (stat.isFile()) {
      files.push({ display: display(absolute), absolute });
    } else {
      findings.push(createFinding(unreadablePath, 'unreadable', { reason: 'not a regular file or directory' }, { span: fileStartSpan(display(absolute)) }));
    }
  }

  const seen = new Set<string>();
  for (const file of files) {
    if (seen.has(file.absolute)) continue;
    seen.add(file.absolute);
    const read = await readMeshFile(file.display, file.absolute, options.limits);
    if ('finding' in read) {
      findings.push(read.finding);
      continue;
    }
    const tool = file.found ? otherToolOwning(path.basename(file.absolute), read.source.text) : undefined;
    if (tool !== undefined) {
      findings.push(createFinding(skippedPath, 'otherTool', { tool }, { span: fileStartSpan(file.display) }));
      continue;
    }
    sources.push(read.source);
    locations.set(file.display, file.absolute);
  }
  return { sources, findings, locations };
}

async function walkDirectory(
  directory: string,
  visited: Set<string>,
  files: { display: string; absolute: string; found?: boolean }[],
  findings: Finding[],
  display: (absolute: string) => string,
  ignore: ReadOptions['ignore'],
): Promise<void> {
  let entries;
  try {
    entries = await fs.readdir(directory, { withFileTypes: true });
  } catch (error) {
    findings.push(ioFinding(display(directory), error));
    return;
  }
  entries.sort((a, b) => compareStrings(a.name, b.name));
  for (const entry of entries) {
    const absolute = path.join(directory, entry.name);
    if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const ignoredBy = ignore?.(absolute);
    if (ignoredBy) {
      findings.push(createFinding(skippedPath, 'ignored', ignoredBy, { span: fileStartSpan(display(absolute)) }));
      continue;
    }
    let isDirectory = entry.isDirectory();
    let isFile = entry.isFile();
    if (entry.isSymbolicLink()) {
      let stat;
      try {
        stat = await fs.stat(absolute);
      } catch (error) {
        if (MESH_FILE.test(entry.name) || (error as NodeJS.ErrnoException).code === 'ELOOP') findings.push(ioFinding(display(absolute), await explainStatError(absolute, error)));
        continue;
      }
      isDirectory = stat.isDirectory();
      isFile = stat.isFile();
    }
    if (isDirectory) {
      const real = await fs.realpath(absolute);
      if (visited.has(real)) {
        findings.push(createFinding(symlinkLoop, 'loop', { target: display(real) }, { span: fileStartSpan(display(absolute)) }));
        continue;
      }
      if (await exists(path.join(absolute, OUTPUT_MARKER))) {
        findings.push(createFinding(skippedPath, 'output', { marker: OUTPUT_MARKER }, { span: fileStartSpan(display(absolute)) }));
        continue;
      }
      await walkDirectory(absolute, new Set([...visited, real]), files, findings, display, ignore);
    } else if (isFile && MESH_FILE.test(entry.name)) {
      files.push({ display: display(absolute), absolute, found: true });
    } else if (MESH_FILE.test(entry.name)) {
      // A FIFO, socket or device named like a mesh file: reading it could block forever.
      findings.push(createFinding(unreadablePath, 'unreadable', { reason: 'not a regular file or directory' }, { span: fileStartSpan(display(absolute)) }));
    }
  }
}

async function readMeshFile(display: string, absolute: string, limits: LoadLimits): Promise<{ source: SourceText } | { finding: Finding }> {
  try {
    const handle = await fs.open(absolute, 'r');
    try {
      const { size } = await handle.stat();
      if (size > limits.maxFileBytes) {
        return { finding: createFinding(fileTooLarge, 'fileSize', { size, limit: limits.maxFileBytes }, { span: fileStartSpan(display) }) };
      }
      return decodeMeshFile(display, await handle.readFile(), limits);
    } finally {
      await handle.close();
    }
  } catch (error) {
    return { finding: ioFinding(display, error) };
  }
}

/** UTF-8 only: a mesh is text in git, and a wrong byte is better refused than guessed at. */
export function decodeMeshFile(display: string, bytes: Buffer, limits: LoadLimits): { source: SourceText } | { finding: Finding } {
  if (bytes.length > limits.maxFileBytes) {
    return { finding: createFinding(fileTooLarge, 'fileSize', { size: bytes.length, limit: limits.maxFileBytes }, { span: fileStartSpan(display) }) };
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    return { finding: createFinding(invalidEncoding, 'utf16', {}, { span: fileStartSpan(display) }) };
  }
  const nul = bytes.indexOf(0);
  const invalid = firstInvalidUtf8(bytes);
  if (invalid !== undefined || nul !== -1) {
    const offset = invalid ?? nul;
    const prefix = bytes.subarray(0, offset).toString('utf8');
    const source = new SourceText(display, prefix);
    const { line, column } = source.position(prefix.length);
    const span = { file: display, line, column, endLine: line, endColumn: column + 1 };
    if (invalid === undefined || (nul !== -1 && nul < invalid)) return { finding: createFinding(invalidEncoding, 'binary', {}, { span }) };
    return { finding: createFinding(invalidEncoding, 'invalidUtf8', { byte: (bytes[invalid] ?? 0).toString(16).toUpperCase().padStart(2, '0') }, { span }) };
  }
  let text = bytes.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { source: new SourceText(display, text) };
}

/** Offset of the first byte that is not part of well-formed UTF-8, or undefined. */
export function firstInvalidUtf8(bytes: Uint8Array): number | undefined {
  // Node's native check settles the common case, a valid file, at memory speed; the loop below
  // only has to find where a broken one goes wrong.
  if (isUtf8(bytes)) return undefined;
  let i = 0;
  while (i < bytes.length) {
    const byte = bytes[i]!;
    if (byte < 0x80) {
      i++;
      continue;
    }
    let needed: number;
    let min: number;
    if (byte >= 0xc2 && byte <= 0xdf) [needed, min] = [1, 0x80];
    else if (byte >= 0xe0 && byte <= 0xef) [needed, min] = [2, 0x800];
    else if (byte >= 0xf0 && byte <= 0xf4) [needed, min] = [3, 0x10000];
    else return i;
    let codePoint = byte & (0xff >> (needed + 2));
    for (let k = 1; k <= needed; k++) {
      const next = bytes[i + k];
      if (next === undefined || (next & 0xc0) !== 0x80) return i;
      codePoint = (codePoint << 6) | (next & 0x3f);
    }
    if (codePoint < min || codePoint > 0x10ffff || (codePoint >= 0xd800 && codePoint <= 0xdfff)) return i;
    i += needed + 1;
  }
  return undefined;
}

/**
 * A symbolic link whose target is missing exists, so it is not "no such file": the user has to
 * fix the link, not the path they typed.
 */
async function explainStatError(absolute: string, error: unknown): Promise<unknown> {
  if ((error as NodeJS.ErrnoException | undefined)?.code !== 'ENOENT') return error;
  try {
    if ((await fs.lstat(absolute)).isSymbolicLink()) return BROKEN_LINK;
  } catch {
    // Not there at all: the original error stands.
  }
  return error;
}

const BROKEN_LINK = Object.assign(new Error('broken symbolic link'), { code: 'EBROKENLINK' });

function ioFinding(display: string, error: unknown): Finding {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  const span = fileStartSpan(display);
  if (code === 'ENOENT') return createFinding(pathNotFound, 'missing', {}, { span });
  if (code === 'EBROKENLINK') return createFinding(unreadablePath, 'unreadable', { reason: 'broken symbolic link (its target does not exist)' }, { span });
  if (code === 'ELOOP') return createFinding(unreadablePath, 'unreadable', { reason: 'symbolic link loop' }, { span });
  const reason =
    code === 'EACCES' || code === 'EPERM'
      ? 'permission denied'
      : code === 'EISDIR'
        ? 'is a directory'
        : code === 'ENOTDIR'
          ? 'a part of the path is not a directory'
          : (error as Error | undefined)?.message ?? String(error);
  return createFinding(unreadablePath, 'unreadable', { reason }, { span });
}

async function readStdin(): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

function toPosix(file: string): string {
  return file.split(path.sep).join('/');
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.lstat(file);
    return true;
  } catch {
    return false;
  }
}
