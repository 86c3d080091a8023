// What a compile target is: a name the commands and .meshctl.yaml accept, the rules that check
// what it writes, and how it turns a valid mesh into its artifacts. Every target is registered
// once, in ./index.ts; commands, flags, writers, diff and review read the registry rather than
// naming targets.
import type { MeshModel } from '../model/mesh-model.js';
import type { ArtifactKind, FileArtifacts, ObjectArtifacts } from '../output/artifacts.js';

export type { Artifacts, ArtifactKind, FileArtifacts, ObjectArtifacts } from '../output/artifacts.js';

/** Settings of individual targets, each under its target's name; a target ignores the others'. */
export interface TargetSettings {
  /** The Envoy target: read every certificate from this directory instead of the mesh's paths. */
  readonly envoy?: { readonly certificateDirectory?: string };
  /** The Gateway API target: write no Istio kinds (default: the Mesh's gatewayApi.portable). */
  readonly gatewayApi?: { readonly portable?: boolean };
}

interface TargetBase<Name extends string, Output> {
  readonly name: Name;
  readonly artifacts: ArtifactKind;
  /** One line for --help and docs. */
  readonly summary: string;
  /**
   * Whether the mesh files themselves speak of this target (sections only it reads), so that
   * `meshctl validate` without --target checks for it too.
   */
  readonly configuredBy?: (model: MeshModel) => boolean;
  /** The whole output in memory, the library's form (`compile()` spreads it into its result). */
  compile(model: MeshModel, settings: TargetSettings): Output;
}

export interface ObjectTarget<Name extends string = string, Output = unknown> extends TargetBase<Name, Output> {
  readonly artifacts: 'objects';
  emit(model: MeshModel, settings: TargetSettings): ObjectArtifacts;
}

export interface FileTarget<Name extends string = string, Output = unknown> extends TargetBase<Name, Output> {
  readonly artifacts: 'files';
  emit(model: MeshModel, settings: TargetSettings): FileArtifacts;
}

export type Target<Name extends string = string, Output = unknown> = ObjectTarget<Name, Output> | FileTarget<Name, Output>;

/** Keeps a target's literal name and output type, for the typed registry. */
export function defineTarget<const T extends Target<string, object>>(target: T): T {
  return target;
}
