// The project configuration, .meshctl.yaml, found upward from the mesh as ESLint finds its own:
// rule levels, ignore patterns, default mesh paths and the default compile target. Every command
// reads it through the same function, so validate, compile, diff, apply, graph and review agree.
import { UserError } from '../diagnostics/user-error.js';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { isMap, isScalar, parseDocument } from 'yaml';
import { z } from 'zod';
import { didYouMean } from '../common/suggest.js';

export const CONFIG_FILE = '.meshctl.yaml';

const Level = z.enum(['off', 'info', 'warning', 'warn', 'error']);
const ProjectConfigSchema = z
  .object({
    rules: z.record(z.string(), Level).optional().describe('Rule levels by code or name, as --rule CODE=level (a --rule flag wins).'),
    ignore: z.array(z.string().min(1)).optional().describe('Glob patterns, relative to this file, that directory searches skip (* within a name, ** across directories).'),
    paths: z.array(z.string().min(1)).min(1).optional().describe('The mesh paths, relative to this file, used when a command is given none.'),
    target: z.string().min(1).optional().describe('The default of compile --target (and of validate, diff, apply and review): a registered target.'),
  })
  .strict();

export interface ProjectConfig {
  /** The file, as shown to the user (relative to the working directory). */
  readonly file: string;
  readonly directory: string;
  readonly rules: Readonly<Record<string, 'off' | 'info' | 'warning' | 'error'>>;
  readonly ignore: readonly string[];
  /** Default mesh paths, relative to the working directory. */
  readonly paths?: readonly string[];
  /** One of the names `knownTargets` allowed. */
  readonly target?: string;
  /** Whether a directory search skips this absolute path, and why. */
  ignores(absolute: string): { pattern: string; config: string } | undefined;
}

export class ProjectConfigError extends UserError {}

/**
 * The nearest .meshctl.yaml in the directory of the first path (the working directory when none,
 * or standard input) or above it; undefined when there is none.
 */
export async function findProjectConfig(paths: readonly string[], cwd = process.cwd(), knownTargets?: readonly string[]): Promise<ProjectConfig | undefined> {
  const first = paths.find((given) => given !== '-');
  let directory = path.resolve(cwd, first ?? '.');
  try {
    if (!(await fs.stat(directory)).isDirectory()) directory = path.dirname(directory);
  } catch {
    directory = path.dirname(directory); // a missing path is reported by the loader
  }
  for (;;) {
    const candidate = path.join(directory, CONFIG_FILE);
    let text: string | undefined;
    try {
      text = await fs.readFile(candidate, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') throw new ProjectConfigError(`${shown(candidate, cwd)}: cannot read: ${(error as Error).message}`);
    }
    if (text !== undefined) return parseProjectConfig(text, candidate, cwd, knownTargets);
    const parent = path.dirname(directory);
    if (parent === directory) return undefined;
    directory = parent;
  }
}

/**
 * `knownTargets`: the target names `target` may be, from the target registry (above the loader,
 * so its caller passes them); without them any name is kept.
 */
export function parseProjectConfig(text: string, absoluteFile: string, cwd: string, knownTargets?: readonly string[]): ProjectConfig {
  const file = shown(absoluteFile, cwd);
  const document = parseDocument(text, { uniqueKeys: true, prettyErrors: false });
  const at = (offset: number | undefined) => {
    if (offset === undefined) return file;
    const before = text.slice(0, offset);
    return `${file}:${before.split('\n').length}:${offset - before.lastIndexOf('\n')}`;
  };
  if (document.errors.length > 0) {
    const error = document.errors[0]!;
    throw new ProjectConfigError(`${at(error.pos[0])}: ${error.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim()}`);
  }
  const parsed = ProjectConfigSchema.safeParse(document.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keyPath = issue.path.map(String);
    if (issue.code === 'unrecognized_keys') {
      // Located at the key itself, as a misspelt field in a mesh file is.
      const key = issue.keys[0]!;
      const parent = keyPath.length > 0 ? document.getIn(keyPath, true) : document.contents;
      const pair = isMap(parent) ? parent.items.find((item) => isScalar(item.key) && String(item.key.value) === key) : undefined;
      const keyRange = pair && isScalar(pair.key) ? pair.key.range : undefined;
      const known = Object.keys(ProjectConfigSchema.shape);
      throw new ProjectConfigError(`${at(keyRange?.[0])}: unknown key "${key}"${didYouMean(key, known)} (expected ${known.join(', ')})`);
    }
    const node = keyPath.length > 0 ? (document.getIn(keyPath, true) as { range?: number[] } | undefined) : undefined;
    throw new ProjectConfigError(`${at(node?.range?.[0])}: ${keyPath.join('.') || 'the file'}: ${issue.message}`);
  }
  const target = parsed.data.target;
  if (target !== undefined && knownTargets !== undefined && !knownTargets.includes(target)) {
    const node = document.get('target', true) as { range?: number[] } | undefined;
    throw new ProjectConfigError(`${at(node?.range?.[0])}: target: unknown target "${target}" (expected one of ${knownTargets.map((name) => `"${name}"`).join('|')})`);
  }
  const directory = path.dirname(absoluteFile);
  const rules = Object.fromEntries(Object.entries(parsed.data.rules ?? {}).map(([code, level]) => [code, level === 'warn' ? 'warning' : level])) as ProjectConfig['rules'];
  const ignore = parsed.data.ignore ?? [];
  const matchers = ignore.map((pattern) => ({ pattern, regex: globToRegExp(pattern) }));
  return {
    file,
    directory,
    rules,
    ignore,
    ...(parsed.data.paths ? { paths: parsed.data.paths.map((given) => shown(path.resolve(directory, given), cwd)) } : {}),
    ...(parsed.data.target ? { target: parsed.data.target } : {}),
    ignores(absolute) {
      const relative = path.relative(directory, absolute).split(path.sep).join('/');
      if (relative.startsWith('..')) return undefined;
      const hit = matchers.find(({ regex }) => regex.test(relative));
      return hit ? { pattern: hit.pattern, config: file } : undefined;
    },
  };
}

/**
 * A gitignore-like glob: `*` and `?` stay within one path segment, `**` spans any number of them,
 * a trailing `/` is dropped, and a pattern without `/` matches a name at any depth.
 */
export function globToRegExp(pattern: string): RegExp {
  let glob = pattern.replace(/\/+$/, '');
  if (!glob.includes('/')) glob = `**/${glob}`;
  glob = glob.replace(/^\.\//, '').replace(/^\//, '');
  let regex = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*' && glob[i + 1] === '*') {
      const slash = glob[i + 2] === '/';
      regex += slash ? '(?:.*/)?' : '.*';
      i += slash ? 2 : 1;
    } else if (char === '*') regex += '[^/]*';
    else if (char === '?') regex += '[^/]';
    else regex += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  // A directory that matches skips everything under it.
  return new RegExp(`^${regex}(?:/.*)?$`);
}

function shown(absolute: string, cwd: string): string {
  return path.relative(cwd, absolute).split(path.sep).join('/') || '.';
}
