// meshctl review against real git repositories: revisions read from the object database, the
// working tree reviewed without being touched, shallow clones, exit codes and the Markdown comment.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readMeshRevisions } from '../../src/git/mesh-revisions.js';
import { repoRoot, STACK_TRACE } from '../helpers/run-cli.js';
import { DETAILS, MESH, PRODUCTPAGE, REVIEWS, TempRepo, baseMesh, runMeshctl } from './support.js';

const repos: TempRepo[] = [];
const newRepo = (prefix?: string) => {
  const repo = new TempRepo(prefix);
  repos.push(repo);
  return repo;
};
afterAll(() => {
  for (const repo of repos) repo.cleanup();
});

const json = (stdout: string) => JSON.parse(stdout) as {
  summary: { changed: boolean; entities: Record<string, number>; access: { widened: number }; risky: boolean };
  entities: { entity: string; status: string; changes: { message: string }[] }[];
  access: { scope: string; classification: string; message: string }[];
  objects: { kind: string; name: string; status: string }[];
  base: { commit: string | null; files: number };
  head: { ref: string | null; commit: string | null; files: number };
  failOn: { condition: string; matched: boolean } | null;
};

describe('revisions from the object database', () => {
  let repo: TempRepo;
  beforeAll(() => {
    repo = newRepo();
    repo.commit('base', baseMesh());
    repo.git('mv', 'mesh/reviews.yaml', 'mesh/reviews-service.yaml');
    repo.commit('rename only');
  });

  it('a renamed file with no behaviour change is reported as no change', async () => {
    const run = (await runMeshctl(['review', '--base', 'HEAD~1', '--head', 'HEAD', '--format', 'json', '--fail-on', 'any'], repo.dir));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const review = json(run.stdout);
    expect(review.summary.changed).toBe(false);
    expect(review.head.ref).toBe('HEAD');
    expect([review.base.files, review.head.files]).toEqual([4, 4]);
    expect(review.failOn).toEqual({ condition: 'any', matched: false });
  });

  it('paths are relative to the current directory; files are named relative to the repository root, as validate names them', async () => {
    const revisions = await readMeshRevisions({ cwd: path.join(repo.dir, 'mesh'), base: 'HEAD~1', head: 'HEAD', paths: ['reviews.yaml', 'mesh.yaml'] });
    expect(revisions.base.files).toEqual(['mesh/mesh.yaml', 'mesh/reviews.yaml']);
    // Gone under that name at the head: an empty side for that path, not an error.
    expect(revisions.head.files).toEqual(['mesh/mesh.yaml']);
  });

  it('a path with mesh files at neither revision is an error (exit 2)', async () => {
    const run = (await runMeshctl(['review', '--base', 'HEAD~1', 'nowhere/'], repo.dir));
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('meshctl: error: no mesh files at nowhere/ in HEAD~1 or the working tree\n');
  });

  it('an unknown revision and a directory outside git are one-line errors (exit 2)', async () => {
    const missing = (await runMeshctl(['review', '--base', 'no-such-branch'], repo.dir));
    expect(missing.status).toBe(2);
    expect(missing.stderr).toMatch(/^meshctl: error: base ref no-such-branch not found in the repository at .+\n$/);
    const head = (await runMeshctl(['review', '--base', 'HEAD', '--head', 'nope'], repo.dir));
    expect(head.stderr).toMatch(/^meshctl: error: head ref nope not found/);
    const outside = (await runMeshctl(['review', '--base', 'main'], path.dirname(repoRoot) === '/' ? '/' : '/tmp'));
    expect(outside.status).toBe(2);
    expect(outside.stderr).toMatch(/^meshctl: error: not a git repository: /);
    for (const run of [missing, head, outside]) expect(run.stderr).not.toMatch(STACK_TRACE);
  });
});

describe('the working tree as head', () => {
  it('reviews uncommitted and untracked edits and leaves the working tree and index untouched', async () => {
    const repo = newRepo();
    repo.commit('base', baseMesh());
    repo.write({ 'mesh/reviews.yaml': REVIEWS.replace('weight: 10', 'weight: 50') }); // unstaged
    repo.write({ 'mesh/productpage.yaml': PRODUCTPAGE.replace('dependsOn: [reviews]', 'dependsOn: [reviews, details]') });
    repo.git('add', 'mesh/productpage.yaml'); // staged
    repo.write({ 'mesh/ratings.yaml': DETAILS.replace('name: details', 'name: ratings') }); // untracked
    repo.write({ '.gitignore': 'ignored/\n', 'ignored/junk.yaml': 'not: a mesh file\n' }); // ignored: never read
    const before = repo.untouchedState();

    const run = (await runMeshctl(['review', '--base', 'main', '--format', 'json'], repo.dir));
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    const review = json(run.stdout);
    expect(review.head).toMatchObject({ ref: null, commit: null, files: 5 });
    expect(review.entities.map((e) => `${e.entity} ${e.status}`)).toEqual(['store/productpage changed', 'store/ratings added', 'store/reviews changed']);
    expect(review.entities.find((e) => e.entity === 'store/reviews')?.changes[0]?.message).toBe('v1 90% → 50%, v3 10% → 50% (routes list, default)');

    expect(repo.untouchedState()).toEqual(before);
    expect(readFileSync(path.join(repo.dir, 'mesh/reviews.yaml'), 'utf8')).toContain('weight: 50');
  });

  it('a file deleted but not committed is absent from the head', async () => {
    const repo = newRepo();
    repo.commit('base', baseMesh());
    repo.remove('mesh/details.yaml');
    const run = (await runMeshctl(['review', '--base', 'HEAD', '--format', 'json'], repo.dir));
    expect(json(run.stdout).entities.map((e) => `${e.entity} ${e.status}`)).toEqual(['store/details removed']);
  });
});

describe('shallow clones', () => {
  it('a missing base ref gets a message that says how to fetch it, and the fetch it names works', async () => {
    const origin = newRepo('meshctl-review-origin-');
    origin.commit('base', baseMesh());
    origin.git('checkout', '-q', '-b', 'feature');
    origin.commit('widen', { 'mesh/mesh.yaml': MESH.replace('mtls: strict', 'mtls: permissive') });
    // As actions/checkout does: the pull request's commit only, one commit deep.
    const clone = newRepo('meshctl-review-clone-');
    clone.git('remote', 'add', 'origin', `file://${origin.dir}`);
    clone.git('fetch', '-q', '--depth=1', 'origin', '+refs/heads/feature:refs/remotes/origin/feature');
    clone.git('checkout', '-q', 'origin/feature');
    expect(clone.git('rev-parse', '--is-shallow-repository').trim()).toBe('true');

    const refused = (await runMeshctl(['review', '--base', 'origin/main'], clone.dir));
    expect(refused.status).toBe(2);
    expect(refused.stderr).toBe('meshctl: error: base ref origin/main not found: fetch it, e.g. git fetch --depth=50 origin main\n');
    const parent = (await runMeshctl(['review', '--base', 'HEAD~1'], clone.dir));
    expect(parent.stderr).toBe('meshctl: error: base ref HEAD~1 not found: this clone is shallow and its history stops before it; deepen it, e.g. git fetch --deepen=50 origin\n');

    clone.git('fetch', '-q', '--depth=50', 'origin', 'main');
    const reviewed = (await runMeshctl(['review', '--base', 'origin/main', '--format', 'json', '--fail-on', 'widened-access'], clone.dir));
    expect(reviewed.status).toBe(1);
    expect(json(reviewed.stdout).access[0]).toMatchObject({ scope: 'mesh', classification: 'widened' });
  });

  it('in a single-branch clone the message names where to fetch to', async () => {
    const origin = newRepo('meshctl-review-origin-');
    origin.commit('base', baseMesh());
    origin.git('checkout', '-q', '-b', 'feature');
    origin.commit('edit', { 'mesh/details.yaml': DETAILS.replace('9080', '8080') });
    const parent = newRepo('meshctl-review-parent-');
    const target = path.join(parent.dir, 'clone');
    execFileSync('git', ['clone', '-q', '--depth=1', '--branch', 'feature', `file://${origin.dir}`, target]);
    const run = (await runMeshctl(['review', '--base', 'origin/main'], target));
    expect(run.stderr).toBe('meshctl: error: base ref origin/main not found: fetch it, e.g. git fetch --depth=50 origin main:refs/remotes/origin/main\n');
    execFileSync('git', ['fetch', '-q', '--depth=50', 'origin', 'main:refs/remotes/origin/main'], { cwd: target });
    expect((await runMeshctl(['review', '--base', 'origin/main'], target)).status).toBe(0);
  });
});

// Each run is a meshctl process: on a busy two-core machine a few of them take seconds.
describe('--fail-on and formats', { timeout: 90_000 }, () => {
  let repo: TempRepo;
  beforeAll(() => {
    repo = newRepo();
    repo.commit('base', baseMesh());
    repo.git('checkout', '-q', '-b', 'harmless');
    repo.commit('harmless', { 'mesh/reviews.yaml': REVIEWS.replace('weight: 10, steps: [10, 50, 100]', 'weight: 30, steps: [10, 30, 100]') });
    repo.git('checkout', '-q', '-b', 'widening', 'main');
    repo.commit('widening', { 'mesh/details.yaml': DETAILS.replace('[productpage]', '[productpage, reviews]') });
    repo.git('checkout', '-q', '-b', 'broken', 'main');
    repo.commit('broken', { 'mesh/reviews.yaml': REVIEWS.replace('canary: v3', 'canary: v9') });
    repo.git('checkout', '-q', 'main');
  });

  const exit = async (head: string, failOn?: string) =>
    (await runMeshctl(['review', '--base', 'main', '--head', head, ...(failOn ? ['--fail-on', failOn] : [])], repo.dir)).status;

  // One meshctl run per test: a test that blocks on many runs in a row starves the test runner.
  it.each([
    ['widening', undefined, 0],
    ['widening', 'widened-access', 1],
    ['widening', 'risky', 1],
    ['widening', 'any', 1],
    ['harmless', 'widened-access', 0],
    ['harmless', 'risky', 0],
    ['harmless', 'any', 1],
    ['broken', undefined, 0],
    ['broken', 'widened-access', 0],
    ['broken', 'risky', 1],
    ['main', 'any', 0],
  ] as const)('head %s with --fail-on %s exits %i', async (head, failOn, code) => {
    expect(await exit(head, failOn)).toBe(code);
  });

  it('a usage error exits 2', async () => {
    const run = (await runMeshctl(['review', '--base', 'main', '--fail-on', 'sometimes'], repo.dir));
    expect(run.status).toBe(2);
    expect((await runMeshctl(['review'], repo.dir)).status).toBe(2);
  });

  it('stylish names the widening; -o writes the file and nothing to stdout', async () => {
    const run = (await runMeshctl(['review', '--base', 'main', '--head', 'widening'], repo.dir));
    expect(run.stdout).toContain('widened   store/details: now allows from services productpage, reviews to every request');
    expect(run.stdout).toMatch(/⚠ risky: /);
    const out = path.join(repo.dir, 'review.md');
    const written = (await runMeshctl(['review', '--base', 'main', '--head', 'widening', '--format', 'markdown', '-o', out, '--fail-on', 'widened-access'], repo.dir));
    expect(written.status).toBe(1);
    expect(written.stdout).toBe('');
    expect(written.stderr).toBe('meshctl: review: --fail-on widened-access matched\n');
    expect(readFileSync(out, 'utf8')).toMatch(/^### meshctl review: `main` \([0-9a-f]{7}\) → `widening`/);
  });
});

describe('the Markdown comment', () => {
  it('matches the golden review of a rich change', async () => {
    const repo = newRepo();
    repo.commit('base', baseMesh());
    const abTest = '  abTest:\n    name: new-layout\n    cohort: {cookie: {name: layout, value: beta}}\n    variant: v2\n    control: v1\n  access:';
    repo.remove('mesh/details.yaml');
    repo.commit('rich change', {
      'mesh/reviews.yaml': REVIEWS.replace('weight: 10', 'weight: 50').replace('      - from: {services: [productpage]}\n        to: {methods: [GET]}', '      - from: {services: [productpage]}\n        to: {methods: [GET]}\n      - from: {anyone: true}\n        to: {methods: [GET], paths: [/reviews/public/*]}').replace('  access:', '  mtls: permissive\n  access:'),
      'mesh/productpage.yaml': PRODUCTPAGE.replace('  access:', abTest).replace('dependsOn: [reviews]', 'dependsOn: [reviews]\n  resilience:\n    outlierDetection: {consecutive5xx: 5, interval: 10s, baseEjectionTime: 30s}'),
    });
    const run = (await runMeshctl(['review', '--base', 'HEAD~1', '--head', 'HEAD', '--format', 'markdown'], repo.dir));
    expect(run.stderr).toBe('');
    const golden = path.join(repoRoot, 'test', 'golden', 'review', 'rich.md');
    // MESHCTL_UPDATE_GOLDEN=1 rewrites the golden file after an intended change of the output.
    if (process.env.MESHCTL_UPDATE_GOLDEN === '1') writeFileSync(golden, run.stdout);
    expect(existsSync(golden)).toBe(true);
    expect(run.stdout).toBe(readFileSync(golden, 'utf8'));
    expect(run.stdout.length).toBeLessThan(65_536);
    expect(run.stdout).toContain('⚠ **Widened access (security-relevant):**');
    expect(run.stdout).toContain('```mermaid\nflowchart LR');
  });
});
