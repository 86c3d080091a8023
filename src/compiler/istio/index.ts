// emit (Istio target): the resolved mesh model -> the Kubernetes objects an Istio mesh runs on.
// Pure and deterministic: no clocks, no environment, no randomness; objects come out sorted.
import type { MeshModel } from '../../model/mesh-model.js';
import { sortObjects, type KubernetesObject } from '../../output/manifest.js';
import { RATELIMIT_EMITTERS } from './ratelimit/index.js';
import { SECURITY_EMITTERS } from './security/index.js';
import { TRAFFIC_EMITTERS } from './traffic/index.js';

/** One emitter per concern; each returns its objects in any order (the result is sorted). */
export type IstioEmitter = (model: MeshModel) => KubernetesObject[];

export function compileIstio(model: MeshModel): KubernetesObject[] {
  const emitters = [...TRAFFIC_EMITTERS, ...SECURITY_EMITTERS, ...RATELIMIT_EMITTERS];
  return sortObjects(emitters.flatMap((emit) => emit(model)));
}
