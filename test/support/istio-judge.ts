// Istio's own code as the judge of meshctl's Istio target: istiod's configuration generator (pilot)
// and every `istioctl analyze` analyzer, compiled from the istio.io/istio Go module by
// scripts/istio.sh (test/istio/judge). This module runs them, and generates the Kubernetes objects a
// real deployment of a mesh has (Services, Deployments, Pods, ServiceAccounts, Namespaces, the
// ingress gateway's workload), which Istio reads together with the compiled configuration.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { compile } from '../../src/pipeline/index.js';
import type { EnvoyConfig } from '../../src/compiler/envoy/index.js';
import { compareStrings } from '../../src/diagnostics/types.js';
import { loadMesh } from '../../src/loader/load-mesh.js';
import type { MeshModel, ServiceNode } from '../../src/model/mesh-model.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { runProcess } from '../helpers/run-process.js';
import { APPLICATIONS_ON_SERVICE_PORTS } from '../helpers/istio-shaped-meshes.js';

const execFileAsync = promisify(execFile);
const repoRoot = path.join(import.meta.dirname, '..', '..');
const buildScript = path.join(repoRoot, 'scripts', 'istio.sh');

const minutes = 60_000;
/**
 * The first build on a fresh machine compiles istiod's packages from the Go module: 5 to 15 minutes
 * on two cores, longer while other builds share them. Another test file waits on the build lock.
 */
export const ISTIO_BUILD_TIMEOUT_MS = 45 * minutes;
/** One run is well under a second; the margin is for a loaded machine. */
const RUN_TIMEOUT_MS = 2 * minutes;

let cachedBinary: string | undefined;

/**
 * Builds the judge if needed (scripts/istio.sh takes a lock, so two test workers build it once) and
 * returns its path. Call it in beforeAll with ISTIO_BUILD_TIMEOUT_MS: a missing judge is built,
 * never skipped.
 */
export async function installIstioJudge(): Promise<string> {
  if (cachedBinary === undefined) {
    const { stdout } = await execFileAsync(buildScript, ['path'], { cwd: repoRoot, encoding: 'utf8', timeout: ISTIO_BUILD_TIMEOUT_MS });
    const binary = stdout.trim().split('\n').pop() ?? '';
    if (binary === '') throw new Error(`${buildScript} path printed no binary path`);
    cachedBinary = binary;
  }
  return cachedBinary;
}

function judgeBinary(): string {
  if (cachedBinary === undefined) throw new Error('the Istio judge is not installed: call installIstioJudge() in beforeAll');
  return cachedBinary;
}

// ---------------------------------------------------------------------------------------------
// Running Istio

export type EnvoyJson = Record<string, unknown>;

/** A proxy as istiod sees it when it connects: its namespace, workload labels and IP. */
export interface ProxySpec {
  /** Names the proxy (its node id is `<name>.<namespace>`); default "workload". */
  name?: string;
  /** `router` for a gateway; default `sidecar`. */
  type?: 'sidecar' | 'router';
  namespace: string;
  labels: Record<string, string>;
  /** The workload's IP; pilot finds its Pod (or WorkloadEntry), and so its services, by it. */
  ip?: string;
}

/** What istiod would push to one proxy, in Envoy's own JSON (proto field names). */
export interface PilotConfig {
  proxy: ProxySpec;
  listeners: EnvoyJson[];
  /** The RouteConfigurations its listeners ask for by RDS. */
  routes: EnvoyJson[];
  clusters: EnvoyJson[];
}

export interface AnalyzerMessage {
  /** IST0101 and so on: https://istio.io/latest/docs/reference/config/analysis/ */
  code: string;
  level: 'Error' | 'Warning' | 'Info';
  message: string;
  resource?: { kind: string; namespace?: string; name: string };
}

export interface Analysis {
  /** What every one of the judge's runs of the analysis reported. */
  messages: AnalyzerMessage[];
  /**
   * What only some runs reported: at the pinned version one lookup inside Istio depends on map
   * order (a Gateway's credential Secret is sometimes reported missing although it is there).
   */
  unstableMessages: (AnalyzerMessage & { runs: number; of: number })[];
  executedAnalyzers: string[];
  /** Analyzers that did not run for want of their inputs; empty when every input kind is there. */
  skippedAnalyzers: string[];
}

/** Objects as one YAML stream: each as JSON, which is YAML. */
export function objectStream(objects: readonly object[]): string {
  return objects.map((object) => JSON.stringify(object)).join('\n---\n');
}

/** Objects, or a YAML stream as it is. */
export type JudgeInput = readonly object[] | string;

async function runJudge(args: string[], input: JudgeInput): Promise<string> {
  const text = typeof input === 'string' ? input : objectStream(input);
  const result = await runProcess(judgeBinary(), args, { input: text, timeoutMs: RUN_TIMEOUT_MS });
  if (result.code !== 0) throw new Error(`istio-judge ${args[0]} failed (exit ${result.code ?? result.signal}):\n${result.stderr}`);
  return result.stdout;
}

/** The Envoy configuration istiod would push to each proxy, given the Istio configuration and Kubernetes objects. */
export async function runPilot(objects: JudgeInput, proxies: readonly ProxySpec[]): Promise<PilotConfig[]> {
  const args = ['pilot', ...proxies.flatMap((proxy) => ['--proxy', JSON.stringify(proxy)]), '-'];
  return JSON.parse(await runJudge(args, objects)) as PilotConfig[];
}

/** The messages of every Istio analyzer on the objects. */
export async function runAnalyzers(objects: JudgeInput): Promise<Analysis> {
  return JSON.parse(await runJudge(['analyze', '-'], objects)) as Analysis;
}

// ---------------------------------------------------------------------------------------------
// What a real deployment of the mesh has besides meshctl's output

/** One proxy of the deployment, and the meshctl entity whose Envoy-target configuration it matches. */
export interface DeployedProxy {
  kind: 'sidecar' | 'gateway';
  namespace: string;
  /** The service's or the gateway's name. */
  name: string;
  version?: string;
  /** How pilot sees it. */
  proxy: ProxySpec;
  /** A VM registered by a WorkloadEntry rather than a Pod. */
  vm: boolean;
}

export interface Deployment {
  /** The Kubernetes objects to add to the compiled ones (none that the compiled output already has). */
  objects: KubernetesObject[];
  proxies: DeployedProxy[];
}

const INJECTION_LABEL = 'istio-injection';
const PROXY_IMAGE = 'docker.io/istio/proxyv2:1.28.0';

/** The labels every workload of the service carries: `spec.selector`, else app: <name> (as the compiler's selectors). */
function selectorOf(service: ServiceNode): Record<string, string> {
  return { ...(service.resource.spec.selector ?? { app: service.name }) };
}

/** `spec.serviceAccount` when the format has it and the service sets it, else the service's name. */
export function serviceAccountOf(service: ServiceNode): string {
  const spec = service.resource.spec as { serviceAccount?: unknown };
  return typeof spec.serviceAccount === 'string' ? spec.serviceAccount : service.name;
}

function portName(port: { name?: string | undefined; protocol: string; port: number }): string {
  return port.name ?? `${port.protocol}-${port.port}`;
}

function isSubset(labels: Record<string, string>, of: Record<string, string>): boolean {
  return Object.entries(labels).every(([key, value]) => of[key] === value);
}

function objectKey(object: { kind: string; metadata: { namespace?: string; name: string } }): string {
  return `${object.kind}/${object.metadata.namespace ?? ''}/${object.metadata.name}`;
}

/**
 * The Kubernetes objects a real deployment of the mesh has, and its proxies: per service a Service
 * with its named ports (unless all its workloads are VMs, which the compiled ServiceEntry
 * registers), a ServiceAccount, and per version a Deployment with its Pod (Running, with an IP and,
 * in an injected namespace, the istio-proxy container); per gateway the ingress gateway's
 * Deployment, Pod, Service and ServiceAccount (named after the gateway) and a TLS Secret per
 * credentialName its listeners name; a Namespace for every
 * namespace the compiled output does not label itself. Deterministic: the same mesh gives the same
 * objects and IPs.
 */
export function deploymentFor(model: MeshModel, compiled: readonly KubernetesObject[]): Deployment {
  const existing = new Set(compiled.map(objectKey));
  const objects: KubernetesObject[] = [];
  const add = (object: KubernetesObject) => {
    if (!existing.has(objectKey(object))) {
      existing.add(objectKey(object));
      objects.push(object);
    }
  };
  const proxies: DeployedProxy[] = [];

  const namespaces = new Map<string, KubernetesObject>();
  for (const object of compiled) if (object.kind === 'Namespace') namespaces.set(object.metadata.name, object);
  for (const namespace of [...model.namespaces].sort(compareStrings)) {
    if (namespaces.has(namespace)) continue;
    const injection = model.settings.namespaces?.[namespace]?.injection ?? true;
    const object: KubernetesObject = { apiVersion: 'v1', kind: 'Namespace', metadata: { name: namespace, labels: { [INJECTION_LABEL]: injection ? 'enabled' : 'disabled' } } };
    namespaces.set(namespace, object);
    add(object);
  }
  const injected = (namespace: string) => namespaces.get(namespace)?.metadata.labels?.[INJECTION_LABEL] === 'enabled';

  let podCount = 0;
  const nextPodIp = () => {
    podCount += 1;
    return `10.244.${Math.floor(podCount / 250)}.${(podCount % 250) + 1}`;
  };

  for (const service of model.services) {
    const { spec } = service.resource;
    const selector = selectorOf(service);
    const serviceAccount = serviceAccountOf(service);
    const workloads: { version?: string; labels: Record<string, string> }[] = spec.versions
      ? Object.entries(spec.versions)
          .sort(([a], [b]) => compareStrings(a, b))
          .map(([version, { labels }]) => ({ version, labels: { ...selector, ...labels } }))
      : [{ labels: selector }];
    let podWorkloads = 0;
    for (const workload of workloads) {
      const vm = spec.vms?.find((candidate) => isSubset(workload.labels, { ...selector, ...candidate.labels }));
      const base = { kind: 'sidecar' as const, namespace: service.namespace, name: service.name, ...(workload.version !== undefined ? { version: workload.version } : {}) };
      if (vm) {
        proxies.push({ ...base, vm: true, proxy: { name: `${service.name}-vm`, namespace: service.namespace, labels: { ...selector, ...vm.labels }, ip: vm.address } });
        continue;
      }
      podWorkloads += 1;
      const name = workload.version !== undefined ? `${service.name}-${workload.version}` : service.name;
      const ip = nextPodIp();
      const containers = [
        {
          name: service.name,
          image: `registry.example.com/${service.namespace}/${service.name}:latest`,
          ports: spec.ports.map((port) => ({ name: portName(port), containerPort: port.targetPort ?? port.port })),
        },
      ];
      const podSpec = { serviceAccountName: serviceAccount, containers };
      add({
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name, namespace: service.namespace, labels: workload.labels },
        spec: { replicas: 1, selector: { matchLabels: workload.labels }, template: { metadata: { labels: workload.labels }, spec: podSpec } },
      });
      add(pod(`${name}-0`, service.namespace, workload.labels, ip, { ...podSpec, containers: injected(service.namespace) ? [...containers, proxyContainer()] : containers }));
      proxies.push({ ...base, vm: false, proxy: { name: `${name}-0`, namespace: service.namespace, labels: workload.labels, ip } });
    }
    add({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: serviceAccount, namespace: service.namespace } });
    if (podWorkloads > 0) {
      add({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: service.name, namespace: service.namespace, labels: { app: selector.app ?? service.name } },
        spec: {
          selector,
          // appProtocol states the protocol the mesh declares, whatever the port's name: Istio reads it
          // before the name's prefix, as in a deployment that follows Istio's protocol selection.
          ports: spec.ports.map((port) => ({ name: portName(port), port: port.port, targetPort: port.targetPort ?? port.port, protocol: 'TCP', appProtocol: port.protocol })),
        },
      });
    }
  }

  for (const gateway of model.gateways) {
    // The gateway's pods carry the labels the compiled Gateway selects.
    const compiledGateway = compiled.find((o) => o.kind === 'Gateway' && o.metadata.namespace === gateway.namespace && o.metadata.name === gateway.name);
    // A Kubernetes Gateway API Gateway: istiod deploys it itself, as `<gateway>-<class>` (Deployment,
    // Service, ServiceAccount), its pods labelled with the gateway's name and the Gateway's
    // infrastructure labels; the class is one of istiod's own, which it creates in the cluster.
    const gatewayApi = compiledGateway?.apiVersion.startsWith('gateway.networking.k8s.io/') === true;
    const gatewayApiSpec = compiledGateway?.spec as { gatewayClassName?: string; infrastructure?: { labels?: Record<string, string> } } | undefined;
    const gatewayClass = gatewayApiSpec?.gatewayClassName ?? 'istio';
    const workloadName = gatewayApi ? `${gateway.name}-${gatewayClass}` : gateway.name;
    if (gatewayApi) add({ apiVersion: 'gateway.networking.k8s.io/v1', kind: 'GatewayClass', metadata: { name: gatewayClass }, spec: { controllerName: 'istio.io/gateway-controller' } } as KubernetesObject);
    const labels = gatewayApi
      ? { ...gatewayApiSpec?.infrastructure?.labels, 'gateway.networking.k8s.io/gateway-name': gateway.name }
      : { ...((compiledGateway?.spec as { selector?: Record<string, string> } | undefined)?.selector ?? gateway.resource.spec.selector) };
    const ip = nextPodIp();
    const listeners = gateway.resource.spec.listeners;
    add({ apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: workloadName, namespace: gateway.namespace } });
    const container = { ...proxyContainer(), ports: listeners.map((listener) => ({ containerPort: listener.port })) };
    const podSpec = { serviceAccountName: workloadName, containers: [container] };
    add({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: workloadName, namespace: gateway.namespace, labels },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: podSpec } },
    });
    add(pod(`${workloadName}-0`, gateway.namespace, labels, ip, podSpec));
    add({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: workloadName, namespace: gateway.namespace, labels },
      spec: {
        type: 'LoadBalancer',
        selector: labels,
        ports: listeners.map((listener) => ({ name: listener.name ?? `${listener.protocol}-${listener.port}`, port: listener.port, targetPort: listener.port, protocol: 'TCP' })),
      },
    });
    // The certificate the operator stores for each credentialName: Istio's analyzers parse it.
    for (const listener of listeners) {
      const credential = listener.tls?.credentialName;
      if (credential === undefined) continue;
      add({
        apiVersion: 'v1',
        kind: 'Secret',
        metadata: { name: credential, namespace: gateway.namespace },
        type: 'kubernetes.io/tls',
        data: { 'tls.crt': Buffer.from(GATEWAY_CERTIFICATE).toString('base64'), 'tls.key': Buffer.from(GATEWAY_KEY).toString('base64') },
      });
    }
    proxies.push({ kind: 'gateway', namespace: gateway.namespace, name: gateway.name, vm: false, proxy: { name: `${workloadName}-0`, type: 'router', namespace: gateway.namespace, labels, ip } });
  }

  return { objects, proxies };
}

/**
 * A self-signed certificate valid for a century, for the TLS Secrets a gateway's credentialName
 * names: test data, trusted by nothing.
 */
const GATEWAY_CERTIFICATE = `-----BEGIN CERTIFICATE-----
MIIBrzCCAVWgAwIBAgIUG13aylCf4ueyFsr5LO13Moo2UnkwCgYIKoZIzj0EAwIw
HzEdMBsGA1UEAwwUZ2F0ZXdheS5tZXNoY3RsLnRlc3QwIBcNMjYxMjA2MDIwNTQw
WhgPMjEyNjExMTIwMjA1NDBaMB8xHTAbBgNVBAMMFGdhdGV3YXkubWVzaGN0bC50
ZXN0MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEGZeEJ2XCmvikJw61c2YP/kLS
5ukCRHXnCxtBaAsvX7CSAfXraGJUJVHhXDHDcfib6g2Kxr4kZVnZ1SK8W/uWK6Nt
MGswHQYDVR0OBBYEFIyB+NR1H0I6ci8Epr789LcgwVBcMB8GA1UdIwQYMBaAFIyB
+NR1H0I6ci8Epr789LcgwVBcMA8GA1UdEwEB/wQFMAMBAf8wGAYDVR0RBBEwD4IN
Ki5leGFtcGxlLmNvbTAKBggqhkjOPQQDAgNIADBFAiBEeXtDAWeXJ530a7k328R5
RYYHWXVVixhPROGrTRpH2QIhANCcKqF4/5EW8uHVWg+mH2lzY7YfHWIKmY7cdso8
61zC
-----END CERTIFICATE-----\n`;
const GATEWAY_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgHhaurumR9lkU2IY3
0QVt2JKuheAZj/Reh6R5areu6w2hRANCAAQZl4QnZcKa+KQnDrVzZg/+QtLm6QJE
decLG0FoCy9fsJIB9etoYlQlUeFcMcNx+JvqDYrGviRlWdnVIrxb+5Yr
-----END PRIVATE KEY-----\n`;

function proxyContainer() {
  return { name: 'istio-proxy', image: PROXY_IMAGE };
}

function pod(name: string, namespace: string, labels: Record<string, string>, ip: string, spec: object): KubernetesObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, labels },
    spec,
    status: { phase: 'Running', podIP: ip, podIPs: [{ ip }], conditions: [{ type: 'Ready', status: 'True' }] },
  };
}

// ---------------------------------------------------------------------------------------------
// A mesh as Istio sees it

export interface MeshUnderJudgement {
  model: MeshModel;
  /** `compile --target istio`. */
  compiled: KubernetesObject[];
  deployment: Deployment;
  /** `compile --target envoy`, by proxy path (`<namespace>/<service>-<version>`, `<namespace>/<gateway>`). */
  envoy: Map<string, EnvoyConfig>;
}

/** The mesh at these paths compiled for both targets, with the deployment it implies. Throws when it does not compile. */
export async function meshUnderJudgement(paths: readonly string[]): Promise<MeshUnderJudgement> {
  const loaded = await loadMesh(paths, { cwd: repoRoot });
  const istio = compile(loaded, { target: 'istio' });
  if (!istio.ok) throw new Error(`${paths.join(' ')} does not compile: ${istio.validation.diagnostics.map((d) => d.message).join('; ')}`);
  const envoy = compile(loaded, { target: 'envoy', rules: APPLICATIONS_ON_SERVICE_PORTS });
  if (!envoy.ok) throw new Error(`${paths.join(' ')} does not compile for Envoy`);
  const model = istio.validation.model;
  return {
    model,
    compiled: istio.objects,
    deployment: deploymentFor(model, istio.objects),
    envoy: new Map(envoy.configs.map((config) => [config.path.replace(/\.yaml$/, ''), config])),
  };
}

/** The Envoy-target path of a deployed proxy. */
export function envoyPathOf(proxy: DeployedProxy): string {
  return `${proxy.namespace}/${proxy.version !== undefined ? `${proxy.name}-${proxy.version}` : proxy.name}`;
}
