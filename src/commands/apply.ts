import { Args, Flags } from '@oclif/core';
import { Chalk } from 'chalk';
import { shouldColor } from '../cli/color.js';
import { EXIT } from '../cli/exit-codes.js';
import type { ApplyEvent } from '../cluster/index.js';
import { writeStdout } from '../cli/stdout.js';
import { CLUSTER_EXIT_CODES, ClusterCommand, NAMESPACES_HELP, clusterFlags } from '../cli/cluster-command.js';

export default class Apply extends ClusterCommand {
  static override summary = 'Apply the compiled mesh to the cluster, and prune what it no longer produces.';
  static override description = `Compiles the mesh (as "meshctl compile" for --target, default istio, a target whose output is Kubernetes objects; a mesh with errors is refused; --request-timeout, --kubeconfig, --context and --applyset are checked first) and applies it by server-side apply with field manager meshctl: namespaces first, then every other object in a stable order. Objects that would not change are not sent: an apply with nothing to change writes nothing and says "no changes".

Pruning follows the ApplySet convention (KEP-3659, as "kubectl apply --prune --applyset"): a parent Secret (default istio-system/meshctl-<mesh name>; --applyset chooses another, or a ConfigMap) records the kinds and namespaces of the set, meshctl's version and the git commit of the mesh; every object meshctl creates carries the label applyset.kubernetes.io/part-of and is a member of the set. After everything was applied, members the mesh no longer produces are deleted (with uid preconditions); a namespace is deleted only when nothing but members pruned with it is inside, otherwise it is kept and the output says so. More than half of the set is pruned only with --allow-mass-prune. A failed apply prunes nothing and leaves the parent listing both the old and the new kinds, so that running it again converges.

Nothing that existed before is taken over: objects are created only if they do not exist (when another apply creates the same object first, this one stops with an error; run it again), an existing object that is not a member is refused unless --adopt makes it one, and an existing namespace that is not a member only gets the mesh's labels (by a field manager of its own, meshctl/<ApplySet id>) and never becomes a member. Objects of another ApplySet or another tool are never taken over.

Everything that can be checked before writing is: objects the server would refuse (a dry run), fields owned by other managers (refused unless --force-conflicts), objects of other owners, the mass-prune guard.

--dry-run (alone, or --dry-run=server) sends every request as a server-side dry run: the API server validates and admits each object and stores nothing. There is no client dry run: "meshctl compile" prints what would be sent, and "meshctl diff" what would change.

${NAMESPACES_HELP}

${CLUSTER_EXIT_CODES('applied, or nothing to change', '(not used)')}`;
  static override examples = [
    '<%= config.bin %> apply examples/mesh --kubeconfig .cache/cluster/run/kubeconfig',
    '<%= config.bin %> apply mesh/ --dry-run',
    '<%= config.bin %> apply mesh/ --applyset platform/meshctl-shop -o json',
  ];
  static override strict = false;
  static override args = {
    paths: Args.string({ description: 'files or directories of the mesh', required: false }),
  };
  static override flags = {
    ...clusterFlags,
    'force-conflicts': Flags.boolean({ summary: 'Take over fields that other field managers own.' }),
    'dry-run': Flags.string({ summary: 'Only ask the API server what would happen; store nothing. Alone it means server, as --dry-run=server.', helpValue: 'server' }),
    'allow-mass-prune': Flags.boolean({ summary: 'Allow pruning more than half of the ApplySet.' }),
  };

  async run(): Promise<void> {
    this.argv = dryRunMeansServer(this.argv);
    const { argv, flags } = await this.parse(Apply);
    if (flags['dry-run'] !== undefined && flags['dry-run'] !== 'server' && flags['dry-run'] !== 'none') {
      this.fail(
        flags['dry-run'] === 'client'
          ? '--dry-run=client: meshctl has no client dry run; "meshctl compile" prints what would be sent and "meshctl diff" what would change'
          : `--dry-run=${flags['dry-run']}: expected --dry-run, --dry-run=server or --dry-run=none`,
      );
    }
    const color = this.colorFor(flags.color);
    const settings = await this.clusterSettings(flags);
    const { objects, meshName, meshPath } = await this.compileMesh(argv as string[], flags, shouldColor(flags.color, process.env, Boolean(process.stderr.isTTY)));
    const { applyPlan, keptLine, meshctlVersion, sourceCommit, objectLabel: objectLabelOf } = await import('../cluster/index.js');
    const plan = await this.plan(objects, meshName, flags, settings);
    const dryRun = flags['dry-run'] === 'server';
    const progress = process.stderr.isTTY && flags.output !== 'json';
    const onProgress = progress
      ? (event: ApplyEvent) => {
          process.stderr.write(`\r\u001b[2K${event.done}/${event.total} ${event.action} ${objectLabelOf(event)}`);
        }
      : undefined;
    let result;
    try {
      result = await applyPlan(plan, {
        dryRun,
        forceConflicts: flags['force-conflicts'],
        allowMassPrune: flags['allow-mass-prune'],
        version: this.config.version ?? meshctlVersion(),
        commit: await sourceCommit(meshPath),
        onProgress,
      });
    } finally {
      plan.client.close();
      if (progress) process.stderr.write('\r\u001b[2K');
    }
    const applyset = { kind: plan.parentRef.kind, namespace: plan.parentRef.namespace, name: plan.parentRef.name, id: plan.applysetId };
    if (flags.output === 'json') {
      const { errors, wrote: _wrote, ...counts } = result;
      await writeStdout(`${JSON.stringify({ applyset, ...counts, errors: errors.map((e) => e.lines().join('\n')) }, null, 2)}\n`);
    } else {
      const chalk = new Chalk({ level: color ? 1 : 0 });
      const paint = { created: chalk.green, changed: chalk.yellow, adopted: chalk.yellow, pruned: chalk.red };
      const lines = result.objects.map((object) => `${paint[object.action](object.action)} ${objectLabelOf(object)}`);
      for (const kept of result.kept) lines.push(chalk.yellow(keptLine(kept)));
      const suffix = dryRun ? ' (server dry run)' : '';
      if (result.errors.length === 0) {
        const changed = result.created + result.changed + result.adopted + result.pruned;
        const adopted = result.adopted > 0 ? `, ${result.adopted} adopted` : '';
        lines.push(
          changed === 0
            ? `no changes (${result.unchanged} objects up to date)${suffix}`
            : `applied: ${result.created} created, ${result.changed} changed${adopted}, ${result.pruned} pruned, ${result.unchanged} unchanged (ApplySet ${applyset.namespace}/${applyset.name})${suffix}`,
        );
      }
      if (lines.length > 0) await writeStdout(`${lines.join('\n')}\n`);
    }
    if (result.errors.length > 0) this.failCluster(result.errors);
    this.exit(EXIT.ok);
  }
}

/**
 * `--dry-run` without a value means `--dry-run=server`, as users of `kubectl apply --dry-run=server`
 * expect from the short form. A value given as the next word (`--dry-run server`) is kept; a
 * mesh path after a bare `--dry-run` is not taken for its value.
 */
export function dryRunMeansServer(argv: readonly string[]): string[] {
  const result: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const word = argv[i]!;
    if (word === '--') {
      result.push(...argv.slice(i));
      break;
    }
    if (word === '--dry-run' && !['server', 'client', 'none'].includes(argv[i + 1] ?? '')) result.push('--dry-run=server');
    else result.push(word);
  }
  return result;
}
