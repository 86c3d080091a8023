// The GitHub Actions workflow in examples/ci/github, run for real: its `run:` steps execute in a
// clone of a temporary repository whose pull request has a base and a head commit, with the
// environment GitHub sets. Only `uses:` steps (actions that need GitHub's servers) are skipped,
// and the install step, whose package comes from the npm registry: meshctl is this checkout's.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-cli.js';
import { sarifValidator } from '../support/sarif-schema.js';
import { baseEnvironment, MESH_REVISIONS, pathWithMeshctl, run } from './ci-support.js';
import { commitAll, createRepository, git, scratchDirectory, writeFiles } from './git-fixture.js';

interface Step {
  name?: string;
  id?: string;
  if?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  'working-directory'?: string;
}

const WORKFLOW_FILE = path.join(repoRoot, 'examples', 'ci', 'github', 'meshctl.yml');
const workflow = parse(readFileSync(WORKFLOW_FILE, 'utf8')) as {
  on: { pull_request: { paths: string[] } };
  permissions: Record<string, string>;
  env: Record<string, string>;
  jobs: Record<string, { steps: Step[]; env?: Record<string, string> }>;
};
const job = workflow.jobs.mesh!;
const version = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;

const scratch = scratchDirectory('meshctl-github-');
afterAll(() => scratch.cleanup());
let origin: string;
let meshctlPath: string;

beforeAll(() => {
  meshctlPath = pathWithMeshctl(scratch.dir);
  origin = createRepository(path.join(scratch.dir, 'origin'), MESH_REVISIONS.base);
  for (const head of ['harmless', 'widening', 'broken'] as const) {
    git(origin, 'checkout', '--quiet', '-b', head, 'main');
    writeFiles(origin, MESH_REVISIONS[head]);
    commitAll(origin, head);
  }
  git(origin, 'checkout', '--quiet', 'main');
});

/**
 * The step conditions this workflow uses: `!cancelled()` (run unless the run was cancelled, also
 * after a failure), optionally with `hashFiles('f') != ''` (the file exists). No `if`: run only
 * while every earlier step succeeded, as GitHub does.
 */
function shouldRun(step: Step, failed: boolean, workspace: string): boolean {
  if (step.if === undefined) return !failed;
  const condition = /^\$\{\{\s*(.*?)\s*\}\}$/.exec(step.if)?.[1] ?? step.if;
  const parts = condition.split('&&').map((part) => part.trim());
  return parts.every((part) => {
    if (part === '!cancelled()') return true;
    const hash = /^hashFiles\('([^']+)'\) != ''$/.exec(part);
    if (hash) return existsSync(path.join(workspace, hash[1]!));
    throw new Error(`the workflow uses a condition this test cannot evaluate: ${part}`);
  });
}

interface JobRun {
  workspace: string;
  steps: { name: string; status: number | null | 'skipped' | 'uses'; stdout: string; stderr: string }[];
  outputs: Record<string, Record<string, string>>;
  summary: string;
  failed: boolean;
}

/** Runs the job for a pull request from `head` into main, as the runner would. */
async function runJob(head: string): Promise<JobRun> {
  const runDir = path.join(scratch.dir, `run-${head}`);
  const workspace = path.join(runDir, 'workspace');
  // actions/checkout with fetch-depth 0: every branch of the origin, the pull request's head checked out.
  git(scratch.dir, 'clone', '--quiet', `file://${origin}`, workspace);
  git(workspace, 'checkout', '--quiet', '--detach', `origin/${head}`);
  const summaryFile = path.join(runDir, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    ...baseEnvironment(meshctlPath, runDir),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: 'pull_request',
    GITHUB_BASE_REF: 'main',
    GITHUB_HEAD_REF: head,
    GITHUB_REF: 'refs/pull/7/merge',
    GITHUB_SHA: git(workspace, 'rev-parse', 'HEAD').trim(),
    GITHUB_REPOSITORY: 'example/mesh',
    GITHUB_WORKSPACE: workspace,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: runDir,
    ...workflow.env,
    ...job.env,
  };
  const result: JobRun = { workspace, steps: [], outputs: {}, summary: '', failed: false };
  for (const [index, step] of job.steps.entries()) {
    const name = step.name ?? step.uses ?? `step ${index}`;
    if (step.uses !== undefined) {
      result.steps.push({ name, status: 'uses', stdout: '', stderr: '' });
      continue;
    }
    if (step.id === 'install-meshctl') {
      // Installing from the registry is what the runner does; here meshctl is already on PATH.
      expect(step.run).toBe('npm install --global "meshctl@${MESHCTL_VERSION}"');
      result.steps.push({ name, status: 'skipped', stdout: '', stderr: '' });
      continue;
    }
    if (!shouldRun(step, result.failed, workspace)) {
      result.steps.push({ name, status: 'skipped', stdout: '', stderr: '' });
      continue;
    }
    expect(step.run, `${name}: GitHub expressions in a script are not run by this test`).not.toContain('${{');
    const outputFile = path.join(runDir, `output-${index}`);
    writeFileSync(outputFile, '');
    const script = path.join(runDir, `step-${index}.sh`);
    writeFileSync(script, step.run!);
    // GitHub's default shell for run steps on Linux.
    const process = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], {
      cwd: path.join(workspace, step['working-directory'] ?? '.'),
      env: { ...env, ...step.env, GITHUB_OUTPUT: outputFile },
    });
    result.steps.push({ name, status: process.status, stdout: process.stdout, stderr: process.stderr });
    if (step.id) {
      result.outputs[step.id] = Object.fromEntries(
        readFileSync(outputFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
      );
    }
    if (process.status !== 0) result.failed = true;
  }
  result.summary = readFileSync(summaryFile, 'utf8');
  return result;
}

const statusOf = (jobRun: JobRun, name: string) => jobRun.steps.find((s) => s.name === name)?.status;

describe('examples/ci/github/meshctl.yml', () => {
  it('is a pull-request workflow with the permissions its actions need, and uses only known actions', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read', 'security-events': 'write', 'pull-requests': 'write' });
    expect(workflow.env.MESHCTL_VERSION).toBe(version);
    expect(job.steps.flatMap((s) => (s.uses ? [s.uses] : []))).toEqual([
      'actions/checkout@v4',
      'actions/setup-node@v4',
      'github/codeql-action/upload-sarif@v3',
      'actions/github-script@v7',
    ]);
    expect(job.steps[0]!.with).toEqual({ 'fetch-depth': 0 });
    expect(job.steps.find((s) => s.uses?.startsWith('github/codeql-action/upload-sarif'))!.with).toMatchObject({ sarif_file: 'meshctl.sarif' });
  });

  it('passes a harmless pull request: SARIF for code scanning, the review in the summary and for the comment', async () => {
    const jobRun = await runJob('harmless');
    expect(jobRun.steps.map((s) => [s.name, s.status])).toEqual([
      ['actions/checkout@v4', 'uses'],
      ['actions/setup-node@v4', 'uses'],
      ['Install meshctl', 'skipped'],
      ['Validate the changed mesh files', 0],
      ['Show the findings in code scanning', 'uses'],
      ['Review the change', 0],
      ['Post the review as one sticky comment', 'uses'],
    ]);
    const sarif = JSON.parse(readFileSync(path.join(jobRun.workspace, 'meshctl.sarif'), 'utf8'));
    const validateSarif = sarifValidator();
    expect(validateSarif(sarif), JSON.stringify(validateSarif.errors)).toBe(true);
    expect(sarif.runs[0].results.filter((r: { level: string }) => r.level === 'error')).toEqual([]);
    const review = readFileSync(path.join(jobRun.workspace, 'review.md'), 'utf8');
    expect(review).toContain('meshctl review');
    expect(review).toMatch(/timeout/i);
    expect(jobRun.summary).toBe(review);
    expect(jobRun.outputs.review).toEqual({ status: '0' });
    expect(jobRun.failed).toBe(false);
  });

  it('fails a pull request that widens access, after writing the review for the comment', async () => {
    const jobRun = await runJob('widening');
    expect(statusOf(jobRun, 'Validate the changed mesh files')).toBe(0);
    expect(statusOf(jobRun, 'Review the change')).toBe(1);
    expect(jobRun.outputs.review).toEqual({ status: '1' });
    const review = readFileSync(path.join(jobRun.workspace, 'review.md'), 'utf8');
    expect(review).toMatch(/widened/i);
    expect(review).toContain('ratings');
    expect(review).toContain('```mermaid');
    expect(jobRun.summary).toBe(review);
    expect(jobRun.failed).toBe(true);
  });

  it('reports a new error in code scanning and still reviews the change', async () => {
    const jobRun = await runJob('broken');
    expect(statusOf(jobRun, 'Validate the changed mesh files')).toBe(1);
    const sarif = JSON.parse(readFileSync(path.join(jobRun.workspace, 'meshctl.sarif'), 'utf8'));
    const results = sarif.runs[0].results as { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    expect(new Set(results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri))).toEqual(new Set(['mesh/ratings.yaml']));
    expect(results.some((r) => r.level === 'error')).toBe(true);
    // The review runs after a failed validation (`!cancelled()`): reviewers see the new error there too.
    expect(statusOf(jobRun, 'Review the change')).toBe(0);
    expect(readFileSync(path.join(jobRun.workspace, 'review.md'), 'utf8')).toContain('no-such-service');
    expect(jobRun.failed).toBe(true);
  });
});
