// The compile pipeline as a library call: validate, and only when the mesh is free of errors,
// emit the target's output. A mesh with errors is never compiled: half a mesh applied to a
// cluster is worse than none. The Istio target gives Kubernetes objects; the Envoy target gives
// one Envoy bootstrap per proxy.
import type { LoadedMesh } from '../loader/load-mesh.js';
import type { KubernetesObject } from '../output/manifest.js';
import { validate, type ValidateOptions, type ValidationResult } from '../validators/validate.js';
import { buildEnvoyConfig, planEnvoyProxies, type EnvoyCompileOptions, type EnvoyConfig, type EnvoyProxy } from './envoy/index.js';
import { compileGatewayApi } from './gateway-api/index.js';
import { compileIstio } from './istio/index.js';

export const TARGETS = ['istio', 'envoy', 'gateway-api'] as const;
export type Target = (typeof TARGETS)[number];

export interface CompileOptions extends ValidateOptions {
  target: Target;
  /** Settings of the Envoy target (certificate path overrides). */
  envoy?: EnvoyCompileOptions;
  /** Gateway API target: write no Istio kinds (default: the Mesh's gatewayApi.portable). */
  portable?: boolean;
}

export type CompileResult =
  | { ok: true; target?: 'istio' | 'gateway-api'; validation: ValidationResult; objects: KubernetesObject[] }
  | { ok: false; validation: ValidationResult };

export type EnvoyCompileResult =
  | { ok: true; target: 'envoy'; validation: ValidationResult; configs: EnvoyConfig[] }
  | { ok: false; validation: ValidationResult };

export type EnvoyPlanResult =
  | { ok: true; validation: ValidationResult; proxies: EnvoyProxy[] }
  | { ok: false; validation: ValidationResult };

/**
 * The Envoy target's gate without the compiling: every proxy of a valid mesh, each compiled only
 * when its `build()` is called, so a caller can write one at a time and drop it.
 */
export function planEnvoy(loaded: LoadedMesh, options: ValidateOptions & { envoy?: EnvoyCompileOptions } = {}): EnvoyPlanResult {
  const validation = validate(loaded, options);
  if (validation.fatal || validation.errorCount > 0) return { ok: false, validation };
  return { ok: true, validation, proxies: planEnvoyProxies(validation.model, options.envoy) };
}

export function compile(loaded: LoadedMesh, options: CompileOptions & { target: 'istio' | 'gateway-api' }): CompileResult;
export function compile(loaded: LoadedMesh, options: CompileOptions & { target: 'envoy' }): EnvoyCompileResult;
export function compile(loaded: LoadedMesh, options: CompileOptions): CompileResult | EnvoyCompileResult;
export function compile(loaded: LoadedMesh, options: CompileOptions): CompileResult | EnvoyCompileResult {
  if (options.target === 'envoy') {
    const planned = planEnvoy(loaded, withoutTarget(options));
    return planned.ok ? { ok: true, target: 'envoy', validation: planned.validation, configs: planned.proxies.map(buildEnvoyConfig) } : planned;
  }
  if (options.target === 'gateway-api') {
    // The target's own rules (what the Gateway API cannot say) run only for it.
    const { target: _target, envoy: _envoy, ...validateOptions } = options;
    const validation = validate(loaded, { ...validateOptions, ruleTarget: 'gateway-api' });
    if (validation.fatal || validation.errorCount > 0) return { ok: false, validation };
    const portable = options.portable !== undefined ? { portable: options.portable } : {};
    return { ok: true, target: 'gateway-api', validation, objects: compileGatewayApi(validation.model, portable) };
  }
  const validation = validate(loaded, withoutTarget(options));
  if (validation.fatal || validation.errorCount > 0) return { ok: false, validation };
  return { ok: true, validation, objects: compileIstio(validation.model) };
}

/** The options validation reads; the Gateway API target's portable mode is not one the other targets have. */
function withoutTarget(options: CompileOptions): ValidateOptions & { envoy?: EnvoyCompileOptions } {
  const { target: _target, portable: _portable, ...rest } = options;
  return rest;
}
