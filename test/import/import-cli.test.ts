// `meshctl import` as a person runs it: files, directories and standard input in; mesh files that
// `meshctl validate` accepts out, written all at once; findings at their file:line:col; bad input
// refused with nothing written. Needs `npm run build` (the CLI runs from dist/).
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

let work: string;
beforeEach(() => {
  work = mkdtempSync(path.join(tmpdir(), 'meshctl-import-'));
});
afterEach(() => rmSync(work, { recursive: true, force: true }));

const ISTIO = `apiVersion: v1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  selector: {app: reviews}
  ports: [{name: http, port: 9080}]
---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: reviews, namespace: shop}
spec:
  host: reviews
  subsets:
    - {name: v1, labels: {version: v1}}
    - {name: v2, labels: {version: v2}}
---
apiVersion: networking.istio.io/v1
kind: VirtualService
metadata: {name: reviews, namespace: shop}
spec:
  hosts: [reviews]
  http:
    - match:
        - headers: {end-user: {exact: jason}}
      route:
        - destination: {host: reviews, subset: v2}
    - route:
        - destination: {host: reviews, subset: v1}
          weight: 80
        - destination: {host: reviews, subset: v2}
          weight: 20
      retries: {attempts: 3, perTryTimeout: 2s, retryOn: "5xx,reset"}
`;

function listFiles(directory: string): string[] {
  return (readdirSync(directory, { recursive: true, encoding: 'utf8' }) as string[]).map((f) => f.split(path.sep).join('/')).sort();
}

describe('meshctl import', () => {
  it('writes mesh files that validate, and a report with the share imported whole', () => {
    writeFileSync(path.join(work, 'istio.yaml'), ISTIO);
    const run = runCli(['import', 'istio.yaml', '--out-dir', 'mesh'], { cwd: work });
    expect(run.stderr).toContain('imported 3 of 3 objects whole (100%)');
    expect(run.status).toBe(0);
    const text = readFileSync(path.join(work, 'mesh', 'shop', 'reviews.yaml'), 'utf8');
    expect(text).toContain('canary:\n    stable: v1\n    canary: v2\n    weight: 20');
    expect(text).toContain('end-user: jason');
    const validate = runCli(['validate', 'mesh'], { cwd: work });
    expect(validate.stderr + validate.stdout).not.toMatch(/\d+:\d+ +error/);
    expect(validate.status).toBe(0);
  });

  it('gives byte-identical output from any working directory, and reads standard input', () => {
    writeFileSync(path.join(work, 'istio.yaml'), ISTIO);
    const here = runCli(['import', 'istio.yaml'], { cwd: work });
    mkdirSync(path.join(work, 'elsewhere'));
    const there = runCli(['import', '../istio.yaml'], { cwd: path.join(work, 'elsewhere') });
    const piped = runCli(['import', '-'], { cwd: work, input: ISTIO });
    expect(here.status).toBe(0);
    expect(here.stdout).toContain('kind: Service');
    expect(there.stdout).toBe(here.stdout);
    expect(piped.stdout).toBe(here.stdout);
  });

  it('reports what it cannot carry at file:line:col, with its code', () => {
    writeFileSync(path.join(work, 'istio.yaml'), `${ISTIO}---
apiVersion: networking.istio.io/v1
kind: DestinationRule
metadata: {name: ratings, namespace: shop}
spec:
  host: ratings
`);
    const run = runCli(['import', 'istio.yaml', '--out-dir', 'mesh'], { cwd: work });
    expect(run.status).toBe(0);
    const line = readFileSync(path.join(work, 'istio.yaml'), 'utf8').split('\n').indexOf('  host: ratings') + 1;
    expect(run.stderr).toMatch(new RegExp(`^istio\\.yaml:${line}:9`, 'm'));
    expect(run.stderr).toMatch(/^istio\.yaml:\d+:9 {2}warning {2}DestinationRule shop\/ratings: host "ratings" is no Kubernetes Service or ServiceEntry of the input \(import it too\); left out: the DestinationRule {2}IMP004$/m);
    expect(run.stderr).toContain('imported 3 of 4 objects whole (75%)');
  });

  it('refuses a document that is no Kubernetes object, and writes nothing', () => {
    writeFileSync(path.join(work, 'istio.yaml'), `${ISTIO}---\napiVersion: networking.istio.io/v1\nkind: VirtualService\nspec: {hosts: [x]}\n`);
    const run = runCli(['import', 'istio.yaml', '--out-dir', 'mesh'], { cwd: work });
    expect(run.status).toBe(1);
    const line = readFileSync(path.join(work, 'istio.yaml'), 'utf8').split('\n').lastIndexOf('apiVersion: networking.istio.io/v1') + 1;
    expect(run.stderr).toMatch(new RegExp(`^istio\\.yaml:${line}:1 `, 'm'));
    expect(run.stderr).toMatch(/^istio\.yaml:\d+:1 {2}error {2}not a Kubernetes object: apiVersion, kind and metadata.name are required {2}IMP002$/m);
    expect(run.stderr).toContain('nothing was written');
    expect(existsSync(path.join(work, 'mesh'))).toBe(false);
  });

  it('refuses YAML it cannot parse, at its place, without a stack trace', () => {
    writeFileSync(path.join(work, 'broken.yaml'), 'apiVersion: v1\nkind: Service\nmetadata: {name: x\n');
    const run = runCli(['import', 'broken.yaml', '--out-dir', 'mesh'], { cwd: work });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^broken\.yaml:\d+:\d+ {2}error .*IMP002$/m);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(path.join(work, 'mesh'))).toBe(false);
  });

  it('never writes into a directory it did not write, and replaces its own', () => {
    writeFileSync(path.join(work, 'istio.yaml'), ISTIO);
    mkdirSync(path.join(work, 'mesh'));
    writeFileSync(path.join(work, 'mesh', 'mine.yaml'), 'kept\n');
    const refused = runCli(['import', 'istio.yaml', '--out-dir', 'mesh'], { cwd: work });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('meshctl: error: mesh is not empty and was not written by "meshctl import"');
    expect(readFileSync(path.join(work, 'mesh', 'mine.yaml'), 'utf8')).toBe('kept\n');
    expect(runCli(['import', 'istio.yaml', '--out-dir', 'fresh'], { cwd: work }).status).toBe(0);
    const again = runCli(['import', 'istio.yaml', '--out-dir', 'fresh'], { cwd: work });
    expect(again.status).toBe(0);
    expect(listFiles(path.join(work, 'fresh'))).toContain('shop/reviews.yaml');
  });

  it('prints the report as JSON with -o json, next to the files it writes', () => {
    writeFileSync(path.join(work, 'istio.yaml'), ISTIO);
    const run = runCli(['import', 'istio.yaml', '--out-dir', 'mesh', '-o', 'json'], { cwd: work });
    expect(run.status).toBe(0);
    const report = JSON.parse(run.stdout) as { summary: { objects: number; whole: number; wholeShare: number }; files: string[]; findings: unknown[] };
    expect(report.summary).toMatchObject({ objects: 3, whole: 3, wholeShare: 100 });
    expect(report.files).toEqual(['shop/reviews.yaml']);
    expect(report.findings).toEqual([]);
    const refused = runCli(['import', 'istio.yaml', '-o', 'json'], { cwd: work });
    expect(refused.status).toBe(2);
    expect(refused.stderr).toContain('add --out-dir DIR');
  });

  it('fails in one line for a path that does not exist', () => {
    const run = runCli(['import', 'missing.yaml'], { cwd: work });
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('meshctl: error: missing.yaml: no such file or directory\n');
  });
});
