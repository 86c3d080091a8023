// The compile pipeline as a library call: validate, and only when the mesh is free of errors,
// emit the target's objects. A mesh with errors is never compiled: half a mesh applied to a
// cluster is worse than none.
import type { LoadedMesh } from '../loader/load-mesh.js';
import type { KubernetesObject } from '../output/manifest.js';
import { validate, type ValidateOptions, type ValidationResult } from '../validators/validate.js';
import { compileIstio } from './istio/index.js';

export const TARGETS = ['istio'] as const;
export type Target = (typeof TARGETS)[number];

export interface CompileOptions extends ValidateOptions {
  target: Target;
}

export type CompileResult =
  | { ok: true; validation: ValidationResult; objects: KubernetesObject[] }
  | { ok: false; validation: ValidationResult };

export function compile(loaded: LoadedMesh, options: CompileOptions): CompileResult {
  const validation = validate(loaded, options);
  if (validation.fatal || validation.errorCount > 0) return { ok: false, validation };
  return { ok: true, validation, objects: compileIstio(validation.model) };
}
