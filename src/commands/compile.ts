import { Args, Flags } from '@oclif/core';
import { MeshctlCommand } from '../cli/base-command.js';
import { EXIT } from '../cli/exit-codes.js';
import { shouldColor } from '../cli/color.js';
import { writeChunks } from '../cli/stdout.js';
import { outputFlags } from '../cli/output-format.js';
import { DEFAULT_TARGET, TARGET_NAMES } from '../targets/index.js';
import type { LoadedMesh } from '../loader/load-mesh.js';

const FORMATS = ['yaml', 'json'];

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
    target: Flags.string({ char: 't', summary: 'What to compile to (default: the target of .meshctl.yaml, else istio).', options: [...TARGET_NAMES] }),
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
    const target = flags.target ?? (await this.projectConfig(argv as string[]))?.target ?? DEFAULT_TARGET;
    const certificateDirectory = flags['envoy-cert-dir'];
    if (certificateDirectory !== undefined && target !== 'envoy') this.fail('--envoy-cert-dir applies to --target envoy only');
    if (flags.portable && target !== 'gateway-api') this.fail('--portable applies to --target gateway-api only');
    const [{ checkForTarget, emitArtifacts }, { artifactChunks, writeArtifactsDirectory }, { formatStylish }] = await Promise.all([
      import('../pipeline/index.js'),
      import('../output/artifacts.js'),
      import('../report/stylish.js'),
    ]);
    // The target's own rules run with the others: a mesh its output cannot serve is refused.
    const result = await this.checked(argv as string[], (loaded) =>
      checkForTarget(loaded, {
        target,
        rules,
        ...(certificateDirectory !== undefined ? { envoy: { certificateDirectory } } : {}),
        ...(flags.portable ? { portable: true } : {}),
      }),
    );
    const { validation } = result;
    if (!result.ok || validation.diagnostics.length > 0) {
      // Diagnostics go to stderr: stdout carries only the output, so it can be piped to kubectl.
      process.stderr.write(formatStylish(validation, { color: shouldColor(flags.color, process.env, Boolean(process.stderr.isTTY)) }));
    }
    if (!result.ok) this.exit(validation.fatal ? EXIT.failure : EXIT.findings);

    // File targets build each file only as it is written, and drop it.
    const artifacts = emitArtifacts(result);
    if (output.target) {
      process.stderr.write(`${await writeArtifactsDirectory(output.target, artifacts)}\n`);
      return;
    }
    const format = output.format === 'json' ? 'json' : 'yaml';
    // Piece by piece, each rendered just before it is written: the whole output is never in memory.
    await writeChunks(process.stdout, artifactChunks(artifacts, format));
  }

  /**
   * Loads the mesh and checks it, in a frame of its own: once this returns, nothing holds the
   * loaded mesh (source texts and parsed documents), and the compile runs without it in memory.
   */
  private async checked<Result>(paths: readonly string[], check: (loaded: LoadedMesh) => Result): Promise<Result> {
    return check(await this.loadMeshAt(paths));
  }
}
