import { Args, Flags } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { shouldColor } from '../cli/color.js';
import { EXIT } from '../cli/exit-codes.js';
import { writeStdout } from '../cli/stdout.js';
import type { ChangePlan, ClusterError } from '../cluster/index.js';
import type { KubernetesObject } from '../output/manifest.js';

/** The flags diff and apply share. */
export const clusterFlags = {
  kubeconfig: Flags.string({ summary: 'Kubeconfig file (default: KUBECONFIG, then ~/.kube/config).' }),
  context: Flags.string({ summary: 'Kubeconfig context (default: its current context).' }),
  applyset: Flags.string({
    summary: 'ApplySet parent: NAME, NAMESPACE/NAME or secrets|configmaps/NAMESPACE/NAME (default: istio-system/meshctl-<mesh name>).',
  }),
  output: Flags.string({ char: 'o', summary: 'Output format.', options: ['text', 'json'], default: 'text' }),
  color: Flags.boolean({ summary: 'Colour the output (default: when stdout is a terminal).', allowNo: true }),
  'request-timeout': Flags.string({ summary: 'Time to wait for each API request, e.g. 500ms, 10s, 1m.', default: '30s' }),
  rule: Flags.string({ summary: "Set a rule's level: CODE=off|info|warning|error. Repeatable.", multiple: true }),
  adopt: Flags.boolean({ summary: 'Make existing objects that belong to no one members of the ApplySet (changed, and later pruned, with it).' }),
};

export const CLUSTER_EXIT_CODES = (zero: string, one: string) => `EXIT CODES
  0  ${zero}
  1  ${one}
  2  the run failed: the mesh is invalid (its diagnostics are printed), a usage error, the cluster
     could not be reached or refused a request (401, 403, 409 conflicts, 422, timeouts), or a guard
     stopped the apply (another ApplySet's object, mass prune)`;

type ClusterFlagValues = {
  kubeconfig?: string;
  context?: string;
  applyset?: string;
  'request-timeout': string;
  rule?: string[];
  adopt?: boolean;
};

/** Shared by diff and apply: validate and compile the mesh, then plan against the cluster. */
export abstract class ClusterCommand extends MeshctlCommand {
  protected async compileMesh(paths: readonly string[], flags: ClusterFlagValues, color: boolean): Promise<{ objects: KubernetesObject[]; meshName?: string; meshPath: string }> {
    const rules = await this.ruleLevels(flags.rule);
    const [{ compile }, { formatStylish }] = await Promise.all([import('../compiler/compile.js'), import('../report/stylish.js')]);
    const result = compile(await this.loadMeshAt(paths), { target: 'istio', rules });
    if (!result.ok || result.validation.diagnostics.length > 0) process.stderr.write(formatStylish(result.validation, { color }));
    if (!result.ok) {
      if (result.validation.fatal) this.exit(EXIT.failure);
      this.fail(`the mesh is invalid (${result.validation.errorCount} ${result.validation.errorCount === 1 ? 'error' : 'errors'}); nothing was sent to the cluster`);
    }
    return { objects: result.objects, meshName: result.validation.model.mesh?.name, meshPath: paths[0] ?? '.' };
  }

  protected async plan(objects: readonly KubernetesObject[], meshName: string | undefined, flags: ClusterFlagValues): Promise<ChangePlan> {
    const { parseDuration } = await import('../model/duration.js');
    const timeout = parseDuration(flags['request-timeout']);
    if (timeout === undefined || timeout <= 0) this.fail(`--request-timeout ${flags['request-timeout']}: expected a duration such as 500ms, 10s or 1m`);
    const { planMeshChanges, ClusterError } = await import('../cluster/index.js');
    try {
      return await planMeshChanges(objects, {
        kubeconfig: flags.kubeconfig,
        context: flags.context,
        applyset: flags.applyset,
        meshName,
        adopt: flags.adopt,
        requestTimeoutMs: timeout,
      });
    } catch (error) {
      if (error instanceof ClusterError) this.failCluster([error]);
      throw error;
    }
  }

  /** Every error, one line each (a 422's field errors indented below it), then exit 2. */
  protected failCluster(errors: readonly ClusterError[]): never {
    for (const error of errors) {
      for (const line of error.lines()) {
        for (const part of line.split('\n')) process.stderr.write(part.startsWith('  ') ? `${part}\n` : `meshctl: error: ${part}\n`);
      }
    }
    this.exit(EXIT.failure);
  }

  protected colorFor(flag: boolean | undefined): boolean {
    return shouldColor(flag, process.env, Boolean(process.stdout.isTTY));
  }
}

export default class Diff extends ClusterCommand {
  static override summary = 'Show what "meshctl apply" would change in the cluster.';
  static override description = `Compiles the mesh (as "meshctl compile --target istio"; a mesh with errors is refused), reads the live objects (one LIST per kind and namespace) and asks the API server for a server-side dry run (field manager meshctl) of every object that is new or may differ (not of one whose only difference is the value of an annotation meshctl alone owns, such as meshctl.dev/source after a file moved: that answer is known). Prints a unified diff per object under a header (kind, namespace/name, created / changed / deleted) and a summary line. Objects that apply would prune — members of the ApplySet the mesh no longer produces — show as deleted; a namespace that holds objects meshctl does not manage shows as kept instead. An existing object that meshctl did not create is refused (with --adopt it shows as adopted); an existing namespace it did not create shows its labels alone (labels only). Compared without managedFields, status, resourceVersion, generation, uid and creationTimestamp; Secret values are masked.

A field another manager owns shows as "takes over ... from ..."; "meshctl apply" refuses it unless --force-conflicts.

${CLUSTER_EXIT_CODES('no changes', 'changes')}`;
  static override examples = [
    '<%= config.bin %> diff examples/mesh --kubeconfig .cache/cluster/run/kubeconfig',
    '<%= config.bin %> diff mesh/ --context prod -o json | jq .summary',
  ];
  static override strict = false;
  static override args = {
    paths: Args.string({ description: 'files or directories of the mesh', required: false }),
  };
  static override flags = clusterFlags;

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Diff);
    const color = this.colorFor(flags.color);
    const { objects, meshName } = await this.compileMesh(argv as string[], flags, shouldColor(flags.color, process.env, Boolean(process.stderr.isTTY)));
    const plan = await this.plan(objects, meshName, flags);
    plan.client.close();
    const { renderChanges, changeToJson } = await import('../cluster/index.js');
    if (flags.output === 'json') {
      const out = {
        applyset: { kind: plan.parentRef.kind, namespace: plan.parentRef.namespace, name: plan.parentRef.name, id: plan.applysetId },
        summary: plan.summary,
        changes: plan.changes.map(changeToJson),
        kept: plan.kept.map((entry) => ({ apiVersion: entry.info.apiVersion, kind: entry.info.kind, name: entry.live.metadata.name, reason: entry.reason })),
        errors: plan.errors.map((error) => error.lines().join('\n')),
      };
      await writeStdout(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      const kept = plan.kept.map((entry) => ({ apiVersion: entry.info.apiVersion, kind: entry.info.kind, name: entry.live.metadata.name, reason: entry.reason }));
      await writeStdout(renderChanges(plan.changes, plan.unchanged, color, plan.errors.length, kept));
    }
    if (plan.errors.length > 0) this.failCluster(plan.errors);
    this.exit(plan.changes.length > 0 ? EXIT.findings : EXIT.ok);
  }
}
