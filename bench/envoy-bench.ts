// What one workload's Envoy configuration costs, against the whole mesh: a sidecar should carry
// what its workload calls, not every service there is. Reads the output of
// `meshctl compile --target envoy -o DIR` (one file per workload: DIR/<namespace>/<service>-<version>.yaml,
// DIR/<namespace>/<service>.yaml without versions) next to the mesh it came from.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { median } from './measure-process.js';
import type { EnvoyWorkloadResult } from './results.js';

export class EnvoyBenchError extends Error {}

interface MeshService {
  namespace: string;
  name: string;
  versions: string[];
  ports: number;
  dependsOn: string[];
}

interface MeshFacts {
  services: MeshService[];
  /** The upstream clusters a sidecar without any scoping would carry: one per service version and port. */
  clusters: number;
}

function readMesh(meshDirectory: string): MeshFacts {
  const services: MeshService[] = [];
  let clusters = 0;
  for (const name of readdirSync(meshDirectory).filter((n) => n.endsWith('.yaml')).sort()) {
    for (const document of parseAllDocuments(readFileSync(path.join(meshDirectory, name), 'utf8'))) {
      const resource = document.toJS() as { kind?: string; metadata?: { name: string; namespace: string }; spec?: Record<string, unknown> } | null;
      if (!resource?.metadata || !resource.spec) continue;
      const ports = Array.isArray(resource.spec.ports) ? resource.spec.ports.length : 0;
      if (resource.kind === 'ExternalService') clusters += ports;
      if (resource.kind !== 'Service') continue;
      const versions = Object.keys((resource.spec.versions as Record<string, unknown> | undefined) ?? {});
      clusters += Math.max(1, versions.length) * ports;
      services.push({
        namespace: resource.metadata.namespace,
        name: resource.metadata.name,
        versions,
        ports,
        dependsOn: (resource.spec.dependsOn as string[] | undefined) ?? [],
      });
    }
  }
  return { services, clusters };
}

/** Cluster names in a bootstrap's static_resources.clusters, read from the YAML text without parsing it all. */
export function scanClusterCount(text: string): number {
  const start = text.search(/^ {2}clusters:\n/m);
  if (start === -1) return 0;
  let count = 0;
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (/^ {0,2}\S/.test(line)) break;
    if (/^ {4}- name: /.test(line)) count++;
  }
  return count;
}

interface Bootstrap {
  static_resources?: {
    listeners?: { filter_chains?: { filters?: { typed_config?: { route_config?: { virtual_hosts?: { routes?: unknown[] }[] } } }[] }[] }[];
    clusters?: unknown[];
  };
}

function countRoutes(bootstrap: Bootstrap): number {
  let routes = 0;
  for (const listener of bootstrap.static_resources?.listeners ?? []) {
    for (const chain of listener.filter_chains ?? []) {
      for (const filter of chain.filters ?? []) {
        for (const host of filter.typed_config?.route_config?.virtual_hosts ?? []) routes += host.routes?.length ?? 0;
      }
    }
  }
  return routes;
}

function directoryBytes(directory: string): { files: number; bytes: number } {
  let files = 0;
  let bytes = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) {
      const inner = directoryBytes(full);
      files += inner.files;
      bytes += inner.bytes;
    } else if (entry.name.endsWith('.yaml')) {
      files++;
      bytes += statSync(full).size;
    }
  }
  return { files, bytes };
}

/**
 * Every workload whose service has exactly `dependencies` dependencies: its cluster count (the most
 * and the median); and for the first of them, in namespace/name order, its whole configuration.
 */
export function inspectEnvoyOutput(meshDirectory: string, outputDirectory: string, services: number, dependencies = 3): EnvoyWorkloadResult {
  const mesh = readMesh(meshDirectory);
  const chosen = mesh.services
    .filter((s) => s.dependsOn.length === dependencies)
    .sort((a, b) => (`${a.namespace}/${a.name}` < `${b.namespace}/${b.name}` ? -1 : 1));
  if (chosen.length === 0) throw new EnvoyBenchError(`no service in ${meshDirectory} has ${dependencies} dependencies`);
  const configFile = (service: MeshService, version: string | undefined) =>
    path.join(outputDirectory, service.namespace, `${service.name}${version ? `-${version}` : ''}.yaml`);

  const counts: number[] = [];
  for (const service of chosen) {
    for (const version of service.versions.length > 0 ? service.versions : [undefined]) {
      let text: string;
      try {
        text = readFileSync(configFile(service, version), 'utf8');
      } catch {
        throw new EnvoyBenchError(`no Envoy configuration for ${service.namespace}/${service.name}${version ? ` ${version}` : ''} at ${configFile(service, version)}`);
      }
      counts.push(scanClusterCount(text));
    }
  }

  const example = chosen[0]!;
  const file = configFile(example, example.versions[0]);
  const text = readFileSync(file, 'utf8');
  const bootstrap = parse(text) as Bootstrap;
  const clusters = bootstrap.static_resources?.clusters?.length ?? 0;
  // The scan above stands for a parse; if the rendering ever changes under it, say so rather than miscount.
  if (scanClusterCount(text) !== clusters) throw new EnvoyBenchError(`counting clusters in ${file}: the text scan found ${scanClusterCount(text)}, the YAML has ${clusters}`);
  const whole = directoryBytes(outputDirectory);
  // The largest sidecar of all, by bytes (its size is all statSync needs; only the winner is read).
  let largest: { service: MeshService; version: string | undefined; bytes: number } | undefined;
  for (const service of mesh.services) {
    for (const version of service.versions.length > 0 ? service.versions : [undefined]) {
      const bytes = statSync(configFile(service, version)).size;
      if (!largest || bytes > largest.bytes) largest = { service, version, bytes };
    }
  }
  const largestText = readFileSync(configFile(largest!.service, largest!.version), 'utf8');
  return {
    services,
    workload: `${example.namespace}/${example.name}${example.versions[0] ? ` ${example.versions[0]}` : ''}`,
    dependencies: example.dependsOn,
    clusters,
    routes: countRoutes(bootstrap),
    listeners: bootstrap.static_resources?.listeners?.length ?? 0,
    bytes: Buffer.byteLength(text),
    meshBytes: whole.bytes,
    meshConfigs: whole.files,
    meshClusters: mesh.clusters,
    workloadsWithSameDependencies: counts.length,
    clustersMost: Math.max(...counts),
    clustersMedian: median(counts),
    largest: {
      workload: `${largest!.service.namespace}/${largest!.service.name}${largest!.version ? ` ${largest!.version}` : ''}`,
      dependencies: largest!.service.dependsOn.length,
      clusters: scanClusterCount(largestText),
      bytes: largest!.bytes,
      sha256: createHash('sha256').update(largestText).digest('hex'),
    },
  };
}
