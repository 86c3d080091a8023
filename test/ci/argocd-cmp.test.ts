// The Argo CD Config Management Plugin in examples/ci/argocd, run as Argo CD's CMP server runs
// it: `command` + `args` without a shell of its own, in the application's source directory, with
// the ARGOCD_APP_*, KUBE_* and ARGOCD_ENV_* variables. Its stdout must be manifests and nothing
// else, each accepted by Istio's CRDs; its exit code must say when the mesh is broken.
import { cpSync, existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { repoRoot, runCli } from '../helpers/run-cli.js';
import { crdProblems } from '../support/istio-crds.js';
import { baseEnvironment, pathWithMeshctl, run } from './ci-support.js';
import { createRepository, git, scratchDirectory, writeFiles } from './git-fixture.js';

interface PluginCommand {
  command: string[];
  args?: string[];
}

const PLUGIN_DIR = path.join(repoRoot, 'examples', 'ci', 'argocd');
const plugin = parse(readFileSync(path.join(PLUGIN_DIR, 'plugin.yaml'), 'utf8')) as {
  apiVersion: string;
  kind: string;
  metadata: { name: string };
  spec: { version: string; init: PluginCommand; generate: PluginCommand; discover: { find: PluginCommand }; parameters: { static: { name: string }[] } };
};

const scratch = scratchDirectory('meshctl-argocd-');
afterAll(() => scratch.cleanup());
let repo: string;
let revision: string;
let meshctlPath: string;

beforeAll(() => {
  meshctlPath = pathWithMeshctl(scratch.dir);
  // A fleet repository: the bookstore application at apps/bookstore, its mesh in mesh/.
  repo = path.join(scratch.dir, 'fleet');
  createRepository(repo, { 'README.md': 'fleet\n', 'apps/other/deployment.yaml': 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n' });
  cpSync(path.join(repoRoot, 'examples', 'mesh'), path.join(repo, 'apps', 'bookstore', 'mesh'), { recursive: true });
  revision = git(repo, 'rev-parse', 'HEAD').trim();
});

/** Runs one of the plugin's commands as the CMP server does for an application at `sourcePath`. */
function runPluginCommand(which: PluginCommand, sourcePath: string, parameters: Record<string, string> = {}) {
  const env: Record<string, string> = {
    ...baseEnvironment(meshctlPath, path.join(scratch.dir, 'home')),
    ARGOCD_APP_NAME: 'bookstore-mesh',
    ARGOCD_APP_NAMESPACE: 'argocd',
    ARGOCD_APP_SOURCE_PATH: sourcePath,
    ARGOCD_APP_SOURCE_REPO_URL: 'https://git.example.com/platform/fleet.git',
    ARGOCD_APP_SOURCE_TARGET_REVISION: 'main',
    ARGOCD_APP_REVISION: revision,
    ARGOCD_APP_REVISION_SHORT: revision.slice(0, 7),
    KUBE_VERSION: '1.31.0',
    KUBE_API_VERSIONS: 'v1,apps/v1,networking.istio.io/v1,networking.istio.io/v1beta1,security.istio.io/v1,telemetry.istio.io/v1,networking.istio.io/v1alpha3',
    ...Object.fromEntries(Object.entries(parameters).map(([name, value]) => [`ARGOCD_ENV_${name}`, value])),
  };
  const [command, ...commandArgs] = which.command;
  return run(command!, [...commandArgs, ...(which.args ?? [])], { cwd: path.join(repo, sourcePath), env });
}

/** The stdout contract: a YAML stream of Kubernetes objects and nothing else. */
function manifests(stdout: string): KubernetesObject[] {
  const documents = parseAllDocuments(stdout);
  const objects: KubernetesObject[] = [];
  for (const document of documents) {
    expect(document.errors.map((e) => e.message)).toEqual([]);
    const object = document.toJS() as KubernetesObject;
    expect(typeof object.apiVersion, JSON.stringify(object)).toBe('string');
    expect(typeof object.kind).toBe('string');
    expect(typeof object.metadata?.name).toBe('string');
    objects.push(object);
  }
  return objects;
}

describe('examples/ci/argocd/plugin.yaml', () => {
  it('is a sidecar ConfigManagementPlugin that runs meshctl as the image built from this repository installs it', () => {
    expect(plugin.apiVersion).toBe('argoproj.io/v1alpha1');
    expect(plugin.kind).toBe('ConfigManagementPlugin');
    expect(`${plugin.metadata.name}-${plugin.spec.version}`).toBe('meshctl-v1');
    expect(plugin.spec.generate.args!.join('\n')).toMatch(/\bexec meshctl compile\b/);
    // The image is built from this repository: meshctl packed and installed by scripts/install.sh
    // (run for real by test/standalone.test.ts), on PATH in the final image, which runs as user 999.
    const dockerfile = readFileSync(path.join(PLUGIN_DIR, 'Dockerfile'), 'utf8');
    const instructions = dockerfile.split('\n').filter((line) => line.trim() !== '' && !line.startsWith('#'));
    expect(instructions).toEqual([
      'FROM node:20-bookworm-slim AS build',
      'WORKDIR /src',
      'COPY . .',
      'RUN scripts/install.sh --prefix /opt/meshctl',
      'FROM node:20-bookworm-slim',
      'COPY --from=build /opt/meshctl /opt/meshctl',
      'ENV PATH=/opt/meshctl/bin:$PATH',
      'USER 999',
    ]);
    expect(dockerfile).toContain('docker build -f examples/ci/argocd/Dockerfile');
    expect(existsSync(path.join(repoRoot, 'scripts', 'install.sh'))).toBe(true);
    // The build context is the repository: nothing this checkout installed or built goes in.
    const ignored = readFileSync(path.join(repoRoot, '.dockerignore'), 'utf8').split('\n');
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', 'dist', '.cache', 'oclif.manifest.json']));
    const application = parse(readFileSync(path.join(PLUGIN_DIR, 'application.yaml'), 'utf8'));
    expect(application.spec.source.plugin.name).toBe('meshctl-v1');
    expect(application.spec.source.plugin.env.map((e: { name: string }) => e.name)).toEqual(['MESH_PATH']);
    expect(plugin.spec.parameters.static.map((p) => p.name)).toEqual(['MESH_PATH', 'RULES']);
  });

  it('discovers applications that hold mesh files, and only those', async () => {
    const mesh = await runPluginCommand(plugin.spec.discover.find, 'apps/bookstore');
    expect(mesh.status).toBe(0);
    expect(mesh.stdout.trim()).toMatch(/^\.\/mesh\/\S+\.yaml$/);
    const other = await runPluginCommand(plugin.spec.discover.find, 'apps/other');
    expect(other.status).toBe(0);
    expect(other.stdout).toBe('');
  });

  it('generates exactly what meshctl compile does: valid manifests on stdout, accepted by Istio\'s CRDs', async () => {
    const init = await runPluginCommand(plugin.spec.init, 'apps/bookstore', { MESH_PATH: 'mesh' });
    expect(init.status).toBe(0);
    expect(init.stdout).toBe('');

    const generated = await runPluginCommand(plugin.spec.generate, 'apps/bookstore', { MESH_PATH: 'mesh' });
    // stderr is for logs (warnings, if the mesh has any); only stdout is read by Argo CD.
    expect(generated.stderr).not.toMatch(/\d+:\d+\s+error\s/);
    expect(generated.status).toBe(0);
    const objects = manifests(generated.stdout);
    expect(objects.length).toBeGreaterThan(20);
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['VirtualService', 'DestinationRule', 'AuthorizationPolicy', 'Gateway', 'Namespace']));
    expect(crdProblems(objects)).toEqual([]);
    // Source annotations name files as the repository does, from its root.
    expect(objects.find((o) => o.kind === 'VirtualService')!.metadata.annotations!['meshctl.dev/source']).toMatch(/^apps\/bookstore\/mesh\/\w+\.yaml:\d+$/);
    expect(generated.stdout).toBe(runCli(['compile', 'apps/bookstore/mesh', '--target', 'istio'], { cwd: repo }).stdout);
  });

  it('passes rule levels from the RULES parameter, and refuses an unknown rule without output', async () => {
    const relaxed = await runPluginCommand(plugin.spec.generate, 'apps/bookstore', { MESH_PATH: 'mesh', RULES: 'MESH323=off MESH503=warning' });
    expect(relaxed.status).toBe(0);
    expect(manifests(relaxed.stdout).length).toBeGreaterThan(20);
    const unknown = await runPluginCommand(plugin.spec.generate, 'apps/bookstore', { MESH_PATH: 'mesh', RULES: 'MESH999=off' });
    expect(unknown.status).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/MESH999/);
  });

  it('fails a broken mesh with its diagnostics on stderr and nothing on stdout, so Argo CD keeps the last good manifests', async () => {
    const broken = path.join(scratch.dir, 'broken-app');
    cpSync(path.join(repoRoot, 'examples', 'mesh'), broken, { recursive: true });
    writeFiles(broken, { 'extra.yaml': 'apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: extra, namespace: orders}\nspec:\n  ports: [{port: 80, protocol: http}]\n  dependsOn: [nowhere]\n' });
    // A source path outside the fleet repository: the plugin needs none of git.
    const relative = path.relative(repo, broken);
    const generated = await runPluginCommand(plugin.spec.generate, relative);
    expect(generated.status).toBe(1);
    expect(generated.stdout).toBe('');
    expect(generated.stderr).toMatch(/extra\.yaml[\s\S]*error[\s\S]*nowhere/);
  });

  it('renders the mesh at the source path itself when MESH_PATH is not set', async () => {
    const generated = await runPluginCommand(plugin.spec.generate, 'apps/bookstore/mesh');
    expect(generated.status).toBe(0);
    expect(crdProblems(manifests(generated.stdout))).toEqual([]);
  });
});

