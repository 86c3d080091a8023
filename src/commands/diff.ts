import { Args } from '@oclif/core';
import { CLUSTER_EXIT_CODES, ClusterCommand, NAMESPACES_HELP, clusterFlags } from '../cli/cluster-command.js';
import { shouldColor } from '../cli/color.js';
import { EXIT } from '../cli/exit-codes.js';
import { writeStdout } from '../cli/stdout.js';

export default class Diff extends ClusterCommand {
  static override summary = 'Show what "meshctl apply" would change in the cluster.';
  static override description = `Compiles the mesh (as "meshctl compile" for --target, default istio, a target whose output is Kubernetes objects; a mesh with errors is refused; --request-timeout, --kubeconfig, --context and --applyset are checked first), reads the live objects (one LIST per kind and namespace) and asks the API server for a server-side dry run (field manager meshctl) of every object that is new or may differ (not of one whose only difference is the value of an annotation meshctl alone owns, such as meshctl.dev/source after a file moved: that answer is known). Prints a unified diff per object under a header (kind, namespace/name, created / changed / deleted) and a summary line. Objects that apply would prune — members of the ApplySet the mesh no longer produces — show as deleted; a namespace that holds objects meshctl does not manage shows as kept instead. An existing object that meshctl did not create is refused (with --adopt it shows as adopted); an existing namespace it did not create shows its labels alone (labels only). Compared without managedFields, status, resourceVersion, generation, uid and creationTimestamp; Secret values are masked.

A field another manager owns shows as "takes over ... from ..."; "meshctl apply" refuses it unless --force-conflicts.

${NAMESPACES_HELP}

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
    const settings = await this.clusterSettings(flags);
    const { objects, meshName } = await this.compileMesh(argv as string[], flags, shouldColor(flags.color, process.env, Boolean(process.stderr.isTTY)));
    const plan = await this.plan(objects, meshName, flags, settings);
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
