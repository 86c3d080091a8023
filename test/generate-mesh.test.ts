// The synthetic mesh generator behind the validate measurements: its output must depend on the seed
// alone (so figures are comparable between runs and machines) and must be a mesh meshctl accepts,
// so that a measurement times validation, not error reporting. Its shape must not grow with the
// size (a bounded number of dependencies, one fixed widest workload), so that the benchmark's
// largest sidecar measures meshctl rather than the tail of a random sample.
import { describe, expect, it } from 'vitest';
import { MAX_DEPENDENCIES, NAMESPACE_COUNT, REFERENCE_NAMESPACE, WIDEST_WORKLOAD, generateMesh, type GeneratedFile } from '../bench/generate-mesh.js';
import { compileEnvoy, envoyConfigToYaml, loadSources, SourceText, validate } from '../src/index.js';

const validateFiles = (files: readonly GeneratedFile[]) => validate(loadSources(files.map((file) => new SourceText(file.path, file.text))));

describe('generateMesh', () => {
  const first = generateMesh({ services: 200, seed: 7 });

  it('is byte-identical for the same seed and size', () => {
    const second = generateMesh({ services: 200, seed: 7 });
    expect(second.map((f) => f.path)).toEqual(first.map((f) => f.path));
    for (const [index, file] of second.entries()) expect(file.text, file.path).toBe(first[index]!.text);
  });

  it('differs for another seed', () => {
    const other = generateMesh({ services: 200, seed: 8 });
    expect(other.map((f) => f.text).join('')).not.toBe(first.map((f) => f.text).join(''));
  });

  it('writes one multi-document file per namespace, plus the Mesh', () => {
    expect(first.length).toBe(NAMESPACE_COUNT + 2);
    expect(first.filter((f) => f.path === `${REFERENCE_NAMESPACE}.yaml`)).toHaveLength(1);
    expect(first.filter((f) => f.path === 'mesh.yaml')).toHaveLength(1);
    expect(new Set(first.map((f) => f.path)).size).toBe(first.length);
  });

  it('validates with no findings', () => {
    const result = validateFiles(first);
    expect(result.diagnostics.map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.level} ${d.code} ${d.message}`)).toEqual([]);
    expect(result.model.services.length + result.model.externalServices.length).toBe(200);
    expect(result.model.mesh).toBeDefined();
    expect(new Set(result.model.services.map((s) => s.namespace)).size).toBe(NAMESPACE_COUNT + 1);
  });

  it('bounds every service\'s dependencies, and holds the same reference workloads at every size', () => {
    const reference = (files: readonly GeneratedFile[]) => files.find((f) => f.path === `${REFERENCE_NAMESPACE}.yaml`)!.text;
    for (const services of [100, 1000]) {
      const files = generateMesh({ services, seed: 1 });
      expect(reference(files), `${services} services`).toBe(reference(first));
      const model = validateFiles(files).model;
      expect(model.services.length + model.externalServices.length).toBe(services);
      const dependencies = model.services.map((s) => ({ key: `${s.namespace}/${s.name}`, count: s.resource.spec.dependsOn?.length ?? 0 }));
      expect(dependencies.filter((d) => d.count > MAX_DEPENDENCIES)).toEqual([]);
      expect(dependencies.find((d) => d.key === `${REFERENCE_NAMESPACE}/${WIDEST_WORKLOAD}`)!.count).toBe(MAX_DEPENDENCIES);
    }
    // The one-file mesh of the cold-start figures is too small to hold them: the Mesh and one Service.
    expect(generateMesh({ services: 1, seed: 1 }).map((f) => f.path)).toEqual(['mesh.yaml', 'platform.yaml']);
  });

  // What the benchmark's target relies on, checked here on small meshes: compiled for Envoy, the
  // widest reference workload is the largest sidecar, with the most clusters, and the same text
  // at every size.
  it('makes the widest reference workload the largest Envoy sidecar, the same at every size', { timeout: 120_000 }, () => {
    const sidecars = (services: number) => {
      const model = validateFiles(generateMesh({ services, seed: 1 })).model;
      return compileEnvoy(model)
        .filter((config) => config.kind === 'sidecar')
        .map((config) => {
          const text = envoyConfigToYaml(config);
          const clusters = (config.bootstrap as { static_resources: { clusters: unknown[] } }).static_resources.clusters.length;
          return { path: config.path, text, bytes: Buffer.byteLength(text), clusters };
        });
    };
    const widestPath = `${REFERENCE_NAMESPACE}/${WIDEST_WORKLOAD}-v1.yaml`;
    const small = sidecars(200).find((s) => s.path === widestPath)!;
    const all = sidecars(1000);
    const widest = all.find((s) => s.path === widestPath)!;
    expect(widest.text).toBe(small.text);
    const random = all.filter((s) => !s.path.startsWith(`${REFERENCE_NAMESPACE}/`));
    const largest = random.reduce((a, b) => (b.bytes > a.bytes ? b : a));
    const mostClusters = random.reduce((a, b) => (b.clusters > a.clusters ? b : a));
    expect(largest.bytes, largest.path).toBeLessThan(widest.bytes);
    expect(mostClusters.clusters, mostClusters.path).toBeLessThanOrEqual(widest.clusters);
    expect(widest.clusters).toBe(3 * (MAX_DEPENDENCIES + 1) + 2);
  });

  it('has the mix of a real mesh', () => {
    const model = validateFiles(generateMesh({ services: 1000, seed: 1 })).model;
    // The random services; the fixed reference group is checked above.
    const services = model.services.filter((s) => s.namespace !== REFERENCE_NAMESPACE).map((s) => s.resource.spec);
    const share = (test: (spec: (typeof services)[number]) => boolean) => services.filter(test).length / services.length;
    // The mix: 30% canary, 20% A/B cohort, 10% rate-limited, 5% external or VM-backed;
    // the bounds leave room for the randomness of 1,000 draws.
    expect(share((s) => s.canary !== undefined)).toBeGreaterThan(0.25);
    expect(share((s) => s.canary !== undefined)).toBeLessThan(0.35);
    expect(share((s) => s.abTest !== undefined)).toBeGreaterThan(0.15);
    expect(share((s) => s.abTest !== undefined)).toBeLessThan(0.25);
    expect(share((s) => s.rateLimit !== undefined)).toBeGreaterThan(0.07);
    expect(share((s) => s.rateLimit !== undefined)).toBeLessThan(0.13);
    const externalOrVm = (model.externalServices.length + services.filter((s) => (s.vms ?? []).length > 0).length) / (services.length + model.externalServices.length);
    expect(externalOrVm).toBeGreaterThan(0.025);
    expect(externalOrVm).toBeLessThan(0.075);
    expect(share((s) => (s.vms ?? []).length > 0)).toBeGreaterThan(0.01);
    expect(share((s) => (s.access?.allow ?? []).length > 0)).toBe(1);

    // 1–3 versions, every count present; the rate-limit service is the one without versions.
    const versionCounts = new Set(services.filter((s) => s.versions !== undefined).map((s) => Object.keys(s.versions!).length));
    expect([...versionCounts].sort()).toEqual([1, 2, 3]);
    expect(services.filter((s) => s.versions === undefined)).toHaveLength(1);

    // Access rules name 1–5 callers; again the rate-limit service (allowed by namespace) aside.
    const callersNamed = services.map((s) => (s.access?.allow ?? []).reduce((sum, rule) => sum + (rule.from?.services?.length ?? 0), 0));
    expect(callersNamed.filter((n) => n === 0)).toHaveLength(1);
    expect(Math.max(...callersNamed)).toBe(5);
    expect(new Set(callersNamed.filter((n) => n > 0))).toEqual(new Set([1, 2, 3, 4, 5]));

    const routes = services.flatMap((s) => s.routes ?? []);
    expect(routes.filter((r) => r.timeout !== undefined && r.retries !== undefined).length / routes.length).toBeGreaterThan(0.7);
  });

  // The largest mesh the benchmark measures: generated names must not collide at this density
  // (hundreds of services in a namespace), or validate would time error reporting.
  it('validates 20,000 services with no findings', { timeout: 180_000 }, () => {
    const result = validateFiles(generateMesh({ services: 20_000, seed: 1 }));
    expect(result.diagnostics.slice(0, 5).map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.level} ${d.code} ${d.message}`)).toEqual([]);
    expect(result.model.services.length + result.model.externalServices.length).toBe(20_000);
    expect(Math.max(...result.model.services.map((s) => s.resource.spec.dependsOn?.length ?? 0))).toBe(MAX_DEPENDENCIES);
  });
});
