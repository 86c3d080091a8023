// `meshctl validate --changed-since <ref>` in real git repositories: only findings in changed
// files (committed since the merge base, staged, unstaged, untracked) are reported, the whole
// mesh is still checked, and a missing ref, a missing repository or a shallow clone get one line.
import { renameSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseStylish, runCli, STACK_TRACE } from '../helpers/run-cli.js';
import { commitAll, createRepository, git, scratchDirectory, service, writeFiles } from './git-fixture.js';

const scratch = scratchDirectory('meshctl-changed-since-');
afterAll(() => scratch.cleanup());

// a.yaml has an error on main already (an unknown dependency); the branch must not be blamed for it.
const BASE = {
  'mesh/a.yaml': service('a', 'shop', '  dependsOn: [nowhere]\n'),
  'mesh/b.yaml': service('b', 'shop'),
  'mesh/c.yaml': service('c', 'shop'),
  'README.md': 'not a mesh file\n',
};

let repo: string;

beforeAll(() => {
  repo = createRepository(path.join(scratch.dir, 'repo'), BASE);
  git(repo, 'checkout', '--quiet', '-b', 'feature');
  // Committed on the branch: b now depends on a (defined in an unchanged file) and on a missing service.
  writeFiles(repo, { 'mesh/b.yaml': service('b', 'shop', '  dependsOn: [a, missing-from-b]\n') });
  commitAll(repo, 'b calls a');
  // main moves on after the branch point: its changes are not the branch's.
  git(repo, 'checkout', '--quiet', 'main');
  writeFiles(repo, { 'mesh/c.yaml': service('c', 'shop', '  dependsOn: [missing-from-main]\n') });
  commitAll(repo, 'c on main');
  git(repo, 'checkout', '--quiet', 'feature');
});

const validateChanged = (ref: string, extra: string[] = [], cwd = repo) => runCli(['validate', 'mesh', '--changed-since', ref, ...extra], { cwd });

describe('meshctl validate --changed-since', () => {
  it('reports only the findings in files the branch changed since its merge base, and says how many it left out', () => {
    const run = validateChanged('main');
    expect(run.stderr).toBe('');
    const rows = parseStylish(run.stdout);
    expect(rows.map((r) => `${r.file}:${r.line} ${r.code}`)).toEqual([expect.stringMatching(/^mesh\/b\.yaml:6 MESH\d{3}$/)]);
    expect(rows[0]!.message).toContain('missing-from-b');
    // b's reference to a, which lives in an unchanged file, resolves: the whole mesh was read.
    expect(run.stdout).not.toMatch(/"a"|shop\/a\b/);
    expect(run.stdout).toContain('--changed-since main: 1 of 3 mesh files changed; 1 problem in unchanged files not shown\n');
    expect(run.status).toBe(1);
    // Without the flag every finding is there: the filter, not the mesh, hid a's.
    expect(parseStylish(runCli(['validate', 'mesh'], { cwd: repo }).stdout).map((r) => r.file)).toEqual(['mesh/a.yaml', 'mesh/b.yaml']);
  });

  it('counts staged, unstaged and untracked changes, and exits 0 when the changed files are clean', () => {
    const work = path.join(scratch.dir, 'work');
    createRepository(work, BASE);
    const clean = validateChanged('HEAD', [], work);
    expect(clean.status).toBe(0);
    expect(clean.stdout).toContain('--changed-since HEAD: 0 of 3 mesh files changed; 1 problem in unchanged files not shown');

    writeFiles(work, { 'mesh/b.yaml': service('b', 'shop', '  dependsOn: [staged-missing]\n') });
    git(work, 'add', 'mesh/b.yaml');
    writeFiles(work, { 'mesh/c.yaml': service('c', 'shop', '  dependsOn: [unstaged-missing]\n') });
    writeFiles(work, { 'mesh/d.yaml': service('d', 'shop', '  dependsOn: [untracked-missing]\n') });
    const run = validateChanged('HEAD', [], work);
    expect(parseStylish(run.stdout).map((r) => r.message.match(/(\w+-missing)/)?.[1])).toEqual(['staged-missing', 'unstaged-missing', 'untracked-missing']);
    expect(run.stdout).toContain('3 of 4 mesh files changed; 1 problem in unchanged files not shown');
    expect(run.status).toBe(1);
  });

  it('reports a renamed file under its new name', () => {
    const work = path.join(scratch.dir, 'renamed');
    createRepository(work, { 'mesh/old.yaml': service('x', 'shop', '  dependsOn: [gone]\n'), 'mesh/y.yaml': service('y', 'shop') });
    git(work, 'checkout', '--quiet', '-b', 'topic');
    renameSync(path.join(work, 'mesh/old.yaml'), path.join(work, 'mesh/new.yaml'));
    commitAll(work, 'rename');
    const rows = parseStylish(validateChanged('main', [], work).stdout);
    expect(rows.map((r) => r.file)).toEqual(['mesh/new.yaml']);
  });

  it('keeps machine formats intact: JSON on stdout, the count on stderr', () => {
    const run = validateChanged('main', ['-o', 'json']);
    const report = JSON.parse(run.stdout);
    expect(report.diagnostics.map((d: { file: string }) => d.file)).toEqual(['mesh/b.yaml']);
    expect(report.summary.errorCount ?? report.summary.errors).toBe(1);
    expect(run.stderr).toBe('--changed-since main: 1 of 3 mesh files changed; 1 problem in unchanged files not shown\n');
  });

  it('refuses an unknown ref, a directory outside git, and an option-like ref in one line, exit 2', () => {
    const unknown = validateChanged('no-such-branch');
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toMatch(/^meshctl: error: --changed-since no-such-branch: ref not found in the repository at .*\n$/);
    expect(unknown.stdout).toBe('');

    const outside = path.join(scratch.dir, 'plain');
    writeFiles(outside, { 'mesh/a.yaml': service('a', 'shop') });
    const noRepo = validateChanged('main', [], outside);
    expect(noRepo.status).toBe(2);
    expect(noRepo.stderr).toMatch(/^meshctl: error: --changed-since needs a git repository: mesh is not inside one\n$/);

    const optionLike = validateChanged('--output=/tmp/x');
    expect(optionLike.status).toBe(2);
    expect(optionLike.stderr).not.toMatch(STACK_TRACE);
  });

  it('tells a shallow clone how to fetch the ref it lacks, or how to deepen to the merge base', () => {
    const origin = `file://${repo}`;
    const single = path.join(scratch.dir, 'shallow-single');
    git(scratch.dir, 'clone', '--quiet', '--depth=1', '--branch=feature', '--single-branch', origin, single);
    const missing = validateChanged('origin/main', [], single);
    expect(missing.status).toBe(2);
    // A single-branch clone's refspec does not map main to origin/main: the fetch names the destination.
    expect(missing.stderr).toBe('meshctl: error: --changed-since origin/main: ref not found: fetch it, e.g. git fetch --depth=50 origin main:refs/remotes/origin/main\n');

    const both = path.join(scratch.dir, 'shallow-both');
    git(scratch.dir, 'clone', '--quiet', '--depth=1', '--no-single-branch', '--branch=feature', origin, both);
    const cut = validateChanged('origin/main', [], both);
    expect(cut.status).toBe(2);
    expect(cut.stderr).toMatch(/^meshctl: error: --changed-since origin\/main: no common ancestor with HEAD in this shallow clone; deepen it, e\.g\. git fetch --deepen=100/);

    // Deepened, the same clone works.
    git(both, 'fetch', '--quiet', '--unshallow');
    const deep = validateChanged('origin/main', [], both);
    expect(parseStylish(deep.stdout).map((r) => r.file)).toEqual(['mesh/b.yaml']);
  });
});

