// The registry of compile targets. Adding a target is one entry here: its module (a
// defineTarget call) and, for checks of what only it writes, rules whose `target` is its name,
// kept with its emitter (src/compiler/<target>/rules/) and listed in ./rules.ts.
// The first target is the default where neither a flag nor .meshctl.yaml names one.
import type { Rule } from '../validators/rule.js';
import type { MeshModel } from '../model/mesh-model.js';
import { RULES } from './rules.js';
import { envoyTarget } from './envoy.js';
import { gatewayApiTarget } from './gateway-api.js';
import { istioTarget } from './istio.js';
import type { ObjectTarget, Target } from './target.js';

export const REGISTERED_TARGETS = [istioTarget, envoyTarget, gatewayApiTarget] as const;

export type RegisteredTarget = (typeof REGISTERED_TARGETS)[number];
export type TargetName = RegisteredTarget['name'];
/** What the library's compile() adds to its result for this target: `{objects}`, `{configs}`. */
export type TargetOutput<Name extends TargetName> = ReturnType<Extract<RegisteredTarget, { name: Name }>['compile']>;

export const TARGET_NAMES: readonly TargetName[] = REGISTERED_TARGETS.map((target) => target.name);
export const DEFAULT_TARGET: TargetName = REGISTERED_TARGETS[0].name;

export function findTarget(name: string): Target | undefined {
  return REGISTERED_TARGETS.find((target) => target.name === name);
}

export function isTargetName(name: string): name is TargetName {
  return findTarget(name) !== undefined;
}

/** The targets whose artifacts are Kubernetes objects: what diff, apply and review can compare. */
export const OBJECT_TARGETS: readonly ObjectTarget[] = REGISTERED_TARGETS.filter((target): target is Extract<RegisteredTarget, { artifacts: 'objects' }> => target.artifacts === 'objects');

/** The rules that check what this target writes; they run only when it is compiled or asked for. */
export function rulesOf(name: string): readonly Rule[] {
  return RULES.filter((rule) => rule.target === name);
}

/**
 * The targets to check a mesh for when none is named: the one .meshctl.yaml names (else the
 * default), and every target the mesh files themselves configure.
 */
export function configuredTargets(model: MeshModel, projectTarget?: string): TargetName[] {
  const named = projectTarget !== undefined && isTargetName(projectTarget) ? projectTarget : DEFAULT_TARGET;
  return TARGET_NAMES.filter((name) => name === named || findTarget(name)?.configuredBy?.(model) === true);
}

export { ALL_RULES, RULES, findRule } from './rules.js';
export type { Artifacts, ArtifactKind, FileArtifacts, ObjectArtifacts, ObjectTarget, FileTarget, Target, TargetSettings } from './target.js';
