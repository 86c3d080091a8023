// Shared by the review tests: a small mesh, real temporary git repositories, and the review of
// two in-memory revisions (no git) for the change-model tests.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadSources } from '../../src/loader/load-mesh.js';
import { SourceText } from '../../src/loader/source-file.js';
import { prepareReviewSide, reviewMesh } from '../../src/review/review.js';
import type { MeshReview } from '../../src/review/types.js';
import { runProcess } from '../helpers/run-process.js';

export const MESH = `apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: shop}
spec:
  mtls: strict
  access: deny-by-default
`;

export const REVIEWS = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: store}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
  versions:
    v1: {labels: {version: v1}}
    v3: {labels: {version: v3}}
  canary: {stable: v1, canary: v3, weight: 10, steps: [10, 50, 100]}
  routes:
    - name: list
      match: {path: /reviews, methods: [GET]}
      timeout: 2s
      retries: {attempts: 3, perTryTimeout: 500ms, on: [5xx, reset]}
  access:
    allow:
      - from: {services: [productpage]}
        to: {methods: [GET]}
`;

export const PRODUCTPAGE = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: productpage, namespace: store}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
  versions:
    v1: {labels: {version: v1}}
    v2: {labels: {version: v2}}
  access:
    allow:
      - from: {namespaces: [store]}
  dependsOn: [reviews]
`;

export const DETAILS = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: details, namespace: store}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
  access:
    allow:
      - from: {services: [productpage]}
`;

/** The standard mesh: file name -> text. */
export function baseMesh(): Record<string, string> {
  return { 'mesh/mesh.yaml': MESH, 'mesh/reviews.yaml': REVIEWS, 'mesh/productpage.yaml': PRODUCTPAGE, 'mesh/details.yaml': DETAILS };
}

/** Reviews two in-memory meshes (file name -> text), as the command does after reading git. */
export function reviewFiles(before: Record<string, string>, after: Record<string, string>): MeshReview {
  const side = (files: Record<string, string>) => loadSources(Object.entries(files).map(([file, text]) => new SourceText(file, text)));
  return reviewMesh(prepareReviewSide(side(before), { ref: 'base' }), prepareReviewSide(side(after), {}));
}

/** Every change message of one resource. */
export function messagesOf(review: MeshReview, entity: string): string[] {
  return review.entities.find((e) => e.entity === entity)?.changes.map((c) => `${c.category}: ${c.message}`) ?? [];
}

export class TempRepo {
  readonly dir: string;

  constructor(prefix = 'meshctl-review-') {
    this.dir = mkdtempSync(path.join(tmpdir(), prefix));
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'review@example.com');
    this.git('config', 'user.name', 'Review Test');
    this.git('config', 'commit.gpgsign', 'false');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_DATE: '2025-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2025-01-01T00:00:00Z' } });
  }

  write(files: Record<string, string>): void {
    for (const [file, text] of Object.entries(files)) {
      const absolute = path.join(this.dir, file);
      mkdirSync(path.dirname(absolute), { recursive: true });
      writeFileSync(absolute, text);
    }
  }

  remove(...files: string[]): void {
    for (const file of files) rmSync(path.join(this.dir, file));
  }

  commit(message: string, files?: Record<string, string>): string {
    if (files) this.write(files);
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this.git('rev-parse', 'HEAD').trim();
  }

  /** What a review must never change: the status and the index file's bytes. */
  untouchedState(): { status: string; index: string } {
    const status = this.git('status', '--porcelain', '--untracked-files=all');
    const index = createHash('sha256').update(readFileSync(path.join(this.dir, '.git', 'index'))).digest('hex');
    return { status, index };
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export interface ReviewRun {
  status: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built meshctl asynchronously. Review tests run it many times; spawnSync would hold
 * the test worker's event loop for all of them, and the test runner times out talking to it.
 */
export async function runMeshctl(args: readonly string[], cwd: string): Promise<ReviewRun> {
  const bin = path.join(import.meta.dirname, '..', '..', 'bin', 'run.js');
  const run = await runProcess(process.execPath, [bin, ...args], { cwd, env: { FORCE_COLOR: undefined, NO_COLOR: '1' } });
  return { status: run.code, stdout: run.stdout, stderr: run.stderr };
}
