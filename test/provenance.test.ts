// Where a file name comes from: relative to the root of the git repository holding the mesh (or,
// outside git, to the mesh path given), never to the current directory and never absolute. The same
// mesh gives byte-identical output — meshctl.dev/source on every compiled object, diagnostics in
// every format, the graph, the review — from the repository root, from a subdirectory and from `/`.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from './helpers/run-cli.js';

const REVIEWS = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
  versions:
    v1: {labels: {version: v1}}
    v2: {labels: {version: v2}}
  canary: {stable: v1, canary: v2, weight: 10, steps: [10, 50, 100]}
`;
// A finding in every format: a service version nobody routes to is not the point, a typo'd kind is.
const TYPO = `apiVersion: meshctl.dev/v1alpha1
kind: Servise
metadata: {name: ratings, namespace: shop}
spec:
  ports: [{name: http, port: 9080, protocol: http}]
`;

let scratch = '';
let repo = '';
let outside = '';

const git = (...args: string[]) =>
  execFileSync('git', ['-c', 'user.name=t', '-c', 'user.email=t@example.com', '-c', 'commit.gpgsign=false', ...args], { cwd: repo, stdio: 'pipe' });

beforeAll(() => {
  scratch = realpathSync(mkdtempSync(path.join(tmpdir(), 'meshctl-provenance-')));
  repo = path.join(scratch, 'repo');
  mkdirSync(path.join(repo, 'deploy', 'mesh'), { recursive: true });
  writeFileSync(path.join(repo, 'deploy', 'mesh', 'reviews.yaml'), REVIEWS);
  git('init', '-q', '-b', 'main');
  git('add', '.');
  git('commit', '-q', '-m', 'mesh');
  writeFileSync(path.join(repo, 'deploy', 'mesh', 'reviews.yaml'), REVIEWS.replace('weight: 10', 'weight: 50'));
  writeFileSync(path.join(repo, 'deploy', 'mesh', 'ratings.yaml'), TYPO);
  outside = path.join(scratch, 'plain', 'mesh');
  mkdirSync(outside, { recursive: true });
  writeFileSync(path.join(outside, 'reviews.yaml'), REVIEWS);
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** The same command from several directories, each with the mesh path as seen from there. */
function fromEverywhere(args: (mesh: string) => string[], places: { cwd: string; mesh: string }[]): CliRun[] {
  return places.map(({ cwd, mesh }) => runCli(args(mesh), { cwd }));
}

function expectIdentical(runs: CliRun[], machinePath: string): void {
  const [first, ...rest] = runs;
  for (const run of rest) {
    expect(run.stdout).toBe(first!.stdout);
    expect(run.stderr).toBe(first!.stderr);
    expect(run.status).toBe(first!.status);
  }
  expect(first!.stdout + first!.stderr).not.toContain(machinePath);
  expect(first!.stdout.length).toBeGreaterThan(0);
}

describe('file names inside a git repository', () => {
  const places = () => [
    { cwd: repo, mesh: 'deploy/mesh' },
    { cwd: path.join(repo, 'deploy'), mesh: 'mesh' },
    { cwd: path.join(repo, 'deploy', 'mesh'), mesh: '.' },
    { cwd: '/', mesh: path.join(repo, 'deploy', 'mesh') },
  ];

  it('compile: meshctl.dev/source is relative to the repository root, from anywhere', () => {
    writeFileSync(path.join(repo, 'deploy', 'mesh', 'ratings.yaml'), TYPO.replace('Servise', 'Service'));
    try {
      const runs = fromEverywhere((mesh) => ['compile', mesh], places());
      expectIdentical(runs, scratch);
      expect(runs[0]!.status).toBe(0);
      const sources = runs[0]!.stdout.match(/meshctl\.dev\/source: .*/g) ?? [];
      // Both files compile to objects, and every object names its file from the repository root.
      expect(sources.some((source) => source.includes('deploy/mesh/reviews.yaml:'))).toBe(true);
      expect(sources.some((source) => source.includes('deploy/mesh/ratings.yaml:'))).toBe(true);
      for (const source of sources) expect(source).toMatch(/^meshctl\.dev\/source: deploy\/mesh\/(reviews|ratings)\.yaml:\d+$/);
    } finally {
      writeFileSync(path.join(repo, 'deploy', 'mesh', 'ratings.yaml'), TYPO);
    }
  });

  it.each(['stylish', 'json', 'sarif', 'github'])('validate -o %s names the file the same way from anywhere', (format) => {
    const runs = fromEverywhere((mesh) => ['validate', mesh, '-o', format], places());
    expectIdentical(runs, scratch);
    expect(runs[0]!.status).toBe(1);
    expect(runs[0]!.stdout).toContain('deploy/mesh/ratings.yaml');
  });

  it('graph names no file differently from anywhere', () => {
    writeFileSync(path.join(repo, 'deploy', 'mesh', 'ratings.yaml'), TYPO.replace('Servise', 'Service'));
    try {
      expectIdentical(fromEverywhere((mesh) => ['graph', mesh, '-o', 'json'], places()), scratch);
    } finally {
      writeFileSync(path.join(repo, 'deploy', 'mesh', 'ratings.yaml'), TYPO);
    }
  });

  it.each(['stylish', 'json', 'markdown'])('review -o %s is the same from the root and from a subdirectory', (format) => {
    const inside = places().slice(0, 3);
    const runs = fromEverywhere((mesh) => ['review', '--base', 'HEAD', mesh, '-o', format], inside);
    expectIdentical(runs, scratch);
    expect(runs[0]!.stdout).toContain('deploy/mesh/ratings.yaml');
  });
});

describe('file names outside git', () => {
  it('are relative to the mesh path given, from anywhere', () => {
    const places = [
      { cwd: outside, mesh: '.' },
      { cwd: path.dirname(outside), mesh: 'mesh' },
      { cwd: '/', mesh: outside },
    ];
    const runs = fromEverywhere((mesh) => ['compile', mesh], places);
    expectIdentical(runs, scratch);
    expect(runs[0]!.stdout.match(/meshctl\.dev\/source: .*/g)?.every((line) => /^meshctl\.dev\/source: reviews\.yaml:\d+$/.test(line))).toBe(true);
    // A file given by name: relative to its directory.
    const file = fromEverywhere((mesh) => ['compile', mesh], [
      { cwd: '/', mesh: path.join(outside, 'reviews.yaml') },
      { cwd: outside, mesh: 'reviews.yaml' },
    ]);
    expectIdentical(file, scratch);
    expect(file[0]!.stdout).toBe(runs[0]!.stdout);
  });
});
