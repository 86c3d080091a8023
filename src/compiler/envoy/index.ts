// The Envoy target: for every workload (each version of each service; a service without versions
// is one workload) a complete Envoy v3 bootstrap for its sidecar, and one for each gateway. Only
// `static_resources`: no control plane, no discovery. Pure and deterministic: the same model and
// options give the same configs, in the same order, with keys in the same order.
import { compareStrings } from '../../diagnostics/types.js';
import type { MeshModel } from '../../model/mesh-model.js';
import { dependencyResolver } from '../../plan/dependencies.js';
import { effectiveTelemetry } from './access-log.js';
import { ClusterSet } from './clusters.js';
import { gatewayListeners } from './gateway.js';
import { inboundListeners } from './inbound.js';
import { CompileMemo } from './memo.js';
import { outboundListeners } from './outbound.js';
import {
  LOOPBACK,
  gatewaySettings,
  meshProxySettings,
  reservedPorts,
  sidecarSettings,
  workloadsOf,
  type EnvoyCompileOptions,
} from './settings.js';
import type { Json } from './types.js';

export type { EnvoyCompileOptions } from './settings.js';

export interface EnvoyConfig {
  /** Where `-o DIR` writes it: `<namespace>/<service>-<version>.yaml`, `<namespace>/<service>.yaml`, `<namespace>/<gateway>.yaml`. */
  readonly path: string;
  readonly kind: 'sidecar' | 'gateway';
  readonly namespace: string;
  /** The service's or the gateway's name. */
  readonly name: string;
  readonly version?: string;
  readonly bootstrap: Json;
}

export { EnvoyCompileError } from './types.js';
import { EnvoyCompileError } from './types.js';

/**
 * One proxy to compile: where its file goes and what it is, and `build()`, which compiles its
 * bootstrap on demand. The command writes each as it is built and drops it, so a mesh of tens of
 * thousands of workloads is never held in memory as a whole.
 */
export interface EnvoyProxy extends Omit<EnvoyConfig, 'bootstrap'> {
  build(): Json;
}

/** Every proxy of the mesh, sorted by path; nothing is compiled yet. Refuses two proxies with one path. */
export function planEnvoyProxies(model: MeshModel, options: EnvoyCompileOptions = {}): EnvoyProxy[] {
  const mesh = meshProxySettings(model, options);
  const dependenciesOf = dependencyResolver(model);
  const memo = new CompileMemo();
  const proxies: EnvoyProxy[] = [];

  for (const service of model.services) {
    for (const workload of workloadsOf(service)) {
      const base = workload.version !== undefined ? `${service.name}-${workload.version}` : service.name;
      proxies.push({
        path: `${service.namespace}/${base}.yaml`,
        kind: 'sidecar',
        namespace: service.namespace,
        name: service.name,
        ...(workload.version !== undefined ? { version: workload.version } : {}),
        build: () => {
          const dependencies = dependenciesOf(service);
          const telemetry = effectiveTelemetry(model, service.namespace, service.resource.spec.telemetry);
          const sidecar = sidecarSettings(mesh, service, workload.version, options);
          const clusters = new ClusterSet({ model, mesh, certificates: sidecar.certificates, memo });
          const inbound = inboundListeners({ model, service, ...(workload.version !== undefined ? { version: workload.version } : {}), mesh, sidecar, clusters, telemetry });
          // MESH235 reports the dependencies these leave without a listener, from the same list.
          const takenPorts = new Set<number>(reservedPorts(service, sidecar).map((reserved) => reserved.port));
          const outbound = outboundListeners({ model, workload, mesh, sidecar, clusters, telemetry, dependencies, takenPorts, memo });
          return bootstrap(`${base}.${service.namespace}`, `${service.name}.${service.namespace}`, sidecar.adminPort, [...inbound, ...outbound], clusters.list(), {
            service: service.name,
            namespace: service.namespace,
            ...(workload.version !== undefined ? { version: workload.version } : {}),
          });
        },
      });
    }
  }

  for (const gateway of model.gateways) {
    proxies.push({
      path: `${gateway.namespace}/${gateway.name}.yaml`,
      kind: 'gateway',
      namespace: gateway.namespace,
      name: gateway.name,
      build: () => {
        const settings = gatewaySettings(mesh, gateway, options);
        const clusters = new ClusterSet({ model, mesh, certificates: settings.certificates, memo });
        const listeners = gatewayListeners({ model, gateway, mesh, settings, clusters });
        return bootstrap(`${gateway.name}.${gateway.namespace}`, `${gateway.name}.${gateway.namespace}`, settings.adminPort, listeners, clusters.list(), {
          gateway: gateway.name,
          namespace: gateway.namespace,
        });
      },
    });
  }

  proxies.sort((a, b) => compareStrings(a.path, b.path));
  for (let index = 1; index < proxies.length; index++) {
    if (proxies[index]!.path === proxies[index - 1]!.path) {
      throw new EnvoyCompileError(`two proxies would be written to ${proxies[index]!.path}: rename the service, version or gateway so their names differ`);
    }
  }
  return proxies;
}

/** A planned proxy compiled: its description followed by its bootstrap (the key order JSON output shows). */
export function buildEnvoyConfig(proxy: EnvoyProxy): EnvoyConfig {
  const { build, ...description } = proxy;
  return { ...description, bootstrap: build() };
}

/** Every proxy's configuration, compiled at once (see planEnvoyProxies to compile one at a time). */
export function compileEnvoy(model: MeshModel, options: EnvoyCompileOptions = {}): EnvoyConfig[] {
  return planEnvoyProxies(model, options).map(buildEnvoyConfig);
}

function bootstrap(nodeId: string, nodeCluster: string, adminPort: number, listeners: Json[], clusters: Json[], metadata: Record<string, string>): Json {
  return {
    node: { id: nodeId, cluster: nodeCluster, metadata: { 'meshctl.dev/generated-by': 'meshctl', ...metadata } },
    admin: { address: { socket_address: { address: LOOPBACK, port_value: adminPort } } },
    static_resources: { listeners, clusters },
  };
}
