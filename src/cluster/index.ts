// src/cluster/: meshctl's only contact with Kubernetes. kubeconfig → client → discovery and live
// state → change plan (diff) → apply with ApplySet pruning.
import type { KubernetesObject } from '../output/manifest.js';
import { DEFAULT_APPLYSET_NAMESPACE, defaultApplySetName, parseApplySetRef } from './applyset.js';
import { KubeClient } from './client.js';
import { loadKubeConfig, type ClusterTarget } from './kubeconfig.js';
import { planChanges, type ChangePlan } from './plan.js';

export interface ClusterOptions {
  kubeconfig?: string;
  context?: string;
  /** `--applyset`; default `istio-system/meshctl-<mesh name>`. */
  applyset?: string;
  /** metadata.name of the Mesh document, for the default ApplySet name. */
  meshName?: string;
  /** --adopt: existing objects that belong to no one become members. */
  adopt?: boolean;
  requestTimeoutMs?: number;
  env?: NodeJS.ProcessEnv;
  /** The cluster, already read from the kubeconfig (loadKubeConfig); else read here. */
  cluster?: ClusterTarget;
}

/** Connects and plans: the diff of the compiled objects against the cluster. Close `plan.client` after use. */
export async function planMeshChanges(objects: readonly KubernetesObject[], options: ClusterOptions = {}): Promise<ChangePlan> {
  const applyset = parseApplySetRef(options.applyset ?? `${DEFAULT_APPLYSET_NAMESPACE}/${defaultApplySetName(options.meshName)}`);
  const target = options.cluster ?? loadKubeConfig({ kubeconfig: options.kubeconfig, context: options.context, env: options.env });
  const client = new KubeClient(target, { timeoutMs: options.requestTimeoutMs });
  try {
    return await planChanges(client, objects, { applyset, adopt: options.adopt });
  } catch (error) {
    client.close();
    throw error;
  }
}

export * from './applyset.js';
export { applyPlan, type ApplyOptions, type ApplyResult, type ApplyEvent, type AppliedObject, type AppliedAction } from './apply.js';
export { KubeClient, redactServerUrl, type ClientOptions } from './client.js';
export { appliesUnchanged } from './compare.js';
export { Discovery, unservedMessage, type ResourceInfo } from './discovery.js';
export { ClusterError, type ClusterErrorKind, type FieldConflict } from './errors.js';
export { loadKubeConfig, type ClusterTarget, type KubeConfigOptions } from './kubeconfig.js';
export { maskSecretPair, normalizeObject } from './normalize.js';
export { planChanges, type ChangePlan, type KeptObject, type PlannedObject, type PruneCandidate, type PlanOptions } from './plan.js';
export {
  changeToJson,
  keptLine,
  objectLabel,
  renderChange,
  renderChanges,
  summaryLine,
  unifiedDiff,
  type ChangeJson,
  type ChangeSummary,
  type ObjectChange,
} from './render.js';
export { meshctlVersion, sourceCommit } from './source.js';
export { parseConflicts, parseFieldErrors, parseStatus, type ApiStatus } from './status.js';
