// The pipeline: load -> check -> emit, for one target from the registry. It sits above the
// validators and the targets' emitters and ties them together, so that neither knows the other:
// a validator never asks which target is compiled except through its RuleContext, and it runs the
// rules the pipeline gives it (every rule, from the registry in src/targets/rules.ts). A mesh with errors is never compiled: half a mesh applied to a
// cluster is worse than none.
import { UserError } from '../diagnostics/user-error.js';
import type { LoadedMesh } from '../loader/load-mesh.js';
import {
  ALL_RULES,
  configuredTargets,
  findTarget,
  TARGET_NAMES,
  type Artifacts,
  type Target,
  type TargetName,
  type TargetOutput,
  type TargetSettings,
} from '../targets/index.js';
import type { LevelSetting } from '../diagnostics/types.js';
import { resolveLevels, validate as checkMesh, type ValidateOptions as CheckOptions, type ValidationResult } from '../validators/validate.js';

export interface ValidateOptions extends Omit<CheckOptions, 'targets' | 'ruleSet'> {
  /**
   * The targets to check for (their rules run). Default: `projectTarget` (else the registry's
   * default target) and every target the mesh files configure.
   */
  targets?: readonly string[];
  /** The target .meshctl.yaml names, the default of `targets`. */
  projectTarget?: string;
}

/** Validates a mesh for the targets it will be compiled to (see ValidateOptions.targets). */
export function validate(loaded: LoadedMesh, options: ValidateOptions = {}): ValidationResult {
  const { targets, projectTarget, ...rest } = options;
  for (const name of targets ?? []) targetNamed(name);
  return checkMesh(loaded, { ...rest, ruleSet: ALL_RULES, targets: targets ?? ((model) => configuredTargets(model, projectTarget)) });
}

/** Every rule's level after the overrides (codes or names of any rule); throws UnknownRuleError for one meshctl does not have. */
export function ruleLevels(overrides: Readonly<Record<string, LevelSetting>>): Map<string, LevelSetting> {
  return resolveLevels(overrides, ALL_RULES);
}

export interface CompileOptions<Name extends TargetName = TargetName> extends Omit<CheckOptions, 'targets' | 'ruleSet'> {
  target: Name;
  /** Settings of individual targets. */
  settings?: TargetSettings;
  /** The Envoy target's settings; the same as `settings.envoy`. */
  envoy?: TargetSettings['envoy'];
  /** The Gateway API target's portable mode; the same as `settings.gatewayApi.portable`. */
  portable?: boolean;
}

export type CompileResult<Name extends TargetName = TargetName> =
  | ({ ok: true; target: Name; validation: ValidationResult } & TargetOutput<Name>)
  | { ok: false; validation: ValidationResult };

/**
 * Validates the mesh for the target (its own rules included) and, when it is free of errors,
 * compiles it: `{objects}` for the Istio target, `{configs}` for the Envoy target.
 */
export function compile<Name extends TargetName>(loaded: LoadedMesh, options: CompileOptions<Name>): CompileResult<Name> {
  const target = targetNamed(options.target);
  const validation = checkFor(loaded, target, options);
  if (validation.fatal || validation.errorCount > 0) return { ok: false, validation };
  const output = target.compile(validation.model, settingsOf(options)) as TargetOutput<Name>;
  return { ok: true, target: options.target, validation, ...output };
}

export type ArtifactsResult =
  | { ok: true; target: Target; validation: ValidationResult; artifacts: Artifacts }
  | { ok: false; target: Target; validation: ValidationResult };

/**
 * As compile, but the output as the target's artifacts, the form the commands write: objects, or
 * files that are each built only when asked for.
 */
export function compileArtifacts(loaded: LoadedMesh, options: Omit<CompileOptions, 'target'> & { target: string }): ArtifactsResult {
  const checked = checkForTarget(loaded, options);
  return checked.ok ? { ok: true, target: checked.target, validation: checked.validation, artifacts: emitArtifacts(checked) } : checked;
}

export type CheckedMesh =
  | { ok: true; target: Target; validation: ValidationResult; settings: TargetSettings }
  | { ok: false; target: Target; validation: ValidationResult };

/**
 * compileArtifacts's first half: validates the mesh for the target. Nothing it returns refers to
 * the loaded mesh, so a caller that lets go of it before emitArtifacts compiles without the source
 * texts and parsed documents in memory (for a large mesh, a large share of the peak).
 */
export function checkForTarget(loaded: LoadedMesh, options: Omit<CompileOptions, 'target'> & { target: string }): CheckedMesh {
  const target = targetNamed(options.target);
  const validation = checkFor(loaded, target, options);
  if (validation.fatal || validation.errorCount > 0) return { ok: false, target, validation };
  return { ok: true, target, validation, settings: settingsOf(options) };
}

/** compileArtifacts's second half: the target's artifacts of a mesh checkForTarget passed. */
export function emitArtifacts(checked: Extract<CheckedMesh, { ok: true }>): Artifacts {
  return checked.target.emit(checked.validation.model, checked.settings);
}

function checkFor(loaded: LoadedMesh, target: Target, options: Omit<CompileOptions, 'target'> & { target: string }): ValidationResult {
  const { target: _target, settings: _settings, envoy: _envoy, portable: _portable, ...check } = options;
  const portable = settingsOf(options).gatewayApi?.portable;
  return checkMesh(loaded, { ...check, ruleSet: ALL_RULES, targets: [target.name], ...(portable !== undefined ? { portable } : {}) });
}

function settingsOf(options: Pick<CompileOptions, 'settings' | 'envoy' | 'portable'>): TargetSettings {
  return {
    ...options.settings,
    ...(options.envoy !== undefined ? { envoy: options.envoy } : {}),
    ...(options.portable !== undefined ? { gatewayApi: { ...options.settings?.gatewayApi, portable: options.portable } } : {}),
  };
}

function targetNamed(name: string): Target {
  const target = findTarget(name);
  if (!target) throw new UserError(`unknown target "${name}" (known: ${TARGET_NAMES.join(', ')})`);
  return target;
}
