// Every Envoy configuration compiled from the example mesh and from every valid fixture is loaded
// by a real Envoy (`envoy --mode validate`: the whole bootstrap is parsed and every listener,
// filter and cluster is instantiated, certificate files included). Certificate paths point at
// test certificates made here with openssl, through the compile option that overrides them, so
// the fixtures stay as they are.
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync, copyFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compile, envoyConfigToYaml, loadMesh, type EnvoyConfig } from '../../src/index.js';
import { APPLICATIONS_ON_SERVICE_PORTS } from '../helpers/istio-shaped-meshes.js';

const repo = path.join(import.meta.dirname, '..', '..');
const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-envoy-validate-'));
const certDir = path.join(scratch, 'certs');
let envoyBinary = '';

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

beforeAll(() => {
  envoyBinary = execFileSync(path.join(repo, 'scripts', 'envoy.sh'), ['install'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim();
  mkdirSync(certDir, { recursive: true });
  const openssl = (...args: string[]) => execFileSync('openssl', args, { cwd: certDir, stdio: 'ignore' });
  openssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'ca.key', '-out', 'root-cert.pem', '-days', '2', '-subj', '/CN=meshctl test CA');
  openssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'key.pem', '-out', 'leaf.csr', '-subj', '/CN=workload');
  writeFileSync(path.join(certDir, 'leaf.ext'), 'subjectAltName=URI:spiffe://cluster.local/ns/test/sa/test\n');
  openssl('x509', '-req', '-in', 'leaf.csr', '-CA', 'root-cert.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'cert-chain.pem', '-days', '2', '-extfile', 'leaf.ext');
}, 300_000);

/** Gateway credentials the configs name: <dir>/<credentialName>/tls.crt, tls.key, ca.crt. */
function provideCredentials(configs: readonly EnvoyConfig[]): void {
  const text = JSON.stringify(configs.map((config) => config.bootstrap));
  for (const [, name] of text.matchAll(new RegExp(`${escapeRegex(certDir)}/([^/"]+)/(?:tls\\.crt|tls\\.key|ca\\.crt)`, 'g'))) {
    const dir = path.join(certDir, name!);
    mkdirSync(dir, { recursive: true });
    copyFileSync(path.join(certDir, 'cert-chain.pem'), path.join(dir, 'tls.crt'));
    copyFileSync(path.join(certDir, 'key.pem'), path.join(dir, 'tls.key'));
    copyFileSync(path.join(certDir, 'root-cert.pem'), path.join(dir, 'ca.crt'));
  }
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface Validation {
  readonly path: string;
  readonly ok: boolean;
  readonly output: string;
}

function validateOne(file: string, label: string): Promise<Validation> {
  return new Promise((resolve) => {
    const child = spawn(envoyBinary, ['--mode', 'validate', '-c', file, '--log-level', 'error', '--disable-hot-restart'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ path: label, ok: code === 0, output: output.trim() });
    });
  });
}

/** Validates the configs two at a time (the machine has two cores, shared). */
async function validateAll(name: string, configs: readonly EnvoyConfig[]): Promise<Validation[]> {
  const dir = path.join(scratch, 'configs', name);
  const jobs = configs.map((config) => {
    const file = path.join(dir, config.path);
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, envoyConfigToYaml(config));
    return { file, label: config.path };
  });
  const results: Validation[] = [];
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next++]!;
      results.push(await validateOne(job.file, job.label));
    }
  };
  await Promise.all([worker(), worker()]);
  return results.sort((a, b) => a.path.localeCompare(b.path));
}

async function compileForEnvoy(paths: string[]): Promise<EnvoyConfig[]> {
  const result = compile(await loadMesh(paths), { target: 'envoy', rules: APPLICATIONS_ON_SERVICE_PORTS, envoy: { certificateDirectory: certDir } });
  if (!result.ok) throw new Error(`the mesh did not compile: ${result.validation.diagnostics.map((d) => d.message).join('; ')}`);
  provideCredentials(result.configs);
  return result.configs;
}

/**
 * Gateway listeners that share a port, as MESH232 allows: two plain HTTP ones told apart by Host;
 * terminated https (simple and mutual, one for any other SNI) and a tls passthrough told apart by SNI. Envoy refuses two
 * listeners on one address, so each port must become one listener.
 */
const SHARED_GATEWAY_PORTS = `apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: test}
spec: {}
---
apiVersion: meshctl.dev/v1alpha1
kind: Gateway
metadata: {name: edge, namespace: ingress}
spec:
  listeners:
    - {name: shop, port: 8080, protocol: http, hosts: [shop.example.com]}
    - {name: api, port: 8080, protocol: http, hosts: [api.example.com]}
    - {name: shop-tls, port: 8443, protocol: https, hosts: [shop.example.com], tls: {mode: simple, credentialName: shop-cert}}
    - {name: partners, port: 8443, protocol: https, hosts: ["*.partners.example.com"], tls: {mode: mutual, credentialName: partners-cert}}
    - {name: db, port: 8443, protocol: tls, hosts: [db.example.com], tls: {mode: passthrough}}
    # Names another listener's host already has, and a catch-all: Envoy refuses two chains with one match.
    - {name: www, port: 8443, protocol: https, hosts: [shop.example.com, www.example.com], tls: {mode: simple, credentialName: www-cert}}
    - {name: fallback, port: 8443, protocol: https, hosts: ["*"], tls: {mode: simple, credentialName: fallback-cert}}
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  expose: [{gateway: ingress/edge, hosts: [shop.example.com, api.example.com, acme.partners.example.com]}]
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: db, namespace: shop}
spec:
  ports: [{port: 5432, protocol: tls}]
  expose: [{gateway: ingress/edge, hosts: [db.example.com]}]
`;
const sharedPortsDir = path.join(scratch, 'shared-gateway-ports');
mkdirSync(sharedPortsDir, { recursive: true });
writeFileSync(path.join(sharedPortsDir, 'mesh.yaml'), SHARED_GATEWAY_PORTS);

const fixturesDir = path.join(repo, 'test', 'fixtures', 'valid');
const meshes: [string, string[]][] = [
  ['examples/mesh', [path.join(repo, 'examples', 'mesh')]],
  ['gateway listeners sharing ports', [sharedPortsDir]],
  ...readdirSync(fixturesDir)
    .filter((file) => /\.ya?ml$/.test(file))
    .sort()
    .map((file): [string, string[]] => [`test/fixtures/valid/${file}`, [path.join(fixturesDir, file)]]),
];

describe('envoy --mode validate accepts every compiled configuration', () => {
  it.each(meshes)('%s', async (name, paths) => {
    const configs = await compileForEnvoy(paths);
    expect(configs.length).toBeGreaterThan(0);
    const results = await validateAll(name.replace(/[^A-Za-z0-9.-]/g, '_'), configs);
    const failures = results.filter((result) => !result.ok).map((result) => `${result.path}:\n${result.output}`);
    expect(failures, failures.join('\n\n')).toEqual([]);
    expect(results.every((result) => /OK/.test(result.output))).toBe(true);
  }, 300_000);

  it('refuses a broken configuration (the check can fail)', async () => {
    const [config] = await compileForEnvoy([path.join(repo, 'examples', 'mesh')]);
    const broken: EnvoyConfig = { ...config!, bootstrap: { ...config!.bootstrap, static_resources: { clusters: [{ name: 'x', type: 'NO_SUCH_TYPE' }] } } };
    const [result] = await validateAll('broken', [broken]);
    expect(result!.ok).toBe(false);
  }, 120_000);

  it('refuses two listeners on one address (why gateway listeners sharing a port are merged)', async () => {
    const [gateway] = (await compileForEnvoy([sharedPortsDir])).filter((config) => config.kind === 'gateway');
    const resources = gateway!.bootstrap.static_resources as { listeners: Record<string, unknown>[]; clusters: unknown[] };
    expect(resources.listeners.map((listener) => listener.name)).toEqual(['gateway_port_8080', 'gateway_port_8443']);
    const duplicated: EnvoyConfig = {
      ...gateway!,
      bootstrap: { ...gateway!.bootstrap, static_resources: { ...resources, listeners: [...resources.listeners, { ...resources.listeners[0]!, name: 'second_on_8080' }] } },
    };
    const [result] = await validateAll('duplicate-address', [duplicated]);
    expect(result!.ok).toBe(false);
    expect(result!.output).toMatch(/duplicate address|address already in use/i);
  }, 120_000);
});
