// A traffic-test scenario from mesh files to running proxies: the test writes small mesh documents
// into a temp dir, meshctl compiles them for Envoy (through the library, or the built CLI), and the
// scenario starts the sidecars it needs and the app servers behind them. Everything it started —
// Envoys, app servers, temp dirs — is stopped and removed by cleanup(), which the test file calls
// in afterEach/afterAll whatever happened.
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse as parseYaml, stringify as stringifyYaml } from 'yaml';
import { compile, formatStylish, loadMesh, type EnvoyConfig } from '../../src/index.js';
import { runCli } from '../helpers/run-cli.js';
import { makeMeshCertificates, type MeshCertificates, type MeshIdentity } from './envoy-certificates.js';
import { afterEach, beforeAll, beforeEach } from 'vitest';
import { INSTALL_TIMEOUT_MS, freePorts, installEnvoy, startEnvoy, stopAllEnvoys, type RunningEnvoy } from './envoy-harness.js';
import { closeAllUpstreams, startUpstream, type Upstream, type UpstreamBehaviour } from './envoy-upstreams.js';

export const API_VERSION = 'meshctl.dev/v1alpha1';

/** A Mesh document whose sidecars bind their inbound listeners on loopback only. */
export function meshDocument(spec: Record<string, unknown>, name = 'test-mesh'): object {
  return { apiVersion: API_VERSION, kind: 'Mesh', metadata: { name }, spec: { envoy: { inboundAddress: '127.0.0.1' }, ...spec } };
}

/**
 * The port of a callee whose own sidecar a test does not start: callers reach its upstreams at
 * their endpoints. Its application port (targetPort), apart from the service port, only keeps
 * that sidecar's inbound listener off it, as the Envoy target requires (MESH234).
 */
export const CALLEE_HTTP_PORTS = [{ name: 'http', port: 9080, targetPort: 19080, protocol: 'http' }];

/** A Service document in `namespace`. */
export function serviceDocument(namespace: string, name: string, spec: Record<string, unknown>): object {
  return { apiVersion: API_VERSION, kind: 'Service', metadata: { name, namespace }, spec };
}

/** Which compiled config: a service's sidecar (of one version) or a gateway. */
export interface WorkloadRef {
  readonly namespace: string;
  readonly name: string;
  readonly version?: string;
}

function describeRef(ref: WorkloadRef): string {
  return `${ref.namespace}/${ref.name}${ref.version === undefined ? '' : `-${ref.version}`}`;
}

export class MeshScenario {
  /** The scenario's temp dir: mesh files in mesh/, CLI output in out/, certificates in certs/. */
  readonly dir: string;
  readonly meshDir: string;
  private configs: EnvoyConfig[] = [];
  private readonly envoys: RunningEnvoy[] = [];
  private readonly upstreams: Upstream[] = [];

  constructor(name: string) {
    this.dir = mkdtempSync(path.join(tmpdir(), `meshctl-${name}-`));
    this.meshDir = path.join(this.dir, 'mesh');
    mkdirSync(this.meshDir);
  }

  /** Writes each document to its own YAML file, as a team would keep them in git. */
  writeMesh(documents: readonly object[]): void {
    for (const file of readdirSync(this.meshDir)) rmSync(path.join(this.meshDir, file));
    documents.forEach((document, index) => {
      const { kind, metadata } = document as { kind: string; metadata: { name: string } };
      writeFileSync(path.join(this.meshDir, `${String(index).padStart(2, '0')}-${kind.toLowerCase()}-${metadata.name}.yaml`), stringifyYaml(document));
    });
  }

  /** Compiles the mesh files through meshctl's library; fails with the diagnostics if refused. */
  async compile(): Promise<EnvoyConfig[]> {
    const result = compile(await loadMesh([this.meshDir]), { target: 'envoy' });
    if (!result.ok) throw new Error(`meshctl refused the test mesh:\n${formatStylish(result.validation, { color: false })}`);
    this.configs = result.configs;
    return this.configs;
  }

  /** Compiles through the built CLI (`meshctl compile --target envoy -o`), reading back its files. */
  compileWithCli(): EnvoyConfig[] {
    const out = path.join(this.dir, 'out');
    const run = runCli(['compile', this.meshDir, '--target', 'envoy', '--out-dir', out]);
    if (run.status !== 0) throw new Error(`meshctl compile --target envoy exited ${run.status}:\n${run.stdout}${run.stderr}`);
    const configs: EnvoyConfig[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir).sort()) {
        const file = path.join(dir, entry);
        if (statSync(file).isDirectory()) walk(file);
        else if (/\.ya?ml$/.test(entry)) {
          const relative = path.relative(out, file).split(path.sep).join('/');
          const match = this.configs.find((config) => config.path === relative);
          const [namespace = '', base = ''] = relative.replace(/\.ya?ml$/, '').split('/');
          configs.push({
            ...(match ?? { kind: 'sidecar', namespace, name: base }),
            path: relative,
            bootstrap: parseYaml(readFileSync(file, 'utf8')) as Record<string, unknown>,
          } as EnvoyConfig);
        }
      }
    };
    walk(out);
    this.configs = configs;
    return configs;
  }

  /** The compiled config of one workload. */
  config(ref: WorkloadRef): EnvoyConfig {
    const found = this.configs.find(
      (config) => config.namespace === ref.namespace && config.name === ref.name && (ref.version === undefined || config.version === ref.version),
    );
    if (!found) throw new Error(`no compiled config for ${describeRef(ref)}; compiled: ${this.configs.map((config) => config.path).join(', ') || 'none'}`);
    return found;
  }

  /** Starts the Envoy of one workload from its compiled bootstrap, unchanged. */
  async startProxy(ref: WorkloadRef): Promise<RunningEnvoy> {
    const envoy = await startEnvoy(this.config(ref).bootstrap, { name: describeRef(ref) });
    this.envoys.push(envoy);
    return envoy;
  }

  /** The proxies started so far, in order. */
  proxies(): readonly RunningEnvoy[] {
    return this.envoys;
  }

  /** An app server that answers as `<name>-<version>`. */
  async startApp(name: string, version: string, behaviour: UpstreamBehaviour = {}): Promise<Upstream> {
    const upstream = await startUpstream(name, version, behaviour);
    this.upstreams.push(upstream);
    return upstream;
  }

  /** A CA and SPIFFE leaf certificates in the scenario's certs/ dir. */
  certificates(identities: readonly MeshIdentity[], trustDomain?: string): MeshCertificates {
    return makeMeshCertificates(path.join(this.dir, 'certs'), identities, trustDomain);
  }

  /** Stops the proxies, closes the app servers and removes the temp dir. */
  async cleanup(): Promise<void> {
    await Promise.allSettled(this.envoys.splice(0).map((envoy) => envoy.stop()));
    await Promise.allSettled(this.upstreams.splice(0).map((upstream) => upstream.close()));
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The ports one sidecar binds, all free loopback ports. */
export interface SidecarPorts {
  readonly inbound: number;
  readonly outbound: number;
  readonly admin: number;
}

export async function sidecarPorts(): Promise<SidecarPorts> {
  const [inbound, outbound, admin] = await freePorts(3);
  return { inbound: inbound!, outbound: outbound!, admin: admin! };
}

/** A Service's (or version's) `envoy` block for a sidecar on `ports`, serving the port named "http". */
export function sidecarSettings(ports: SidecarPorts, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { inboundPorts: { http: ports.inbound }, outboundPort: ports.outbound, adminPort: ports.admin, ...extra };
}

/** The URL of a sidecar's outbound listener; the Host header then names the service called. */
export function outboundUrl(ports: SidecarPorts): string {
  return `http://127.0.0.1:${ports.outbound}`;
}

/**
 * Registers the hooks of a traffic-test file: Envoy installed once before the tests (a fresh
 * machine downloads it), a new scenario for each test, and everything it started stopped after
 * each test, passed or failed. Returns the current test's scenario.
 */
export function useMeshScenarios(name: string): () => MeshScenario {
  let current: MeshScenario | undefined;
  beforeAll(async () => {
    await installEnvoy();
  }, INSTALL_TIMEOUT_MS);
  beforeEach(() => {
    current = new MeshScenario(name);
  });
  afterEach(async () => {
    await current?.cleanup();
    current = undefined;
    // Anything a test started outside its scenario.
    await stopAllEnvoys();
    await closeAllUpstreams();
  });
  return () => {
    if (!current) throw new Error('no scenario: useMeshScenarios() gives one inside a test only');
    return current;
  };
}
