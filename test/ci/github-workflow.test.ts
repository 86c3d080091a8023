// The GitHub Actions workflow in examples/ci/github and the meshctl action it uses (action.yml at
// the repository's root), run for real: the workflow's `run:` steps and the action's composite
// steps execute in a clone of a temporary repository whose pull request has a base and a head
// commit, with the environment GitHub sets, the action's inputs and outputs, and the step
// conditions they use. Actions that need GitHub's servers (checkout, setup-node, upload-sarif,
// github-script) are recorded, not run; so is the action's install step, which runs
// scripts/install.sh (run for real by test/standalone.test.ts): here meshctl is this checkout's.
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
  shell?: string;
  env?: Record<string, string>;
  with?: Record<string, unknown>;
  'working-directory'?: string;
}

const WORKFLOW_FILE = path.join(repoRoot, 'examples', 'ci', 'github', 'meshctl.yml');
const workflow = parse(readFileSync(WORKFLOW_FILE, 'utf8')) as {
  on: { pull_request: { paths: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[]; env?: Record<string, string> }>;
};
const job = workflow.jobs.mesh!;
const action = parse(readFileSync(path.join(repoRoot, 'action.yml'), 'utf8')) as {
  name: string;
  inputs: Record<string, { description: string; default: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: Step[] };
};
const version = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')).version as string;
const ACTION_REF = `meshctl/meshctl@v${version}`;
const INSTALL_RUN = '"$GITHUB_ACTION_PATH/scripts/install.sh"';

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

/** What expressions may read: the action's inputs and the outputs of earlier steps. */
interface Context {
  inputs: Record<string, string>;
  steps: Record<string, Record<string, string>>;
}

/** `${{ inputs.NAME }}` and `${{ steps.ID.outputs.NAME }}`, the only expressions used in values. */
function substitute(text: string, context: Context): string {
  return text.replace(/\$\{\{\s*(.*?)\s*\}\}/g, (_, expression: string) => {
    const input = /^inputs\.([\w-]+)$/.exec(expression);
    if (input) {
      if (!(input[1]! in context.inputs)) throw new Error(`the action reads an input it does not declare: ${input[1]}`);
      return context.inputs[input[1]!]!;
    }
    const output = /^steps\.([\w-]+)\.outputs\.([\w-]+)$/.exec(expression);
    if (output) return context.steps[output[1]!]?.[output[2]!] ?? '';
    throw new Error(`an expression this test cannot evaluate: ${expression}`);
  });
}

/**
 * The step conditions used: `!cancelled()` (run unless the run was cancelled, also after a
 * failure), `hashFiles('f') != ''` (the file exists) and `steps.ID.outputs.NAME == 'value'`, joined
 * by `&&`. No `if`: run only while every earlier step succeeded, as GitHub does.
 */
function shouldRun(step: Step, failed: boolean, workspace: string, context: Context): boolean {
  if (step.if === undefined) return !failed;
  const condition = /^\$\{\{\s*(.*?)\s*\}\}$/.exec(step.if)?.[1] ?? step.if;
  const parts = condition.split('&&').map((part) => part.trim());
  if (!parts.includes('!cancelled()') && failed) return false;
  return parts.every((part) => {
    if (part === '!cancelled()') return true;
    const hash = /^hashFiles\('([^']+)'\) != ''$/.exec(part);
    if (hash) return existsSync(path.join(workspace, hash[1]!));
    const equals = /^steps\.([\w-]+)\.outputs\.([\w-]+) == '([^']*)'$/.exec(part);
    if (equals) return (context.steps[equals[1]!]?.[equals[2]!] ?? '') === equals[3];
    throw new Error(`a condition this test cannot evaluate: ${part}`);
  });
}

type StepStatus = number | null | 'skipped' | 'uses';

interface JobRun {
  workspace: string;
  steps: { name: string; status: StepStatus; stdout: string; stderr: string }[];
  /** The action's outputs, as the workflow sees them. */
  actionOutputs: Record<string, string>;
  summary: string;
  failed: boolean;
}

interface Runner {
  runDir: string;
  workspace: string;
  env: Record<string, string>;
  result: JobRun;
  counter: number;
}

/** Runs one `run:` step with GitHub's default bash on Linux; returns its status and outputs. */
async function runScript(runner: Runner, name: string, step: Step, env: Record<string, string>, cwd: string) {
  expect(step.run, `${name}: GitHub expressions in a script are not run by this test`).not.toContain('${{');
  const index = runner.counter++;
  const outputFile = path.join(runner.runDir, `output-${index}`);
  writeFileSync(outputFile, '');
  const script = path.join(runner.runDir, `step-${index}.sh`);
  writeFileSync(script, step.run!);
  const process = await run('bash', ['--noprofile', '--norc', '-eo', 'pipefail', script], { cwd, env: { ...env, GITHUB_OUTPUT: outputFile } });
  runner.result.steps.push({ name, status: process.status, stdout: process.stdout, stderr: process.stderr });
  const outputs = Object.fromEntries(
    readFileSync(outputFile, 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { status: process.status, outputs };
}

/** The action's composite steps with these `with:` values, as the runner runs them. Returns whether it failed. */
async function runAction(runner: Runner, stepName: string, withValues: Record<string, unknown>): Promise<boolean> {
  const inputs = Object.fromEntries(Object.entries(action.inputs).map(([name, input]) => [name, String(withValues[name] ?? input.default)]));
  for (const name of Object.keys(withValues)) expect(action.inputs, `the workflow passes an input the action does not declare: ${name}`).toHaveProperty(name);
  const context: Context = { inputs, steps: {} };
  let failed = false;
  for (const step of action.runs.steps) {
    const name = `${stepName} / ${step.name ?? step.uses}`;
    if (!shouldRun(step, failed, runner.workspace, context)) {
      runner.result.steps.push({ name, status: 'skipped', stdout: '', stderr: '' });
      continue;
    }
    if (step.uses !== undefined) {
      for (const value of Object.values(step.with ?? {})) substitute(String(value), context);
      runner.result.steps.push({ name, status: 'uses', stdout: '', stderr: '' });
      continue;
    }
    if (step.id === 'install') {
      // The runner runs the install script from the action's checkout; here meshctl is already on PATH.
      expect(step.run!.trim()).toBe(INSTALL_RUN);
      runner.result.steps.push({ name, status: 'skipped', stdout: '', stderr: '' });
      continue;
    }
    expect(step.shell).toBe('bash');
    const env = { ...runner.env, GITHUB_ACTION_PATH: repoRoot, ...Object.fromEntries(Object.entries(step.env ?? {}).map(([key, value]) => [key, substitute(value, context)])) };
    const { status, outputs } = await runScript(runner, name, step, env, runner.workspace);
    if (step.id) context.steps[step.id] = outputs;
    if (status !== 0) failed = true;
  }
  runner.result.actionOutputs = Object.fromEntries(Object.entries(action.outputs).map(([name, output]) => [name, substitute(output.value, context)]));
  return failed;
}

/** Runs the job for a pull request from `head` into main (or a push of `head`), as the runner would. */
async function runJob(head: string, options: { event?: 'pull_request' | 'push'; with?: Record<string, unknown> } = {}): Promise<JobRun> {
  const event = options.event ?? 'pull_request';
  const runDir = path.join(scratch.dir, `run-${head}-${event}-${Math.random().toString(36).slice(2, 8)}`);
  const workspace = path.join(runDir, 'workspace');
  // actions/checkout with fetch-depth 0: every branch of the origin, the head checked out.
  git(scratch.dir, 'clone', '--quiet', `file://${origin}`, workspace);
  git(workspace, 'checkout', '--quiet', '--detach', `origin/${head}`);
  const summaryFile = path.join(runDir, 'step-summary.md');
  writeFileSync(summaryFile, '');
  const env: Record<string, string> = {
    ...baseEnvironment(meshctlPath, runDir),
    CI: 'true',
    GITHUB_ACTIONS: 'true',
    GITHUB_EVENT_NAME: event,
    ...(event === 'pull_request'
      ? { GITHUB_BASE_REF: 'main', GITHUB_HEAD_REF: head, GITHUB_REF: 'refs/pull/7/merge' }
      : { GITHUB_BASE_REF: '', GITHUB_HEAD_REF: '', GITHUB_REF: `refs/heads/${head}` }),
    GITHUB_SHA: git(workspace, 'rev-parse', 'HEAD').trim(),
    GITHUB_REPOSITORY: 'example/mesh',
    GITHUB_WORKSPACE: workspace,
    GITHUB_STEP_SUMMARY: summaryFile,
    RUNNER_TEMP: runDir,
    ...job.env,
  };
  const result: JobRun = { workspace, steps: [], actionOutputs: {}, summary: '', failed: false };
  const runner: Runner = { runDir, workspace, env, result, counter: 0 };
  const context: Context = { inputs: {}, steps: {} };
  for (const [index, step] of job.steps.entries()) {
    const name = step.name ?? step.uses ?? `step ${index}`;
    if (!shouldRun(step, result.failed, workspace, context)) {
      result.steps.push({ name, status: 'skipped', stdout: '', stderr: '' });
      continue;
    }
    if (step.uses === ACTION_REF) {
      if (await runAction(runner, name, { ...step.with, ...options.with })) result.failed = true;
      continue;
    }
    if (step.uses !== undefined) {
      result.steps.push({ name, status: 'uses', stdout: '', stderr: '' });
      continue;
    }
    const { status, outputs } = await runScript(runner, name, step, { ...env, ...step.env }, path.join(workspace, step['working-directory'] ?? '.'));
    if (step.id) context.steps[step.id] = outputs;
    if (status !== 0) result.failed = true;
  }
  result.summary = readFileSync(summaryFile, 'utf8');
  return result;
}

const statusOf = (jobRun: JobRun, name: string) => jobRun.steps.find((s) => s.name === name)?.status;

const ACTION = 'Validate and review with meshctl';
const actionStep = (name: string) => `${ACTION} / ${name}`;

describe('action.yml, the meshctl action', () => {
  it('is a composite action that sets up Node, installs meshctl from its own checkout, and takes its inputs as variables', () => {
    expect(action.runs.using).toBe('composite');
    expect(Object.keys(action.inputs)).toEqual(['paths', 'format', 'output', 'changed-since', 'upload-sarif', 'review', 'review-file', 'fail-on', 'node-version']);
    for (const [name, input] of Object.entries(action.inputs)) expect(input.description, name).toBeTruthy();
    expect(Object.keys(action.outputs)).toEqual(['validate-status', 'review-status', 'review-file']);
    const [setupNode, install] = action.runs.steps;
    expect(setupNode).toEqual({ uses: 'actions/setup-node@v4', with: { 'node-version': '${{ inputs.node-version }}' } });
    expect(install!.run!.trim()).toBe(INSTALL_RUN);
    const upload = action.runs.steps.find((step) => step.uses?.startsWith('github/codeql-action/upload-sarif'))!;
    expect(upload.uses).toBe('github/codeql-action/upload-sarif@v3');
    expect(upload.with).toEqual({ sarif_file: '${{ inputs.output }}', category: 'meshctl' });
    // Inputs are pasted into no script (a path with `$(...)` in it must stay a path).
    for (const step of action.runs.steps) if (step.run) expect(step.run, step.name).not.toContain('${{');
  });

  it('on a push, validates the whole mesh (every finding) and reviews nothing', async () => {
    const jobRun = await runJob('broken', { event: 'push' });
    expect(statusOf(jobRun, actionStep('Validate'))).toBe(0);
    expect(statusOf(jobRun, actionStep('Review the change'))).toBe(0);
    expect(jobRun.actionOutputs).toEqual({ 'validate-status': '1', 'review-status': '', 'review-file': '' });
    const sarif = JSON.parse(readFileSync(path.join(jobRun.workspace, 'meshctl.sarif'), 'utf8'));
    expect(sarif.runs[0].results.some((r: { level: string }) => r.level === 'error')).toBe(true);
    expect(existsSync(path.join(jobRun.workspace, 'review.md'))).toBe(false);
    expect(statusOf(jobRun, actionStep('Fail on errors or on what the review found'))).toBe(1);
    expect(jobRun.failed).toBe(true);
  });

  it('writes the report in the format asked for, uploads only SARIF, and reviews only when asked', async () => {
    const jobRun = await runJob('harmless', { with: { format: 'json', output: 'meshctl.json', review: 'false', paths: 'mesh/reviews.yaml mesh/mesh.yaml mesh/productpage.yaml mesh/ratings.yaml' } });
    const report = JSON.parse(readFileSync(path.join(jobRun.workspace, 'meshctl.json'), 'utf8'));
    expect(report.summary).toBeDefined();
    expect(statusOf(jobRun, actionStep('Show the findings in code scanning'))).toBe('skipped');
    expect(existsSync(path.join(jobRun.workspace, 'review.md'))).toBe(false);
    expect(jobRun.actionOutputs['review-status']).toBe('');
    expect(jobRun.failed).toBe(false);
  });

  it('fails the step with a clear message when validation cannot run', async () => {
    const jobRun = await runJob('harmless', { with: { paths: 'no-such-dir' } });
    expect(jobRun.actionOutputs['validate-status']).toBe('2');
    const fail = jobRun.steps.find((s) => s.name === actionStep('Fail on errors or on what the review found'))!;
    expect(fail.status).toBe(1);
    expect(fail.stdout).toContain('::error::meshctl validate exited 2');
    expect(jobRun.failed).toBe(true);
  });
});

describe('examples/ci/github/meshctl.yml', () => {
  it('is a pull-request workflow with the permissions its actions need, using the meshctl action at this version', () => {
    expect(Object.keys(workflow.on)).toEqual(['pull_request']);
    expect(workflow.permissions).toEqual({ contents: 'read', 'security-events': 'write', 'pull-requests': 'write' });
    expect(job.steps.flatMap((s) => (s.uses ? [s.uses] : []))).toEqual(['actions/checkout@v4', ACTION_REF, 'actions/github-script@v7']);
    expect(job.steps[0]!.with).toEqual({ 'fetch-depth': 0 });
    expect(job.steps[1]!.name).toBe(ACTION);
  });

  it('passes a harmless pull request: SARIF for code scanning, the review in the summary and for the comment', async () => {
    const jobRun = await runJob('harmless');
    expect(jobRun.steps.map((s) => [s.name, s.status])).toEqual([
      ['actions/checkout@v4', 'uses'],
      [actionStep('actions/setup-node@v4'), 'uses'],
      [actionStep('Install meshctl'), 'skipped'],
      [actionStep('Validate'), 0],
      [actionStep('Show the findings in code scanning'), 'uses'],
      [actionStep('Review the change'), 0],
      [actionStep('Fail on errors or on what the review found'), 0],
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
    expect(jobRun.actionOutputs).toEqual({ 'validate-status': '0', 'review-status': '0', 'review-file': 'review.md' });
    expect(jobRun.failed).toBe(false);
  });

  it('fails a pull request that widens access, after writing the review for the comment', async () => {
    const jobRun = await runJob('widening');
    expect(statusOf(jobRun, actionStep('Validate'))).toBe(0);
    expect(jobRun.actionOutputs).toMatchObject({ 'validate-status': '0', 'review-status': '1' });
    const fail = jobRun.steps.find((s) => s.name === actionStep('Fail on errors or on what the review found'))!;
    expect(fail.status).toBe(1);
    expect(fail.stdout).toContain('::error::the change meets fail-on: widened-access');
    const review = readFileSync(path.join(jobRun.workspace, 'review.md'), 'utf8');
    expect(review).toMatch(/widened/i);
    expect(review).toContain('ratings');
    expect(review).toContain('```mermaid');
    expect(jobRun.summary).toBe(review);
    // The comment is still posted after the failed step (`!cancelled()`).
    expect(statusOf(jobRun, 'Post the review as one sticky comment')).toBe('uses');
    expect(jobRun.failed).toBe(true);
  });

  it('reports a new error in code scanning and still reviews the change', async () => {
    const jobRun = await runJob('broken');
    expect(jobRun.actionOutputs['validate-status']).toBe('1');
    const sarif = JSON.parse(readFileSync(path.join(jobRun.workspace, 'meshctl.sarif'), 'utf8'));
    const results = sarif.runs[0].results as { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[];
    expect(new Set(results.map((r) => r.locations[0]!.physicalLocation.artifactLocation.uri))).toEqual(new Set(['mesh/ratings.yaml']));
    expect(results.some((r) => r.level === 'error')).toBe(true);
    expect(statusOf(jobRun, actionStep('Show the findings in code scanning'))).toBe('uses');
    // The review runs after a failed validation: reviewers see the new error there too.
    expect(statusOf(jobRun, actionStep('Review the change'))).toBe(0);
    expect(jobRun.actionOutputs['review-status']).toBe('0');
    expect(readFileSync(path.join(jobRun.workspace, 'review.md'), 'utf8')).toContain('no-such-service');
    expect(jobRun.failed).toBe(true);
  });
});
