// Shared by the istio-security tests: compile a mesh (in memory or from disk) with the security
// emitters only, and find objects in the result by kind, namespace and name.
import path from 'node:path';
import { expect } from 'vitest';
import { loadMesh, validate } from '../../src/index.js';
import { SECURITY_EMITTERS } from '../../src/compiler/istio/security/index.js';
import type { MeshModel } from '../../src/model/mesh-model.js';
import { sortObjects, type KubernetesObject } from '../../src/output/manifest.js';
import { validateText } from '../helpers/validate-text.js';

export const repo = path.join(import.meta.dirname, '..', '..');
export const exampleMesh = path.join(repo, 'examples', 'mesh');
export const validFixtures = path.join(repo, 'test', 'fixtures', 'valid');

/** The kinds the security emitters produce. */
export const SECURITY_KINDS = [
  'AuthorizationPolicy',
  'Namespace',
  'PeerAuthentication',
  'RequestAuthentication',
  'Service',
  'ServiceEntry',
  'Sidecar',
  'Telemetry',
  'WorkloadEntry',
] as const;

export function compileSecurity(model: MeshModel): KubernetesObject[] {
  return sortObjects(SECURITY_EMITTERS.flatMap((emit) => emit(model)));
}

/** Validates the text (it must be free of errors, or the test is not about what it claims) and compiles it. */
export function compileText(text: string): KubernetesObject[] {
  const result = validateText(text);
  expect(result.diagnostics.filter((d) => d.level === 'error').map((d) => `${d.code}: ${d.message}`)).toEqual([]);
  return compileSecurity(result.model);
}

export async function compilePath(meshPath: string): Promise<KubernetesObject[]> {
  const result = validate(await loadMesh([meshPath]));
  expect(result.errorCount).toBe(0);
  return compileSecurity(result.model);
}

export function find(objects: readonly KubernetesObject[], kind: string, namespace: string | undefined, name: string): KubernetesObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
}

/** The object's spec (untyped, as tests read it), failing the test when the object is missing. */
export function specOf(objects: readonly KubernetesObject[], kind: string, namespace: string | undefined, name: string): any {
  const object = find(objects, kind, namespace, name);
  expect(object, `${kind} ${namespace ?? ''}/${name}`).toBeDefined();
  return object!.spec;
}

export function names(objects: readonly KubernetesObject[], kind: string): string[] {
  return objects.filter((o) => o.kind === kind).map((o) => `${o.metadata.namespace ?? ''}/${o.metadata.name}`);
}
