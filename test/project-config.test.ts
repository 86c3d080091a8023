// .meshctl.yaml, found upward from the mesh and read by every command; directory searches that skip
// meshctl's own output and other tools' YAML; inline suppressions with a reason.
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { globToRegExp, parseProjectConfig, ProjectConfigError } from '../src/loader/project-config.js';
import { TARGETS } from '../src/index.js';
import { parseStylish, repoRoot, runCli } from './helpers/run-cli.js';
import { validateText } from './helpers/validate-text.js';

let project: string;
const meshctl = (args: string[], cwd = project) => runCli(args, { cwd });
const found = (output: string) => parseStylish(output).map((d) => `${d.file}:${d.line} ${d.level} ${d.code}`);
// A route shadowed by the one before it (MESH301, an error) and an access rule naming a namespace
// the mesh does not know (MESH503, a warning).
const SHADOWED = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: reviews, namespace: shop}
spec:
  ports: [{port: 9080, protocol: http}]
  versions:
    v1: {labels: {version: v1}}
    v2: {labels: {version: v2}}
  routes:
    - match: {path: /api}
      to: v1
    - match: {path: /api/v2}
      to: v2
`;

beforeAll(() => {
  project = mkdtempSync(path.join(tmpdir(), 'meshctl-project-'));
  cpSync(path.join(repoRoot, 'examples', 'mesh'), path.join(project, 'mesh'), { recursive: true });
});
afterAll(() => {
  rmSync(project, { recursive: true, force: true });
});

describe('a directory search skips what is not a mesh', () => {
  it('compile output, kustomization.yaml and docker-compose.yml are notes, not errors', () => {
    const compiled = meshctl(['compile', 'mesh', '--out-dir', 'mesh/out']);
    expect(compiled.status, compiled.stderr).toBe(0);
    writeFileSync(path.join(project, 'mesh', 'docker-compose.yml'), 'services:\n  web: {image: nginx}\n');
    writeFileSync(path.join(project, 'mesh', 'kustomization.yaml'), 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: []\n');
    const run = meshctl(['validate', 'mesh']);
    expect(run.status, run.stdout).toBe(0);
    expect(found(run.stdout)).toEqual(['docker-compose.yml:1 info MESH016', 'kustomization.yaml:1 info MESH016', 'out:1 info MESH016']);
    // Named on the command line, a file is checked whatever its name.
    expect(meshctl(['validate', 'mesh/kustomization.yaml']).stdout).toContain('MESH011');
  });

  it('a file named like another tool\'s that holds a meshctl document is validated', () => {
    writeFileSync(path.join(project, 'mesh', 'values.yaml'), SHADOWED.replace('name: reviews', 'name: reviews-copy'));
    const run = meshctl(['validate', 'mesh']);
    expect(found(run.stdout)).toContain('values.yaml:12 error MESH301');
    rmSync(path.join(project, 'mesh', 'values.yaml'));
  });
});

describe('.meshctl.yaml', () => {
  it('is found upward and gives every command its rule levels, ignores, paths and target', () => {
    // The file's target is envoy, whose sidecar must not bind the application's port (MESH234).
    writeFileSync(path.join(project, 'mesh', 'shadowed.yaml'), SHADOWED.replace('name: reviews', 'name: reviews-shadowed').replace('{port: 9080,', '{port: 9080, targetPort: 19080,'));
    mkdirSync(path.join(project, 'mesh', 'legacy'));
    writeFileSync(path.join(project, 'mesh', 'legacy', 'old.yaml'), 'kind: [\n');
    writeFileSync(path.join(project, '.meshctl.yaml'), 'rules:\n  MESH301: warning\n  skipped-path: off\nignore: ["mesh/legacy/"]\npaths: [mesh]\ntarget: envoy\n');
    const nested = path.join(project, 'mesh');

    const validated = meshctl(['validate'], nested);
    expect(validated.status, validated.stdout).toBe(0);
    expect(found(validated.stdout)).toContain('shadowed.yaml:12 warning MESH301');
    expect(validated.stdout).not.toMatch(/legacy|MESH016| error /);
    // A --rule flag wins over the file.
    expect(meshctl(['validate', '--rule', 'MESH301=off'], nested).stdout).not.toContain('MESH301');

    const compiled = meshctl(['compile']);
    expect(compiled.status, compiled.stderr).toBe(0);
    expect(compiled.stdout).toContain('static_resources'); // the Envoy target, from the file
    expect(compiled.stderr).toContain('MESH301');
    expect(meshctl(['compile', '--target', 'istio']).stdout).toContain('kind: VirtualService');

    const graph = meshctl(['graph', 'mesh']);
    expect(graph.status, graph.stderr).toBe(0); // MESH301 is a warning here too, and legacy/ is ignored
    rmSync(path.join(project, 'mesh', 'shadowed.yaml'));
  });

  it('a mistake in it is one error that names the file, before any mesh file is read', () => {
    writeFileSync(path.join(project, '.meshctl.yaml'), 'rules: {MESH301: loud}\n');
    const run = meshctl(['validate', 'mesh']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^meshctl: error: \.meshctl\.yaml:1:\d+: rules\.MESH301: /);
    expect(run.stdout).toBe('');
    rmSync(path.join(project, '.meshctl.yaml'));
  });

  it('an unknown key is an error at its line and column, with the key it was likely meant to be', () => {
    writeFileSync(path.join(project, '.meshctl.yaml'), 'paths: [mesh]\ntraget: envoy\n');
    const run = meshctl(['validate', 'mesh']);
    expect(run.status).toBe(2);
    expect(run.stderr).toBe('meshctl: error: .meshctl.yaml:2:1: unknown key "traget"; did you mean "target"? (expected rules, ignore, paths, target)\n');
    expect(run.stdout).toBe('');
    rmSync(path.join(project, '.meshctl.yaml'));
  });

  it('parses and checks every key', () => {
    const parse = (text: string) => parseProjectConfig(text, path.join(project, '.meshctl.yaml'), project, TARGETS);
    expect(() => parse('rulez: {}\n')).toThrow(new ProjectConfigError('.meshctl.yaml:1:1: unknown key "rulez"; did you mean "rules"? (expected rules, ignore, paths, target)'));
    expect(() => parse('# project settings\npaths: [mesh]\n  # ignored files\nignores: [drafts]\n')).toThrow(
      new ProjectConfigError('.meshctl.yaml:4:1: unknown key "ignores"; did you mean "ignore"? (expected rules, ignore, paths, target)'),
    );
    expect(() => parse('{paths: [mesh], colour: true}\n')).toThrow(new ProjectConfigError('.meshctl.yaml:1:17: unknown key "colour" (expected rules, ignore, paths, target)'));
    expect(() => parse('target: gloo\n')).toThrow(/^\.meshctl\.yaml:1:9: target: /);
    expect(() => parse('rules: [\n')).toThrow(ProjectConfigError);
    const config = parse('rules: {MESH301: warn}\npaths: [mesh, other/]\nignore: ["*.draft.yaml", "mesh/generated/**"]\n');
    expect(config.rules).toEqual({ MESH301: 'warning' });
    expect(config.paths).toEqual(['mesh', 'other']);
    expect(config.ignores(path.join(project, 'mesh', 'a', 'b.draft.yaml'))).toEqual({ pattern: '*.draft.yaml', config: '.meshctl.yaml' });
    expect(config.ignores(path.join(project, 'mesh', 'generated', 'x', 'y.yaml'))?.pattern).toBe('mesh/generated/**');
    expect(config.ignores(path.join(project, 'mesh', 'reviews.yaml'))).toBeUndefined();
  });

  it('globs: * stays in a segment, ** crosses them, a name without / matches at any depth', () => {
    expect(globToRegExp('mesh/*.yaml').test('mesh/a.yaml')).toBe(true);
    expect(globToRegExp('mesh/*.yaml').test('mesh/x/a.yaml')).toBe(false);
    expect(globToRegExp('mesh/**/a.yaml').test('mesh/x/y/a.yaml')).toBe(true);
    expect(globToRegExp('mesh/**/a.yaml').test('mesh/a.yaml')).toBe(true);
    expect(globToRegExp('drafts').test('mesh/drafts/a.yaml')).toBe(true);
    expect(globToRegExp('a?.yaml').test('ab.yaml')).toBe(true);
  });
});

describe('inline suppressions', () => {
  const suppressed = (comment: string) => SHADOWED.replace('    - match: {path: /api/v2}', `    ${comment}\n    - match: {path: /api/v2}`);
  const codes = (text: string) => validateText(text).diagnostics.map((d) => `${d.span.line} ${d.code} ${d.messageId}`);

  it('with a reason, suppress the named finding on the next line', () => {
    expect(codes(SHADOWED)).toEqual(['12 MESH301 covered']);
    expect(codes(suppressed('# meshctl-disable-next-line MESH301 -- served by v1 until the rollout'))).toEqual([]);
    expect(codes(suppressed('# meshctl-disable-next-line shadowed-route, MESH300 -- by rule name'))).toEqual([]);
  });

  it('without a reason suppress nothing, and say so', () => {
    expect(codes(suppressed('# meshctl-disable-next-line MESH301'))).toEqual(['12 MESH017 noReason', '13 MESH301 covered']);
  });

  it('are reported when unused, unknown or not allowed', () => {
    expect(codes(suppressed('# meshctl-disable-next-line MESH300 -- stale'))).toEqual(['12 MESH017 unused', '13 MESH301 covered']);
    expect(codes(suppressed('# meshctl-disable-next-line MESH999 -- typo'))).toEqual(['12 MESH017 unknownRule', '13 MESH301 covered']);
    expect(codes(suppressed('# meshctl-disable-next-line MESH012 -- cannot be'))).toEqual(['12 MESH017 fatal', '13 MESH301 covered']);
  });
});
