// The README shows a mesh file and what meshctl compiles it to; both must stay true. Its set-up puts
// meshctl on the PATH, and every command of its tour runs as written.
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Ajv2020Module from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { afterAll, describe, expect, it } from 'vitest';
import { compileIstio, loadSources, SourceText, validate } from '../src/index.js';
import { repoRoot, runProcess, useTestCluster } from './support/test-cluster.js';

const readme = readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

// The README's service names productpage as a caller; it is declared here so the mesh is whole.
const PRODUCTPAGE = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: productpage, namespace: storefront}
spec:
  ports: [{port: 9080, protocol: http}]
`;

describe('README', () => {
  const [service, virtualService] = [yamlBlocks[0]!, yamlBlocks.find((block) => block.includes('kind: VirtualService'))!];
  const result = validate(loadSources([new SourceText('mesh/reviews.yaml', service), new SourceText('mesh/productpage.yaml', PRODUCTPAGE)]));

  it('shows a service that validates cleanly', () => {
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it('says how to put the schema where the first line of its sample points, from the user\'s own mesh directory', async () => {
    const target = /^# yaml-language-server: \$schema=(\S+)$/m.exec(service.split('\n')[0]!)?.[1];
    expect(target, 'the sample starts with a $schema comment').toBeDefined();
    // The sentence after the sample says which command writes the schema, run among the mesh files.
    const after = readme.slice(readme.indexOf(service) + service.length, readme.indexOf('\n## ', readme.indexOf(service)));
    const command = /`(meshctl schema > [^`]+)`, run in the directory of your mesh files/.exec(after)?.[1];
    expect(command, 'the README says how to write the schema').toBeDefined();
    // A user's repository, not this one: the sample copied into its mesh/ directory.
    const repository = mkdtempSync(path.join(tmpdir(), 'meshctl-user-repo-'));
    try {
      const meshDirectory = path.join(repository, 'mesh');
      mkdirSync(meshDirectory);
      writeFileSync(path.join(meshDirectory, 'reviews.yaml'), service);
      const run = await runProcess('bash', ['-c', command!.replace(/^meshctl /, `${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(repoRoot, 'bin', 'run.js'))} `)], { cwd: meshDirectory });
      expect(run.code, run.stderr).toBe(0);
      const schemaFile = path.resolve(meshDirectory, target!);
      expect(existsSync(schemaFile), `${target} from mesh/reviews.yaml`).toBe(true);
      const Ajv2020 = Ajv2020Module.default;
      const check = new Ajv2020({ allErrors: true, strict: true }).compile(JSON.parse(readFileSync(schemaFile, 'utf8')));
      expect(check(parse(service)), JSON.stringify(check.errors)).toBe(true);
      expect(check(parse(service.replace('weight: 10,', 'weight: 110,')))).toBe(false);
    } finally {
      rmSync(repository, { recursive: true, force: true });
    }
  });

  it('shows the VirtualService meshctl really compiles from it', () => {
    const compiled = compileIstio(result.model).find((o) => o.kind === 'VirtualService' && o.metadata.name === 'reviews');
    expect(compiled).toEqual(parse(virtualService));
  });
});

/** The commands of the README's first ```sh or ```console block after HEADING. */
function commandsUnder(heading: string, fence: 'sh' | 'console'): string[] {
  const start = readme.indexOf(`\n${heading}\n`);
  if (start < 0) throw new Error(`README.md has no "${heading}" section`);
  const block = new RegExp('```' + fence + '\\n([\\s\\S]*?)```').exec(readme.slice(start));
  if (!block) throw new Error(`README.md's "${heading}" has no ${fence} block`);
  const lines = block[1]!.trimEnd().split('\n');
  return fence === 'sh' ? lines : lines.filter((line) => line.startsWith('$ ')).map((line) => line.slice(2));
}

describe('README: set-up and tour', () => {
  // `diff` and `apply` need a cluster; the tour's reader has one in their kubeconfig.
  const cluster = useTestCluster('readme-tour');
  const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-tour-'));
  const npmPrefix = path.join(scratch, 'npm-global');
  const clone = path.join(scratch, 'meshctl');
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  it('sets up with npm ci, npm run build and npm link, which puts meshctl on the PATH', async () => {
    const setUp = commandsUnder('## Set up', 'sh').map((line) => line.replace(/\s+#.*$/, ''));
    expect(setUp).toEqual(['npm ci', 'npm run build', 'npm link']);
    // `npm test` has run the first two in this checkout; the link goes into a prefix of the test's own.
    const linked = await runProcess('npm', ['link', '--no-audit', '--no-fund'], { env: { npm_config_prefix: npmPrefix }, timeoutMs: 2 * 60_000 });
    expect(linked.code, linked.stderr).toBe(0);
    expect(linked.stderr).not.toMatch(/npm warn/i);
    expect(realpathSync(path.join(npmPrefix, 'bin', 'meshctl'))).toBe(realpathSync(path.join(repoRoot, 'bin', 'run.js')));
  });

  it('runs every command of the tour as written, from a clone, against examples/mesh', async () => {
    const tour = commandsUnder('## A short tour', 'console');
    expect(tour.length).toBeGreaterThan(10);
    for (const command of tour) expect(command, 'the tour runs meshctl').toMatch(/^meshctl |^cat .*\| meshctl /);
    // A clone, as the reader has: examples/mesh, and origin/main for review and --changed-since.
    const cloned = await runProcess('git', ['clone', '--quiet', repoRoot, clone]);
    expect(cloned.code, cloned.stderr).toBe(0);
    await runProcess('git', ['update-ref', 'refs/remotes/origin/main', 'HEAD'], { cwd: clone });
    const env = {
      PATH: [path.join(npmPrefix, 'bin'), path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin'].join(path.delimiter),
      KUBECONFIG: cluster.kubeconfig,
      NO_COLOR: '1',
      FORCE_COLOR: undefined,
    };
    for (const command of tour) {
      const expectedCode = Number(/\(exits (\d)\b/.exec(command)?.[1] ?? 0);
      const result = await runProcess('bash', ['-c', command], { cwd: clone, env, timeoutMs: 2 * 60_000 });
      expect(result.code, `$ ${command}\n--- stdout\n${result.stdout}--- stderr\n${result.stderr}`).toBe(expectedCode);
      expect(result.stderr, `$ ${command}`).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    }
    // What the tour's commands wrote, where it says.
    expect(JSON.parse(readFileSync(path.join(clone, 'meshctl.sarif'), 'utf8')).version).toBe('2.1.0');
    expect(JSON.parse(readFileSync(path.join(clone, 'mesh.schema.json'), 'utf8')).$id).toBe('https://meshctl.dev/schemas/v1alpha1/mesh.schema.json');
    expect(readdirSync(path.join(clone, 'out', 'istio'))).toContain('kustomization.yaml');
    expect(readdirSync(path.join(clone, 'out', 'envoy'))).toContain('storefront');
    // apply really applied: the canary's VirtualService is in the cluster.
    expect((await cluster.getJson(['virtualservices.networking.istio.io', 'reviews', '-n', 'storefront'])).metadata.name).toBe('reviews');
  }, 10 * 60_000);
});
