// The GitLab CI job in examples/ci/gitlab, run for real: its script lines, as one shell script
// (GitLab runs them in one shell, stopping at the first failure), in a clone of a temporary
// repository with a merge request's target branch, with the variables GitLab sets. The note is
// posted to a local server that answers as GitLab's notes API does. The before_script installs
// meshctl from its repository's release tag with scripts/install.sh (run for real by
// test/standalone.test.ts); here this checkout's meshctl is on PATH instead.
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-cli.js';
import { baseEnvironment, MESH_REVISIONS, pathWithMeshctl, run } from './ci-support.js';
import { commitAll, createRepository, git, scratchDirectory, writeFiles } from './git-fixture.js';

const CI_DIR = path.join(repoRoot, 'examples', 'ci', 'gitlab');
const job = (parse(readFileSync(path.join(CI_DIR, 'meshctl.gitlab-ci.yml'), 'utf8')) as Record<string, {
  image: string;
  rules: { if: string }[];
  variables: Record<string, string>;
  before_script: string[];
  script: string[];
  artifacts: { when: string; paths: string[]; reports: { codequality: string } };
}>).meshctl!;

const scratch = scratchDirectory('meshctl-gitlab-');
let origin: string;
let meshctlPath: string;

/** GitLab's merge-request notes API, for one merge request, in memory. */
interface Note {
  id: number;
  body: string;
}
const notes: Note[] = [];
const requests: string[] = [];
let server: Server;
let builds = 0;
let apiUrl: string;

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk)).on('end', () => resolve(body));
  });
}

beforeAll(async () => {
  meshctlPath = pathWithMeshctl(scratch.dir);
  origin = createRepository(path.join(scratch.dir, 'origin'), MESH_REVISIONS.base);
  for (const head of ['harmless', 'widening', 'broken'] as const) {
    git(origin, 'checkout', '--quiet', '-b', head, 'main');
    writeFiles(origin, MESH_REVISIONS[head]);
    commitAll(origin, head);
  }
  git(origin, 'checkout', '--quiet', 'main');

  server = createServer(async (request, response) => {
    const url = new URL(request.url!, 'http://localhost');
    requests.push(`${request.method} ${url.pathname}`);
    const base = '/api/v4/projects/example%2Fmesh/merge_requests/7/notes';
    if (request.headers['private-token'] !== 'glpat-test') return response.writeHead(401).end('{}');
    const reply = (status: number, value: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
    if (request.method === 'GET' && url.pathname === base) return reply(200, notes);
    if (request.method === 'POST' && url.pathname === base) {
      const note = { id: notes.length + 100, body: JSON.parse(await readBody(request)).body };
      notes.push(note);
      return reply(201, note);
    }
    const put = new RegExp(`^${base.replace(/[.%]/g, '\\$&')}/(\\d+)$`).exec(url.pathname);
    if (request.method === 'PUT' && put) {
      const note = notes.find((n) => n.id === Number(put[1]));
      if (!note) return reply(404, {});
      note.body = JSON.parse(await readBody(request)).body;
      return reply(200, note);
    }
    reply(404, {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  apiUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v4`;
});

afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  scratch.cleanup();
});

/** The job for a merge request from `head` into main, as the runner runs it. */
async function runJob(head: string, token?: string) {
  const projectDir = path.join(scratch.dir, `build-${++builds}-${head}`);
  // GitLab's clone with GIT_DEPTH 0: the merge request's head, detached, with an origin remote.
  git(scratch.dir, 'clone', '--quiet', '--no-checkout', `file://${origin}`, projectDir);
  git(projectDir, 'checkout', '--quiet', '--detach', `origin/${head}`);
  expect(job.before_script).toEqual([
    'git clone --quiet --depth 1 --branch "v${MESHCTL_VERSION}" "$MESHCTL_REPOSITORY" /tmp/meshctl',
    '/tmp/meshctl/scripts/install.sh',
  ]);
  const script = ['set -eo pipefail', ...job.script].join('\n');
  const env: Record<string, string> = {
    ...baseEnvironment(meshctlPath, projectDir),
    CI: 'true',
    GITLAB_CI: 'true',
    CI_PIPELINE_SOURCE: 'merge_request_event',
    CI_PROJECT_DIR: projectDir,
    CI_PROJECT_ID: 'example/mesh',
    CI_API_V4_URL: apiUrl,
    CI_MERGE_REQUEST_IID: '7',
    CI_MERGE_REQUEST_TARGET_BRANCH_NAME: 'main',
    CI_MERGE_REQUEST_SOURCE_BRANCH_NAME: head,
    CI_COMMIT_SHA: git(projectDir, 'rev-parse', 'HEAD').trim(),
    ...job.variables,
    // The project keeps codequality.mjs and post-note.mjs where MESHCTL_CI_DIR says; here, in the examples.
    MESHCTL_CI_DIR: CI_DIR,
    ...(token ? { MESHCTL_NOTE_TOKEN: token } : {}),
  };
  const result = await run('bash', ['--noprofile', '--norc', '-c', script], { cwd: projectDir, env });
  const artifact = (name: string) => (existsSync(path.join(projectDir, name)) ? readFileSync(path.join(projectDir, name), 'utf8') : undefined);
  return { ...result, review: artifact('review.md'), codequality: artifact(job.artifacts.reports.codequality) };
}

describe('examples/ci/gitlab/meshctl.gitlab-ci.yml', () => {
  it('runs on merge requests and keeps the review and the code quality report as artifacts, also when it fails', () => {
    expect(job.rules[0]!.if).toBe('$CI_PIPELINE_SOURCE == "merge_request_event"');
    expect(job.variables.GIT_DEPTH).toBe('0');
    // Installed from the repository at the tag of this version, not from a package registry.
    expect(job.variables.MESHCTL_VERSION).toBe(JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version);
    expect(job.variables.MESHCTL_REPOSITORY).toBe('https://github.com/meshctl/meshctl.git');
    expect(job.artifacts).toMatchObject({ when: 'always', paths: ['review.md'], reports: { codequality: 'gl-code-quality-report.json' } });
  });

  it('passes a harmless merge request: an empty code quality report and the review as an artifact', async () => {
    const result = await runJob('harmless');
    expect(result.status, result.stdout + result.stderr).toBe(0);
    expect(JSON.parse(result.codequality!)).toEqual([]);
    expect(result.review).toContain('meshctl review');
    expect(requests).toEqual([]);
  });

  it('reports a new error in the code quality widget with a stable fingerprint, and fails', async () => {
    const result = await runJob('broken');
    expect(result.status).toBe(1);
    expect(result.stdout).toContain('meshctl validate found errors in the changed mesh files');
    const issues = JSON.parse(result.codequality!) as { description: string; check_name: string; fingerprint: string; severity: string; location: { path: string; lines: { begin: number } } }[];
    const error = issues.find((issue) => issue.severity === 'major')!;
    expect(error).toMatchObject({ check_name: expect.stringMatching(/^MESH\d{3}$/), location: { path: 'mesh/ratings.yaml', lines: { begin: 6 } } });
    expect(error.description).toContain('no-such-service');
    expect(error.fingerprint).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(issues.map((issue) => issue.fingerprint)).size).toBe(issues.length);
    expect(JSON.parse((await runJob('broken', undefined)).codequality!)).toEqual(issues);
  });

  it('posts the review of a widening as one note, updates that note on the next push, and fails the job', async () => {
    const first = await runJob('widening', 'glpat-test');
    expect(first.status).toBe(1);
    expect(first.stdout).toContain('the change widens access');
    expect(first.stderr).toContain('post-note: posted the review note');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body.startsWith('<!-- meshctl-review -->\n')).toBe(true);
    expect(notes[0]!.body).toMatch(/widened/i);

    const second = await runJob('harmless', 'glpat-test');
    expect(second.status).toBe(0);
    expect(second.stderr).toContain('post-note: updated the review note');
    expect(notes).toHaveLength(1);
    expect(notes[0]!.body).not.toMatch(/\*\*[1-9]\d* widened\*\*/);
    expect(requests.filter((r) => !r.startsWith('GET'))).toEqual([
      'POST /api/v4/projects/example%2Fmesh/merge_requests/7/notes',
      'PUT /api/v4/projects/example%2Fmesh/merge_requests/7/notes/100',
    ]);
  });

  it('fails the job when the note cannot be posted', async () => {
    const result = await runJob('harmless', 'wrong-token');
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/post-note: GET .* 401/);
  });
});
