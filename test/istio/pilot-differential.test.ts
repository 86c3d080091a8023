// The differential: for every workload and gateway of the example mesh and of every valid fixture,
// what istiod pushes for the Istio target (pilot, in process) must mean what `compile --target
// envoy` writes for the same proxy. Concrete requests are derived from both sides' route matches and
// the services' access rules, and both configurations are read by the same evaluator
// (test/support/envoy-request.ts): upstream clusters and weights, timeouts, retries, faults,
// mirrors, rewrites, redirects, and the allow/deny decision for every caller identity.
//
// Differences known today are listed with their reason and where they occur. Each must still occur
// (a fixed one fails here until its entry is removed) and nothing else may differ.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ISTIO_BUILD_TIMEOUT_MS, installIstioJudge, meshUnderJudgement } from '../support/istio-judge.js';
import { pilotDifferential, type Difference } from '../support/pilot-differential.js';

const repoRoot = path.join(import.meta.dirname, '..', '..');
const MESHES = [
  'examples/mesh',
  ...readdirSync(path.join(repoRoot, 'test', 'fixtures', 'valid'))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort()
    .map((name) => `test/fixtures/valid/${name}`),
];

beforeAll(async () => {
  await installIstioJudge();
}, ISTIO_BUILD_TIMEOUT_MS);

interface KnownDifference {
  reason: string;
  matches(difference: Difference): boolean;
  /** The meshes where it occurs today. */
  meshes: readonly string[];
}

// Where pilot's choice and the Envoy target's differ on purpose, the difference is listed here with
// its reason and the meshes it occurs in.
const KNOWN_DIFFERENCES: Record<string, KnownDifference> = {
  'the Envoy target configures what a service calls': {
    reason:
      'a service that declares no dependsOn gets no Sidecar from the Istio target (a Sidecar importing only the derived dependencies would cut off calls the mesh file never announced), so istiod routes every service; the Envoy target has no such default and writes routes for the services it calls, declared or derived (docs/envoy.md)',
    matches: (d) => d.facet === 'configured',
    meshes: [
      'examples/mesh',
      'test/fixtures/valid/policy-exposed-public-service.yaml',
      'test/fixtures/valid/policy-layered-mtls-and-access.yaml',
      'test/fixtures/valid/policy-resilience-and-rate-limits.yaml',
      'test/fixtures/valid/references-cross-namespace.yaml',
      'test/fixtures/valid/references-envoy-target-ports.yaml',
      'test/fixtures/valid/references-wildcard-gateway-hosts.yaml',
      'test/fixtures/valid/routing-canary-and-ab-test.yaml',
      'test/fixtures/valid/routing-tcp-and-mixed-ports.yaml',
    ],
  },
};

function describeDifference(d: Difference): string {
  return `${d.proxy} ${d.where} [${d.facet}] ${d.request}: pilot ${JSON.stringify(d.pilot)}, meshctl ${JSON.stringify(d.meshctl)}`;
}

describe('what pilot pushes means what the Envoy target writes, request by request', () => {
  it.each(MESHES)('%s', async (mesh) => {
    const result = await pilotDifferential(await meshUnderJudgement([mesh]));
    // Every route match yielded a request, and the comparison covered something.
    expect(result.unsatisfiable).toEqual([]);
    expect(result.agreed).toBeGreaterThan(20);

    const unexplained = result.differences.filter((d) => !Object.values(KNOWN_DIFFERENCES).some((known) => known.matches(d)));
    expect(unexplained.map(describeDifference)).toEqual([]);

    for (const [name, known] of Object.entries(KNOWN_DIFFERENCES)) {
      const occurs = result.differences.some((d) => known.matches(d));
      expect(occurs, `known difference "${name}" ${occurs ? 'occurs' : 'no longer occurs'} in ${mesh}: update KNOWN_DIFFERENCES`).toBe(known.meshes.includes(mesh));
    }
  });
});
