// `meshctl graph` as a user runs it: formats, -o, and the validation gate.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, STACK_TRACE } from '../helpers/run-cli.js';
import { parseDot } from './dot-parser.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-graph-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('meshctl graph', () => {
  it('prints the example mesh as Mermaid by default, the same bytes every run', () => {
    const first = runCli(['graph', 'examples/mesh']);
    // Warnings, if the example has any, go to stderr; stdout carries only the graph.
    expect(first.stderr).not.toMatch(/\d+:\d+\s+error\s/);
    expect(first.status).toBe(0);
    expect(first.stdout.startsWith('flowchart LR\n')).toBe(true);
    expect(first.stdout).toContain('subgraph ns_storefront["storefront"]');
    expect(runCli(['graph', 'examples/mesh']).stdout).toBe(first.stdout);
  });

  it('writes DOT and JSON, to a file with -o', () => {
    const dot = runCli(['graph', 'examples/mesh', '-o', 'dot']);
    expect(dot.status).toBe(0);
    expect(parseDot(dot.stdout).nodes.has('service:storefront/reviews')).toBe(true);
    const file = path.join(scratch, 'graph.json');
    const json = runCli(['graph', 'examples/mesh', '-o', 'json', '--output-file', file]);
    expect(json.status).toBe(0);
    expect(json.stdout).toBe('');
    expect(JSON.parse(readFileSync(file, 'utf8')).apiVersion).toBe('meshctl.dev/graph/v1');
  });

  it('refuses a mesh with errors with its diagnostics on stderr, exit 1, and writes nothing', () => {
    const mesh = path.join(scratch, 'broken.yaml');
    writeFileSync(
      mesh,
      'apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: a}\nspec:\n  ports: [{port: 80, protocol: http}]\n  dependsOn: [nowhere]\n',
    );
    const out = path.join(scratch, 'never.mmd');
    const run = runCli(['graph', mesh, '--output-file', out]);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/6:\d+\s+error\s+.*nowhere.*MESH\d{3}/);
    expect(run.stderr).not.toMatch(STACK_TRACE);
    expect(existsSync(out)).toBe(false);
  });

  it('exits 2 with one line for a missing path or an unknown format', () => {
    const missing = runCli(['graph', path.join(scratch, 'no-such-dir')]);
    expect(missing.status).toBe(2);
    const format = runCli(['graph', 'examples/mesh', '-o', 'svg']);
    expect(format.status).toBe(2);
    expect(format.stderr).toMatch(/svg/);
    expect(format.stderr).not.toMatch(STACK_TRACE);
  });
});

describe('README', () => {
  it('shows the graph meshctl really draws for its reviews service and a productpage that calls it', () => {
    const readme = readFileSync(path.join(import.meta.dirname, '..', '..', 'README.md'), 'utf8');
    const section = readme.slice(readme.indexOf('## Pictures of the mesh'));
    const shown = /```mermaid\n([\s\S]*?)```/.exec(section)![1]!;
    const service = /```yaml\n([\s\S]*?)```/.exec(readme)![1]!;
    const dir = path.join(scratch, 'readme');
    mkdirSync(dir);
    writeFileSync(path.join(dir, 'reviews.yaml'), service);
    writeFileSync(
      path.join(dir, 'productpage.yaml'),
      'apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: productpage, namespace: storefront}\nspec:\n  ports: [{port: 9080, protocol: http}]\n  dependsOn: [reviews]\n',
    );
    const run = runCli(['graph', dir]);
    expect(run.status).toBe(0);
    expect(run.stdout).toBe(shown);
  });
});
