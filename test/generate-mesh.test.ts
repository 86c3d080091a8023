// The synthetic mesh generator behind the validate measurements: its output must depend on the seed
// alone (so figures are comparable between runs and machines) and must be a mesh meshctl accepts,
// so that a measurement times validation, not error reporting.
import { describe, expect, it } from 'vitest';
import { NAMESPACE_COUNT, generateMesh, type GeneratedFile } from '../bench/generate-mesh.js';
import { loadSources, SourceText, validate } from '../src/index.js';

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
    expect(first.length).toBe(NAMESPACE_COUNT + 1);
    expect(first.filter((f) => f.path === 'mesh.yaml')).toHaveLength(1);
    expect(new Set(first.map((f) => f.path)).size).toBe(first.length);
  });

  it('validates with zero errors', () => {
    const result = validateFiles(first);
    const errors = result.diagnostics.filter((d) => d.level === 'error');
    expect(errors.map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.code} ${d.message}`)).toEqual([]);
    expect(result.model.services.length + result.model.externalServices.length).toBe(200);
    expect(result.model.mesh).toBeDefined();
    expect(new Set(result.model.services.map((s) => s.namespace)).size).toBe(NAMESPACE_COUNT);
  });

  it('has the mix of a real mesh', () => {
    const model = validateFiles(generateMesh({ services: 1000, seed: 1 })).model;
    const services = model.services.map((s) => s.resource.spec);
    const share = (test: (spec: (typeof services)[number]) => boolean) => services.filter(test).length / services.length;
    // The mix: 30% canary, 20% A/B cohort, 10% rate-limited, 5% external or VM-backed;
    // the bounds leave room for the randomness of 1,000 draws.
    expect(share((s) => s.canary !== undefined)).toBeGreaterThan(0.25);
    expect(share((s) => s.canary !== undefined)).toBeLessThan(0.35);
    expect(share((s) => s.abTest !== undefined)).toBeGreaterThan(0.15);
    expect(share((s) => s.abTest !== undefined)).toBeLessThan(0.25);
    expect(share((s) => s.rateLimit !== undefined)).toBeGreaterThan(0.07);
    expect(share((s) => s.rateLimit !== undefined)).toBeLessThan(0.13);
    const externalOrVm = (model.externalServices.length + services.filter((s) => (s.vms ?? []).length > 0).length) / 1000;
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
  it('validates 20,000 services with zero errors', { timeout: 180_000 }, () => {
    const result = validateFiles(generateMesh({ services: 20_000, seed: 1 }));
    const errors = result.diagnostics.filter((d) => d.level === 'error');
    expect(errors.slice(0, 5).map((d) => `${d.span.file}:${d.span.line}:${d.span.column} ${d.code} ${d.message}`)).toEqual([]);
    expect(result.model.services.length + result.model.externalServices.length).toBe(20_000);
  });
});
