// meshctl as a library: load a mesh, validate it, and format the findings.
export { loadMesh, loadSources, type LoadOptions, type LoadedMesh } from './loader/load-mesh.js';
export { DEFAULT_LIMITS, type LoadLimits } from './loader/limits.js';
export { SourceText, type SourceDocument } from './loader/source-file.js';
export { UnknownRuleError, type ValidationResult } from './validators/validate.js';
export { validate, compile, compileArtifacts, type ValidateOptions, type CompileOptions, type CompileResult, type ArtifactsResult } from './pipeline/index.js';
export { RULES, findRule } from './targets/rules.js';
export type { RuleMeta, RuleCategory } from './diagnostics/rule.js';
export type { Rule, RuleContext } from './validators/rule.js';
export type { Diagnostic, Level, LevelSetting, SourceSpan } from './diagnostics/types.js';
export { buildMeshModel, type MeshModel, type ServiceNode, type ExternalServiceNode, type GatewayNode } from './model/mesh-model.js';
export { meshJsonSchema, meshJsonSchemaText } from './schema/json-schema.js';
export * as schema from './schema/resources.js';
export { formatStylish } from './report/stylish.js';
export { formatJson } from './report/json.js';
export { formatSarif } from './report/sarif.js';
export { formatGithub } from './report/github.js';
export {
  TARGET_NAMES as TARGETS,
  REGISTERED_TARGETS,
  DEFAULT_TARGET,
  OBJECT_TARGETS,
  findTarget,
  rulesOf,
  configuredTargets,
  type TargetName as Target,
  type Target as TargetDefinition,
  type Artifacts,
  type ArtifactKind,
  type FileArtifacts,
  type ObjectArtifacts,
  type TargetSettings,
} from './targets/index.js';
export { compileEnvoy, EnvoyCompileError, type EnvoyConfig, type EnvoyCompileOptions } from './compiler/envoy/index.js';
export { envoyConfigToYaml, envoyConfigsToYamlStream, envoyConfigsToJson } from './compiler/envoy/render.js';
export { compileIstio } from './compiler/istio/index.js';
export { toYamlStream, toJsonList, type KubernetesObject } from './output/manifest.js';
export {
  buildServiceGraph,
  diffServiceGraphs,
  focusGraph,
  renderMermaid,
  renderDot,
  renderGraphJson,
  EMPTY_GRAPH,
  type ServiceGraph,
  type GraphNode,
  type GraphEdge,
  type ChangeStatus,
} from './graph/index.js';
export {
  planMeshChanges,
  applyPlan,
  planChanges,
  loadKubeConfig,
  KubeClient,
  ClusterError,
  applySetId,
  parseApplySetRef,
  renderChanges,
  changeToJson,
  type ClusterOptions,
  type ChangePlan,
  type ApplyOptions,
  type ApplyResult,
  type ObjectChange,
  type ClusterTarget,
} from './cluster/index.js';
export { readMeshRevisions, type MeshRevisions, type MeshRevision, type ReadMeshRevisionsOptions } from './git/mesh-revisions.js';
export { GitReadError } from './git/repository.js';
export {
  prepareReviewSide,
  reviewMesh,
  matchesFailOn,
  renderReviewMarkdown,
  renderReviewJson,
  renderReviewStylish,
  FAIL_ON,
  type ReviewSide,
  type MeshReview,
  type FailOn,
  type EntityChange,
  type BehaviourChange,
  type AccessChange,
  type ObjectChange as ReviewObjectChange,
} from './review/index.js';
