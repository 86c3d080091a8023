// The compile pipeline as a library call: validate, and only when the mesh is free of errors,
// emit the target's output. A mesh with errors is never compiled: half a mesh applied to a
// cluster is worse than none. The Istio target gives Kubernetes objects; the Envoy target gives
// one Envoy bootstrap per proxy.
import type { LoadedMesh } from '../loader/load-mesh.js';
import type { KubernetesObject } from '../output/manifest.js';
import { validate, type ValidateOptions, type ValidationResult } from '../validators/validate.js';
import { compileEnvoy, type EnvoyCompileOptions, type EnvoyConfig } from './envoy/index.js';
import { compileIstio } from './istio/index.js';

export const TARGETS = ['istio', 'envoy'] as const;
export type Target = (typeof TARGETS)[number];

export interface CompileOptions extends ValidateOptions {
  target: Target;
  /** Settings of the Envoy target (certificate path overrides). */
  envoy?: EnvoyCompileOptions;
}

export type CompileResult =
  | { ok: true; target?: 'istio'; validation: ValidationResult; objects: KubernetesObject[] }
  | { ok: false; validation: ValidationResult };

export type EnvoyCompileResult =
  | { ok: true; target: 'envoy'; validation: ValidationResult; configs: EnvoyConfig[] }
  | { ok: false; validation: ValidationResult };

export function compile(loaded: LoadedMesh, options: CompileOptions & { target: 'istio' }): CompileResult;
export function compile(loaded: LoadedMesh, options: CompileOptions & { target: 'envoy' }): EnvoyCompileResult;
export function compile(loaded: LoadedMesh, options: CompileOptions): CompileResult | EnvoyCompileResult;
export function compile(loaded: LoadedMesh, options: CompileOptions): CompileResult | EnvoyCompileResult {
  const validation = validate(loaded, options);
  if (validation.fatal || validation.errorCount > 0) return { ok: false, validation };
  if (options.target === 'envoy') return { ok: true, target: 'envoy', validation, configs: compileEnvoy(validation.model, options.envoy) };
  return { ok: true, validation, objects: compileIstio(validation.model) };
}
