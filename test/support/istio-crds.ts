// Istio's CRDs (pinned in scripts/externals.json), loaded once per test file, and what they refuse
// in a set of compiled objects as one readable line per problem.
import type { KubernetesObject } from '../../src/output/manifest.js';
import { loadCrds, validateAgainstCrd, type CrdCatalog } from './crd-validator.js';
import { externalFile } from './externals.js';

// Kinds meshctl emits that are plain Kubernetes objects, served without a CRD.
const CORE_KINDS = new Set(['Namespace', 'ConfigMap', 'Service']);

let catalog: CrdCatalog | undefined;

export function istioCatalog(): CrdCatalog {
  catalog ??= loadCrds(externalFile('istio-crds'));
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
