import { Args, Flags } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { EXIT } from '../cli/exit-codes.js';
import { shouldColor } from '../cli/color.js';
import { writeChunks, writeStdout } from '../cli/stdout.js';
import type { LevelSetting } from '../diagnostics/types.js';
import { outputFlags } from '../cli/output-format.js';

const FORMATS = ['yaml', 'json'];
import type { LoadedMesh } from '../loader/load-mesh.js';

export default class Compile extends MeshctlCommand {
  static override summary = 'Compile a mesh for its target: Istio resources, Kubernetes Gateway API routes, or Envoy proxy configurations.';
  static override description = `Validates the mesh first: a mesh with errors is refused with the same diagnostics as "meshctl validate" (exit 1), and nothing is written. Output is deterministic: the same mesh gives byte-identical output.

Without --out-dir, writes a multi-document YAML stream (or, with -o json, a JSON List) to standard output. With --out-dir DIR, writes one file per object and a kustomization.yaml into DIR, replacing what an earlier "meshctl compile" wrote there; a non-empty directory that meshctl did not write is refused.

--target gateway-api writes Kubernetes Gateway API objects (standard channel): an HTTPRoute (GRPCRoute, TCPRoute) per service port with the Service as parent (GAMMA), a Service per routed version, a Gateway with its routes and ReferenceGrants for ingress, and the Istio kinds for what the Gateway API cannot say (authorization, mTLS, JWT, resilience, rate limits, telemetry). --portable leaves those out and reports each as an error (MESH702). The target's own rules (MESH700-MESH706) report what it cannot carry. See docs/gateway-api.md.

--target envoy writes a complete Envoy v3 bootstrap (static_resources) for every workload's sidecar (each version of each service) and every gateway: with --out-dir DIR one file per proxy, DIR/<namespace>/<service>-<version>.yaml (<service>.yaml without versions) and DIR/<namespace>/<gateway>.yaml; without it a YAML stream (or, with -o json, {"configs": [...]}). Run one with "envoy -c FILE". --envoy-cert-dir DIR points every certificate path at DIR (cert-chain.pem, key.pem, root-cert.pem; gateway credentials DIR/<credentialName>/tls.crt, tls.key, ca.crt).

EXIT CODES
  0  compiled
  1  the mesh has errors; nothing was written
  2  usage error, unreadable input, or internal error`;
  static override examples = [
    '<%= config.bin %> compile examples/mesh --target istio',
    '<%= config.bin %> compile examples/mesh --target istio --out-dir out/',
    '<%= config.bin %> compile mesh/ -o json | jq \'.items[].kind\'',
    '<%= config.bin %> compile examples/mesh --target envoy --out-dir out/',
    '<%= config.bin %> compile examples/mesh --target gateway-api --out-dir out/',
    '<%= config.bin %> compile examples/mesh --target gateway-api --portable',
  ];
  static override strict = false;
  static override args = {
    paths: Args.string({ description: 'files or directories of the mesh; "-" for standard input', required: false }),
  };
  static override flags = {
    target: Flags.string({ char: 't', summary: 'What to compile to (default: the target of .meshctl.yaml, else istio).', options: ['istio', 'envoy', 'gateway-api'] }),
    portable: Flags.boolean({ summary: 'Gateway API target: write no Istio kinds; what only they can say is an error (MESH702).' }),
    ...outputFlags(FORMATS, 'yaml'),
    'out-dir': Flags.string({ summary: 'Write one file per object (istio, gateway-api: plus kustomization.yaml; envoy: one per proxy) into this directory.', helpValue: 'DIR' }),
    'envoy-cert-dir': Flags.string({ summary: 'Envoy target: read every certificate from this directory instead of the paths the mesh gives.', helpValue: 'DIR' }),
    rule: Flags.string({ summary: 'Set a rule\'s level: CODE=off|info|warning|error. Repeatable.', multiple: true }),
    color: Flags.boolean({ summary: 'Colour diagnostics.', allowNo: true }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Compile);
    const output = this.outputChoice(flags, { formats: FORMATS, defaultFormat: 'yaml', destination: 'directory', targetFlag: '--out-dir', target: flags['out-dir'] });
    const rules = await this.ruleLevels(flags.rule, argv as string[]);
    const target = flags.target ?? (await this.projectConfig(argv as string[]))?.target ?? 'istio';
    const [{ compile }, manifest, { formatStylish }] = await Promise.all([
      import('../compiler/compile.js'),
      import('../output/manifest.js'),
      import('../report/stylish.js'),
    ]);
    const loaded = await this.loadMeshAt(argv as string[]);
    if (target === 'envoy') return this.compileEnvoy(loaded, rules, { ...flags, format: output.format, outDir: output.target });
    if (flags['envoy-cert-dir'] !== undefined) this.fail('--envoy-cert-dir applies to --target envoy only');
    if (flags.portable && target !== 'gateway-api') this.fail('--portable applies to --target gateway-api only');
    const result = target === 'gateway-api' ? compile(loaded, { target, rules, ...(flags.portable ? { portable: true } : {}) }) : compile(loaded, { target: 'istio', rules });
    const findings = result.validation.diagnostics.length > 0;
    if (!result.ok || findings) {
      // Diagnostics go to stderr: stdout carries only the manifests, so it can be piped to kubectl.
      process.stderr.write(formatStylish(result.validation, { color: shouldColor(flags.color, process.env, Boolean(process.stderr.isTTY)) }));
    }
    if (!result.ok) this.exit(result.validation.fatal ? EXIT.failure : EXIT.findings);

    if (output.target) {
      const { writeObjectsDirectory, OutputDirectoryError } = await import('../output/write-directory.js');
      try {
        const files = await writeObjectsDirectory(output.target, result.objects);
        process.stderr.write(`wrote ${files.length} files (${result.objects.length} objects) to ${output.target}\n`);
      } catch (error) {
        if (error instanceof OutputDirectoryError) this.fail(error.message);
        throw error;
      }
      return;
    }
    await writeStdout(output.format === 'json' ? manifest.toJsonList(result.objects) : manifest.toYamlStream(result.objects));
  }

  private async compileEnvoy(
    loaded: LoadedMesh,
    rules: Record<string, LevelSetting>,
    flags: { outDir?: string; format: string; color?: boolean; 'envoy-cert-dir'?: string },
  ): Promise<void> {
    const [{ planEnvoy }, render, { EnvoyCompileError }, { formatStylish }] = await Promise.all([
      import('../compiler/compile.js'),
      import('../compiler/envoy/render.js'),
      import('../compiler/envoy/index.js'),
      import('../report/stylish.js'),
    ]);
    const certificateDirectory = flags['envoy-cert-dir'];
    // Planned, not compiled: each proxy is compiled only when it is written and then dropped, as a
    // large mesh's configurations together would not fit in memory.
    let planned;
    try {
      planned = planEnvoy(loaded, { rules, envoy: certificateDirectory !== undefined ? { certificateDirectory } : {} });
    } catch (error) {
      if (error instanceof EnvoyCompileError) this.fail(error.message);
      throw error;
    }
    const { validation } = planned;
    if (!planned.ok || validation.diagnostics.length > 0) {
      process.stderr.write(formatStylish(validation, { color: shouldColor(flags.color, process.env, Boolean(process.stderr.isTTY)) }));
    }
    if (!planned.ok) this.exit(validation.fatal ? EXIT.failure : EXIT.findings);
    const { proxies } = planned;
    if (flags.outDir) {
      const [{ writeFilesDirectoryStreaming }, { OutputDirectoryError }] = await Promise.all([import('../output/write-files.js'), import('../output/write-directory.js')]);
      try {
        const files = await writeFilesDirectoryStreaming(flags.outDir, render.envoyFiles(proxies));
        process.stderr.write(`wrote ${files.length} Envoy configurations to ${flags.outDir}\n`);
      } catch (error) {
        if (error instanceof OutputDirectoryError) this.fail(error.message);
        throw error;
      }
      return;
    }
    await writeChunks(process.stdout, flags.format === 'json' ? render.envoyJsonChunks(proxies) : render.envoyYamlStreamChunks(proxies));
  }
}
