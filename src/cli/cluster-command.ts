// The base of the commands that talk to a cluster (diff, apply): their shared flags, and the order
// every such run follows. Everything the flags alone decide (the request timeout, the kubeconfig
// and its context, an --applyset given) is resolved and checked first, so a typo fails fast,
// before the mesh is read and compiled; then the mesh is compiled for a target whose artifacts
// are Kubernetes objects; then the cluster is asked.
import { Flags } from '@oclif/core';
import type { ChangePlan, ClusterError, ClusterTarget } from '../cluster/index.js';
import type { KubernetesObject } from '../output/manifest.js';
import { DEFAULT_TARGET, OBJECT_TARGETS } from '../targets/index.js';
import { UserError } from '../diagnostics/user-error.js';
import { MeshctlCommand } from './base-command.js';
import { shouldColor } from './color.js';
import { EXIT } from './exit-codes.js';

const OBJECT_TARGET_NAMES = OBJECT_TARGETS.map((target) => target.name);

/** The flags diff and apply share. */
export const clusterFlags = {
  kubeconfig: Flags.string({ summary: 'Kubeconfig file (default: KUBECONFIG, then ~/.kube/config).', helpValue: 'FILE' }),
  context: Flags.string({ summary: 'Kubeconfig context (default: its current context).' }),
  applyset: Flags.string({
    summary: 'ApplySet parent: NAME, NAMESPACE/NAME or secrets|configmaps/NAMESPACE/NAME (default: istio-system/meshctl-<mesh name>).',
  }),
  target: Flags.string({
    char: 't',
    summary: `The target to compile to, one whose output is Kubernetes objects (default: the target of .meshctl.yaml when it is one, else ${DEFAULT_TARGET}).`,
    options: OBJECT_TARGET_NAMES,
  }),
  output: Flags.string({ char: 'o', summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  color: Flags.boolean({ summary: 'Colour the output (default: when stdout is a terminal).', allowNo: true }),
  'request-timeout': Flags.string({ summary: 'Time to wait for each API request, e.g. 500ms, 10s, 1m.', default: '30s' }),
  rule: Flags.string({ summary: "Set a rule's level: CODE=off|info|warning|error. Repeatable.", multiple: true }),
  adopt: Flags.boolean({ summary: 'Make existing objects that belong to no one members of the ApplySet (changed, and later pruned, with it).' }),
  // kubectl users reach for -n; meshctl answers with why it has none instead of "nonexistent flag".
  namespace: Flags.string({ char: 'n', hidden: true }),
};

export const NAMESPACES_HELP = `NAMESPACES
  There is no -n/--namespace: every object's namespace comes from the mesh files (a Service's
  metadata.namespace, the Mesh's defaults), and diff and apply always cover the whole mesh, because
  the ApplySet that decides what to prune is the whole mesh. To look at one namespace, filter the
  JSON output, e.g. meshctl diff mesh/ -o json | jq '.changes[] | select(.namespace == "shop")'.`;

export const CLUSTER_EXIT_CODES = (zero: string, one: string) => `EXIT CODES
  0  ${zero}
  1  ${one}
  2  the run failed: the mesh is invalid (its diagnostics are printed), a usage error, the cluster
     could not be reached or refused a request (401, 403, 409 conflicts, 422, timeouts), or a guard
     stopped the apply (another ApplySet's object, mass prune)`;

type ClusterFlagValues = {
  namespace?: string;
  kubeconfig?: string;
  context?: string;
  applyset?: string;
  target?: string;
  'request-timeout': string;
  rule?: string[];
  adopt?: boolean;
};

/** What the flags decide about the cluster, resolved before the mesh is read. */
export interface ClusterSettings {
  readonly cluster: ClusterTarget;
  readonly requestTimeoutMs: number;
}

/** Shared by diff and apply: check the cluster flags, validate and compile the mesh, then plan against the cluster. */
export abstract class ClusterCommand extends MeshctlCommand {
  /** The flags that need no mesh, checked before anything is read: a bad one ends the run at once. */
  protected async clusterSettings(flags: ClusterFlagValues): Promise<ClusterSettings> {
    if (flags.namespace !== undefined) {
      throw new UserError(
        `-n ${flags.namespace}: meshctl ${this.id} has no namespace flag; namespaces come from the mesh files and ${this.id} always covers the whole mesh (see "meshctl ${this.id} --help", NAMESPACES)`,
      );
    }
    const { parseDuration } = await import('../model/duration.js');
    const timeout = parseDuration(flags['request-timeout']);
    if (timeout === undefined || timeout <= 0) throw new UserError(`--request-timeout ${flags['request-timeout']}: expected a duration such as 500ms, 10s or 1m`);
    const { loadKubeConfig, parseApplySetRef } = await import('../cluster/index.js');
    // Checked now; the default (which needs the mesh's name) is made when the cluster is asked.
    if (flags.applyset !== undefined) parseApplySetRef(flags.applyset);
    return { cluster: loadKubeConfig({ kubeconfig: flags.kubeconfig, context: flags.context }), requestTimeoutMs: timeout };
  }

  protected async compileMesh(paths: readonly string[], flags: ClusterFlagValues, color: boolean): Promise<{ objects: readonly KubernetesObject[]; meshName?: string; meshPath: string }> {
    const rules = await this.ruleLevels(flags.rule, paths);
    const projectTarget = (await this.projectConfig(paths))?.target;
    const target = flags.target ?? (projectTarget !== undefined && OBJECT_TARGET_NAMES.includes(projectTarget) ? projectTarget : DEFAULT_TARGET);
    const [{ compileArtifacts }, { formatStylish }] = await Promise.all([import('../pipeline/index.js'), import('../report/stylish.js')]);
    const result = compileArtifacts(await this.loadMeshAt(paths), { target, rules });
    if (!result.ok || result.validation.diagnostics.length > 0) process.stderr.write(formatStylish(result.validation, { color }));
    if (!result.ok) {
      if (result.validation.fatal) this.exit(EXIT.failure);
      this.fail(`the mesh is invalid (${result.validation.errorCount} ${result.validation.errorCount === 1 ? 'error' : 'errors'}); nothing was sent to the cluster`);
    }
    if (result.artifacts.kind !== 'objects') throw new Error(`target ${target} gives no Kubernetes objects`);
    return { objects: result.artifacts.objects, meshName: result.validation.model.mesh?.name, meshPath: (await this.meshPaths(paths))[0] ?? '.' };
  }

  protected async plan(objects: readonly KubernetesObject[], meshName: string | undefined, flags: ClusterFlagValues, settings: ClusterSettings): Promise<ChangePlan> {
    const { planMeshChanges } = await import('../cluster/index.js');
    return planMeshChanges(objects, {
      applyset: flags.applyset,
      meshName,
      adopt: flags.adopt,
      requestTimeoutMs: settings.requestTimeoutMs,
      cluster: settings.cluster,
    });
  }

  /** Every error, one line each (a 422's field errors indented below it), then exit 2. */
  protected failCluster(errors: readonly ClusterError[]): never {
    this.reportUserErrors(errors);
    this.exit(EXIT.failure);
  }

  protected colorFor(flag: boolean | undefined): boolean {
    return shouldColor(flag, process.env, Boolean(process.stdout.isTTY));
  }
}
