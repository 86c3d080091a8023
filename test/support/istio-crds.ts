// Istio's CRDs from ../shared/crds, loaded once per test file, and what they refuse in a set of
// compiled objects as one readable line per problem.
import path from 'node:path';
import type { KubernetesObject } from '../../src/output/manifest.js';
import { loadCrds, validateAgainstCrd, type CrdCatalog } from './crd-validator.js';

export const ISTIO_CRD_FILE = path.join(import.meta.dirname, '..', '..', '..', 'shared', 'crds', 'istio-v1.30.3.yaml');

// Kinds meshctl emits that are plain Kubernetes objects, served without a CRD.
const CORE_KINDS = new Set(['Namespace', 'ConfigMap', 'Service']);

let catalog: CrdCatalog | undefined;

export function istioCatalog(): CrdCatalog {
  catalog ??= loadCrds(ISTIO_CRD_FILE);
  return catalog;
}

/** Every violation, and every CEL rule that could not be evaluated (never passed silently). */
export function crdProblems(objects: readonly KubernetesObject[]): string[] {
  const problems: string[] = [];
  for (const object of objects) {
    if (CORE_KINDS.has(object.kind)) continue;
    const violations = validateAgainstCrd(istioCatalog(), object);
    const where = `${object.kind} ${object.metadata.namespace}/${object.metadata.name}`;
    for (const v of violations) problems.push(`${where}: ${v.path}: ${v.message}`);
    for (const u of violations.unevaluated) problems.push(`${where}: CEL rule not evaluated at ${u.path}: ${u.reason}`);
  }
  return problems;
}
