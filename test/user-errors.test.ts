// Errors a user can fix are one kind (UserError), reported once by the base command as
// "meshctl: error: ..." and exit 2; the commands that talk to a cluster check everything their
// flags alone decide before the mesh is read, so a typo in a flag is not hidden behind (or after)
// compiling the whole mesh.
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli, repoRoot } from './helpers/run-cli.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-user-errors-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// A mesh with an error (an unknown version): were it compiled, its diagnostics would be printed.
const invalidMesh = path.join(scratch, 'invalid.yaml');
writeFileSync(invalidMesh, 'apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: reviews, namespace: shop}\nspec:\n  ports: [{name: http, port: 9080, protocol: http}]\n  routes:\n    - to: v9\n');
const kubeconfig = path.join(scratch, 'kubeconfig');
writeFileSync(
  kubeconfig,
  'apiVersion: v1\nkind: Config\nclusters: [{name: c, cluster: {server: "https://127.0.0.1:1"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: only, context: {cluster: c, user: u}}]\ncurrent-context: only\n',
);

describe.each(['diff', 'apply'])('%s checks its cluster flags before it reads the mesh', (command) => {
  it('a bad --request-timeout', () => {
    const run = runCli([command, invalidMesh, '--kubeconfig', kubeconfig, '--request-timeout', '5x']);
    expect(run.stderr).toBe('meshctl: error: --request-timeout 5x: expected a duration such as 500ms, 10s or 1m\n');
    expect(run.status).toBe(2);
  });

  it('a kubeconfig that cannot be read', () => {
    const missing = path.join(scratch, 'no-such-kubeconfig');
    const run = runCli([command, invalidMesh, '--kubeconfig', missing]);
    expect(run.stderr).toBe(`meshctl: error: kubeconfig ${missing} does not exist\n`);
    expect(run.status).toBe(2);
  });

  it('a context the kubeconfig does not have', () => {
    const run = runCli([command, invalidMesh, '--kubeconfig', kubeconfig, '--context', 'prod']);
    expect(run.stderr).toBe(`meshctl: error: context "prod" is not in kubeconfig ${kubeconfig} (known: only)\n`);
    expect(run.status).toBe(2);
  });

  it('an --applyset that is no reference', () => {
    const run = runCli([command, invalidMesh, '--kubeconfig', kubeconfig, '--applyset', 'a/b/c/d']);
    expect(run.stderr).toMatch(/^meshctl: error: .*a\/b\/c\/d.*\n$/);
    expect(run.status).toBe(2);
  });

  it('and only then reads the mesh: with good flags, the invalid mesh is refused before the cluster is asked', () => {
    const run = runCli([command, invalidMesh, '--kubeconfig', kubeconfig]);
    expect(run.stderr).toContain('MESH201');
    expect(run.stderr).toContain('nothing was sent to the cluster');
    expect(run.status).toBe(2);
  });
});

describe('user errors', () => {
  it('are the one kind every user-facing error class extends', () => {
    const classes: string[] = [];
    const walk = (directory: string) => {
      for (const name of readdirSync(directory)) {
        const file = path.join(directory, name);
        if (statSync(file).isDirectory()) walk(file);
        else if (file.endsWith('.ts')) for (const match of readFileSync(file, 'utf8').matchAll(/class (\w+) extends Error\b/g)) classes.push(`${path.relative(repoRoot, file)}: ${match[1]}`);
      }
    };
    walk(path.join(repoRoot, 'src'));
    expect(classes).toEqual(['src/diagnostics/user-error.ts: UserError']);
  });

  it('from a library layer reach the user as one line, with where they are', () => {
    const project = mkdtempSync(path.join(scratch, 'project-'));
    writeFileSync(path.join(project, '.meshctl.yaml'), 'rules: {MESH999: off}\n');
    const run = runCli(['validate', '.'], { cwd: project });
    expect(run.stderr).toBe(`meshctl: error: .meshctl.yaml: unknown rule "MESH999": run "meshctl rules" for the list\n`);
    expect(run.status).toBe(2);
  });
});
