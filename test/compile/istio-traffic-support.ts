// What the traffic emitter tests share: compiling a mesh held in memory with the traffic emitters
// alone, and holding everything compiled to Istio's CRDs.
import { expect } from 'vitest';
import { TRAFFIC_EMITTERS } from '../../src/compiler/istio/traffic/index.js';
import type { MeshModel } from '../../src/model/mesh-model.js';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { validateText } from '../helpers/validate-text.js';
import { crdProblems } from '../support/istio-crds.js';

export const HEADER = 'apiVersion: meshctl.dev/v1alpha1\n';

/** Whatever a test compiles must also be what Istio's CRDs accept. */
export function expectAccepted(objects: readonly KubernetesObject[]): void {
  expect(crdProblems(objects)).toEqual([]);
}

/** The model of a mesh that must validate without errors. */
export function compileModel(yaml: string): MeshModel {
  const result = validateText(yaml);
  expect(result.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  return result.model;
}

/** The traffic objects of a mesh that must validate without errors, checked against the CRDs. */
export function compileTraffic(yaml: string): KubernetesObject[] {
  const objects = TRAFFIC_EMITTERS.flatMap((emit) => emit(compileModel(yaml)));
  expectAccepted(objects);
  return objects;
}
