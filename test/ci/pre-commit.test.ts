// The pre-commit hook in examples/ci/pre-commit, run as pre-commit runs it: the entry split into
// words (no shell), then the hook's args, then the file names unless pass_filenames is false, in
// the repository's top directory, on a commit being prepared (changes staged, unstaged edits
// stashed away by pre-commit first).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStylish, repoRoot } from '../helpers/run-cli.js';
import { baseEnvironment, MESH_REVISIONS, pathWithMeshctl, run } from './ci-support.js';
import { createRepository, git, scratchDirectory, service, writeFiles } from './git-fixture.js';

interface Hook {
  id: string;
  name: string;
  entry: string;
  language: string;
  files: string;
  pass_filenames: boolean;
  args?: string[];
}

const DIR = path.join(repoRoot, 'examples', 'ci', 'pre-commit');
const definitions = parse(readFileSync(path.join(DIR, '.pre-commit-hooks.yaml'), 'utf8')) as Hook[];
const config = parse(readFileSync(path.join(DIR, '.pre-commit-config.yaml'), 'utf8')) as { repos: { repo: string; hooks: Hook[] }[] };
const hook = definitions.find((h) => h.id === 'meshctl-validate')!;
const configured = config.repos[0]!.hooks.find((h) => h.id === 'meshctl-validate')!;

const scratch = scratchDirectory('meshctl-pre-commit-');
afterAll(() => scratch.cleanup());
let meshctlPath: string;
let count = 0;

beforeAll(() => {
  meshctlPath = pathWithMeshctl(scratch.dir);
});

/** A repository whose last commit has a mesh with an old error in ratings.yaml, and `staged` staged. */
function repositoryWith(staged: Record<string, string>): string {
  const repo = createRepository(path.join(scratch.dir, `repo-${++count}`), {
    ...MESH_REVISIONS.base,
    'mesh/ratings.yaml': service('ratings', 'shop', '  dependsOn: [old-problem]\n'),
    '.github/workflows/ci.yml': 'on: push\njobs: {}\n',
  });
  writeFiles(repo, staged);
  git(repo, 'add', '--all');
  return repo;
}

/** The hook as pre-commit runs it, on the staged files its `files` pattern selects. */
function runHook(repo: string) {
  const staged = git(repo, 'diff', '--cached', '--name-only', '-z').split('\0').filter(Boolean);
  const selected = staged.filter((file) => new RegExp(configured.files).test(file));
  const [command, ...entryArgs] = configured.entry.split(/\s+/);
  const args = [...entryArgs, ...(configured.args ?? []), ...(configured.pass_filenames ? selected : [])];
  return { selected, result: run(command!, args, { cwd: repo, env: baseEnvironment(meshctlPath, repo) }) };
}

describe('examples/ci/pre-commit', () => {
  it('defines one system hook, and the example configuration uses it as defined, on the mesh directory', () => {
    expect(definitions.map((h) => h.id)).toEqual(['meshctl-validate']);
    expect(hook).toMatchObject({ language: 'system', pass_filenames: false, entry: 'meshctl validate --changed-since HEAD' });
    for (const key of ['entry', 'language', 'files', 'pass_filenames'] as const) expect(configured[key]).toEqual(hook[key]);
    expect(configured.args).toEqual(['mesh/']);
  });

  it('refuses a commit whose staged mesh file has an error, naming the file and line', async () => {
    const repo = repositoryWith({ 'mesh/productpage.yaml': service('productpage', 'shop', '  dependsOn: [reviews, not-there]\n') });
    const { selected, result } = runHook(repo);
    expect(selected).toEqual(['mesh/productpage.yaml']);
    const outcome = await result;
    expect(outcome.status).toBe(1);
    const rows = parseStylish(outcome.stdout).filter((r) => r.level === 'error');
    expect(rows.map((r) => `${r.file}:${r.line}`)).toEqual(['mesh/productpage.yaml:6']);
    // Only the staged file is reported: ratings.yaml's old error stays out of this commit's way.
    expect(parseStylish(outcome.stdout).every((r) => r.file === 'mesh/productpage.yaml')).toBe(true);
    expect(rows[0]!.message).toContain('not-there');
  });

  it('lets a clean change through even though an untouched file has an old error', async () => {
    const repo = repositoryWith({ 'mesh/reviews.yaml': MESH_REVISIONS.harmless['mesh/reviews.yaml'] });
    const outcome = await runHook(repo).result;
    expect(outcome.stdout).toMatch(/--changed-since HEAD: 1 of 4 mesh files changed; [1-9]\d* problems? in unchanged files not shown/);
    expect(parseStylish(outcome.stdout).filter((r) => r.level === 'error')).toEqual([]);
    expect(outcome.status).toBe(0);
  });

  it('checks a new file that is only staged, against the rest of the mesh', async () => {
    const repo = repositoryWith({ 'mesh/details.yaml': service('details', 'shop', '  dependsOn: [reviews]\n') });
    const outcome = await runHook(repo).result;
    expect(parseStylish(outcome.stdout).filter((r) => r.level === 'error')).toEqual([]);
    expect(outcome.status).toBe(0);
    const broken = repositoryWith({ 'mesh/details.yaml': service('details', 'shop', '  dependsOn: [missing]\n') });
    expect((await runHook(broken).result).status).toBe(1);
  });
});
