import { Args, Flags } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { shouldColor } from '../cli/color.js';
import { EXIT } from '../cli/exit-codes.js';
import { writeStdout } from '../cli/stdout.js';

export default class Import extends MeshctlCommand {
  static override summary = 'Turn Istio and Kubernetes objects into mesh files, saying what could not be carried.';
  static override description = `Reads Istio objects (VirtualService, DestinationRule, AuthorizationPolicy, PeerAuthentication, RequestAuthentication, ServiceEntry, WorkloadEntry, Gateway, Sidecar, Telemetry, the rate-limit EnvoyFilters meshctl writes) and the Kubernetes Services, Deployments, Namespaces and rate-limit ConfigMaps that give services their ports, identities and settings, from files and directories ("-": standard input; kubectl get -o yaml lists too). Writes one mesh file per service, external service and gateway, and mesh.yaml for what is mesh- or namespace-wide.

Nothing is dropped silently: each part that has no mesh-file form is a finding at its place (file:line:col) with a code (docs/import-findings.md), and the report ends with the share of objects imported whole. The result is checked as "meshctl validate" checks it; with errors, nothing is written. Output is deterministic.

With --from-cluster, reads the same kinds from the cluster the kubeconfig names (--namespace NS, repeatable, else every namespace); findings then name each object as kind/namespace/name.

With --out-dir DIR, writes the files into DIR all at once (a new or empty directory, or one an earlier import wrote). Without it, writes them as one YAML stream to standard output. The report goes to standard error (-o json: to standard output as JSON, with --out-dir).

EXIT CODES
  0  imported (findings at warning or info level are in the report)
  1  the input holds an error (an unreadable object), or the imported mesh does not validate; nothing was written
  2  usage error, unreadable path, or internal error`;
  static override examples = [
    '<%= config.bin %> import istio/ --out-dir mesh/',
    '<%= config.bin %> import --from-cluster --namespace shop --out-dir mesh/shop',
    'kubectl get virtualservices,destinationrules,authorizationpolicies,services,deployments -n shop -o yaml | <%= config.bin %> import - --out-dir mesh/shop',
  ];
  static override strict = false;
  static override args = {
    paths: Args.string({ description: 'files or directories of Istio and Kubernetes YAML; "-" for standard input', required: false, ignoreStdin: true }),
  };
  static override flags = {
    'out-dir': Flags.string({ summary: 'Write the mesh files into this directory (new, empty, or written by an earlier import).', helpValue: 'DIR' }),
    output: Flags.string({ char: 'o', summary: 'The report\'s format.', options: ['stylish', 'json'], default: 'stylish' }),
    color: Flags.boolean({ summary: 'Colour the report.', allowNo: true }),
    'from-cluster': Flags.boolean({ summary: 'Read the objects from the cluster the kubeconfig names instead of files.' }),
    namespace: Flags.string({ char: 'n', summary: 'With --from-cluster: a namespace to read (repeatable; default: every namespace).', multiple: true, multipleNonGreedy: true, helpValue: 'NS' }),
    kubeconfig: Flags.string({ summary: 'With --from-cluster: kubeconfig file (default: KUBECONFIG, then ~/.kube/config).', helpValue: 'FILE' }),
    context: Flags.string({ summary: 'With --from-cluster: kubeconfig context (default: its current context).' }),
    'request-timeout': Flags.string({ summary: 'With --from-cluster: time to wait for each API request, e.g. 500ms, 10s, 1m.', default: '30s' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Import);
    const paths = argv as string[];
    if (flags['from-cluster'] && paths.length > 0) this.fail('--from-cluster reads the cluster: name no files');
    if (!flags['from-cluster'] && paths.length === 0) this.fail('name the files or directories to import ("-" for standard input), or use --from-cluster');
    for (const flag of ['namespace', 'kubeconfig', 'context'] as const) if (flags[flag] !== undefined && !flags['from-cluster']) this.fail(`--${flag} applies to --from-cluster only`);
    if (flags.output === 'json' && flags['out-dir'] === undefined) this.fail('-o json prints the report on standard output, which without --out-dir carries the mesh files: add --out-dir DIR');
    const [{ readObjectFiles }, { importMesh }, { renderImportedFile }, report, { loadSources }, { SourceText }, { validate }, { formatStylish }] = await Promise.all([
      import('../import/read-objects.js'),
      import('../import/import-mesh.js'),
      import('../import/render.js'),
      import('../import/report.js'),
      import('../loader/load-mesh.js'),
      import('../loader/source-file.js'),
      import('../pipeline/index.js'),
      import('../report/stylish.js'),
    ]);
    const read = flags['from-cluster'] ? await this.readCluster(flags) : await readObjectFiles(paths, { cwd: process.cwd() });
    if (read.errors.length > 0) this.fail(read.errors.join('; '));
    const imported = importMesh(read.objects);
    const result = { ...imported, findings: [...read.findings, ...imported.findings] };
    const color = shouldColor(flags.color, process.env, Boolean(process.stderr.isTTY));
    const printReport = async () => {
      if (flags.output === 'json') await writeStdout(report.importReportJson(result));
      else process.stderr.write(report.formatImportReport(result, { color }));
    };

    // The result must be a mesh that validates: checked as the files will be read back.
    const base = flags['out-dir'] ?? 'imported';
    const texts = new Map(imported.files.map((file) => [file.path, renderImportedFile(file)]));
    const validation = validate(loadSources([...texts].map(([name, text]) => new SourceText(`${base}/${name}`, text))), { targets: [] });
    const inputErrors = result.findings.some((finding) => finding.level === 'error');
    if (!inputErrors && read.objects.length === 0) this.fail('no Kubernetes objects in the input');
    if (inputErrors || validation.fatal || validation.errorCount > 0) {
      await printReport();
      if (validation.diagnostics.length > 0) process.stderr.write(formatStylish(validation, { color }));
      process.stderr.write('nothing was written\n');
      this.exit(EXIT.findings);
    }
    if (flags['out-dir'] === undefined) {
      await printReport();
      await writeStdout([...texts.values()].join('---\n'));
      return;
    }
    const { writeImportDirectory, ImportDirectoryError } = await import('../import/write-directory.js');
    try {
      await writeImportDirectory(flags['out-dir'], texts);
    } catch (error) {
      if (error instanceof ImportDirectoryError) this.fail(error.message);
      throw error;
    }
    await printReport();
    if (flags.output !== 'json') process.stderr.write(`wrote ${texts.size} mesh files to ${flags['out-dir']}\n`);
  }

  private async readCluster(flags: { namespace?: string[]; kubeconfig?: string; context?: string; 'request-timeout': string }) {
    const [{ parseDuration }, { readClusterObjects }, { ClusterError }] = await Promise.all([import('../model/duration.js'), import('../import/from-cluster.js'), import('../cluster/index.js')]);
    const timeout = parseDuration(flags['request-timeout']);
    if (timeout === undefined || timeout <= 0) this.fail(`--request-timeout ${flags['request-timeout']}: expected a duration such as 500ms, 10s or 1m`);
    try {
      const { objects, skipped } = await readClusterObjects({ kubeconfig: flags.kubeconfig, context: flags.context, namespaces: flags.namespace ?? [], requestTimeoutMs: timeout });
      if (skipped.some((kind) => kind.includes('istio.io'))) process.stderr.write(`note: the cluster serves no ${skipped.filter((kind) => kind.includes('istio.io')).join(', ')}: is Istio installed?\n`);
      return { objects, findings: [], errors: [] as string[] };
    } catch (error) {
      if (error instanceof ClusterError) this.fail(error.lines().join('; '));
      throw error;
    }
  }
}
