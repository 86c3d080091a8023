// `meshctl compile` as users run it: refusal of invalid meshes, output forms, the all-or-nothing
// output directory, and the contract every emitted object keeps.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { parseAllDocuments } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';

const repo = path.join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-compile-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function meshctl(args: string[], input?: string) {
  return spawnSync(process.execPath, [path.join(repo, 'bin', 'run.js'), ...args], { cwd: repo, encoding: 'utf8', input, env: { ...process.env, NO_COLOR: '1' } });
}

const INVALID = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
  routes:
    - to: v9
`;

describe('a mesh with errors', () => {
  it('is refused with the diagnostics on stderr, exit 1, and nothing on stdout', () => {
    const run = meshctl(['compile', '-'], INVALID);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/<stdin>\n\s+7:\d+\s+error\s+.*MESH201/);
  });

  it('writes no output directory', () => {
    const out = path.join(scratch, 'refused');
    const run = meshctl(['compile', '-', '--out-dir', out], INVALID);
    expect(run.status).toBe(1);
    expect(existsSync(out)).toBe(false);
  });
});

describe('standard output', () => {
  const yaml = meshctl(['compile', 'examples/mesh']);
  const objects = parseAllDocuments(yaml.stdout).map((d) => d.toJS() as { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels: Record<string, string>; annotations: Record<string, string> } });

  it('is a YAML stream of objects, each labelled as meshctl-managed and naming its source file and line', () => {
    expect(yaml.status).toBe(0);
    expect(objects.length).toBeGreaterThan(10);
    for (const object of objects) {
      expect(Object.keys(object).slice(0, 3)).toEqual(['apiVersion', 'kind', 'metadata']);
      expect(object.metadata.labels['app.kubernetes.io/managed-by']).toBe('meshctl');
      expect(object.metadata.annotations['meshctl.dev/source']).toMatch(/^examples\/mesh\/[a-z-]+\.yaml:\d+$/);
      expect(object.metadata.name.length).toBeLessThanOrEqual(63);
    }
  });

  it('is sorted by kind, namespace and name (namespaces first) and never names one object twice', () => {
    const keys = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(new Set(keys).size).toBe(keys.length);
    const firstNonNamespace = objects.findIndex((o) => o.kind !== 'Namespace');
    expect(objects.slice(firstNonNamespace).some((o) => o.kind === 'Namespace')).toBe(false);
  });

  it('-o json gives a List of the same objects', () => {
    const json = meshctl(['compile', 'examples/mesh', '-o', 'json']);
    expect(json.status).toBe(0);
    const list = JSON.parse(json.stdout) as { kind: string; items: unknown[] };
    expect(list.kind).toBe('List');
    expect(list.items).toEqual(objects);
  });
});

describe('--out-dir DIR', () => {
  it('writes one file per object and a kustomization listing them', () => {
    const out = path.join(scratch, 'out');
    const run = meshctl(['compile', 'examples/mesh', '--out-dir', out]);
    expect(run.status).toBe(0);
    const files = readdirSync(out).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
    const kustomization = parseAllDocuments(readFileSync(path.join(out, 'kustomization.yaml'), 'utf8'))[0]!.toJS() as { resources: string[] };
    expect(kustomization.resources).toEqual(files);
    expect(run.stderr).toContain(`(${files.length} objects)`);
  });

  it('replaces its own earlier output, dropping files of objects that are gone', () => {
    const out = path.join(scratch, 'replace');
    expect(meshctl(['compile', 'examples/mesh', '--out-dir', out]).status).toBe(0);
    writeFileSync(path.join(out, 'stale_virtualservice_old.yaml'), 'stale\n');
    expect(meshctl(['compile', 'examples/mesh', '--out-dir', out]).status).toBe(0);
    expect(existsSync(path.join(out, 'stale_virtualservice_old.yaml'))).toBe(false);
  });

  it('refuses a non-empty directory meshctl did not write, and leaves it untouched', () => {
    const out = path.join(scratch, 'foreign');
    mkdirSync(out);
    writeFileSync(path.join(out, 'notes.txt'), 'mine\n');
    const run = meshctl(['compile', 'examples/mesh', '--out-dir', out]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('not written by meshctl');
    expect(readdirSync(out)).toEqual(['notes.txt']);
  });
});
