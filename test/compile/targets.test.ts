// The target registry and target-aware validation, as users meet them: a target's own rules run
// when the mesh is compiled for it (and nothing is written when they find an error), `validate
// --target` checks for the target CI deploys, and the commands' --target options are the
// registry's.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compile, configuredTargets, loadSources, OBJECT_TARGETS, REGISTERED_TARGETS, RULES, rulesOf, SourceText, TARGETS, validate } from '../../src/index.js';
import { runCli, repoRoot } from '../helpers/run-cli.js';
import { TARGET_NEUTRAL_RULES } from '../../src/validators/rules/index.js';
import { ruleSet } from '../../src/validators/rule-set.js';
import { ENVOY_RULES } from '../../src/compiler/envoy/rules/index.js';
import { COMPILED_NAME_RULES } from '../../src/compiler/istio/rules/index.js';
import { GATEWAY_API_RULES } from '../../src/compiler/gateway-api/rules/index.js';

const scratch = mkdtempSync(path.join(tmpdir(), 'meshctl-targets-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

// No envoy section anywhere: compiled for Envoy, the sidecar's inbound listener binds 0.0.0.0:9080,
// which takes 127.0.0.1:9080, where it forwards to the application (MESH234).
const BINDS_APPLICATION_PORT = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: details, namespace: shop}
spec:
  ports:
    - name: http
      port: 9080
      protocol: http
`;
const SEPARATE_APPLICATION_PORT = BINDS_APPLICATION_PORT.replace('      port: 9080\n', '      port: 9080\n      targetPort: 19080\n');

function meshFile(name: string, text: string): string {
  const file = path.join(scratch, name);
  writeFileSync(file, text);
  return file;
}

describe('compile --target envoy runs the Envoy target\'s rules', () => {
  const mesh = meshFile('binds-application-port.yaml', BINDS_APPLICATION_PORT);

  it('reports MESH234 on a mesh without an envoy section, writes no directory, and exits 1', () => {
    const out = path.join(scratch, 'refused');
    const run = runCli(['compile', mesh, '--target', 'envoy', '--out-dir', out]);
    expect(run.stderr).toMatch(/binds-application-port\.yaml\n\s+7:13\s+error\s+the inbound listener of port "http" in the sidecar of details binds 0\.0\.0\.0:9080.*MESH234/);
    expect(run.status).toBe(1);
    expect(existsSync(out)).toBe(false);
    expect(run.stdout).toBe('');
  });

  it('writes nothing to standard output either', () => {
    const run = runCli(['compile', mesh, '--target', 'envoy']);
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('MESH234');
  });

  it('the same mesh compiles for Istio, whose sidecar captures traffic: the Envoy rules do not run', () => {
    const run = runCli(['compile', mesh, '--target', 'istio']);
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('kind: Namespace');
  });

  it('a mesh whose application listens on its own port compiles and is written', () => {
    const out = path.join(scratch, 'written');
    const run = runCli(['compile', meshFile('separate-port.yaml', SEPARATE_APPLICATION_PORT), '--target', 'envoy', '--out-dir', out]);
    expect(run.stderr).toBe(`wrote 1 Envoy configurations to ${out}\n`);
    expect(run.status).toBe(0);
    expect(readdirSync(path.join(out, 'shop'))).toEqual(['details.yaml']);
    expect(readFileSync(path.join(out, 'shop', 'details.yaml'), 'utf8')).toContain('port_value: 19080');
  });

  it('.meshctl.yaml target: envoy makes compile check for Envoy too', () => {
    const project = mkdtempSync(path.join(scratch, 'project-'));
    writeFileSync(path.join(project, '.meshctl.yaml'), 'target: envoy\n');
    writeFileSync(path.join(project, 'mesh.yaml'), BINDS_APPLICATION_PORT);
    const run = runCli(['compile', 'mesh.yaml'], { cwd: project });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('MESH234');
  });
});

describe('validate --target', () => {
  const mesh = meshFile('validate-binds.yaml', BINDS_APPLICATION_PORT);

  it('--target envoy reports the Envoy rules\' findings and exits 1', () => {
    const run = runCli(['validate', mesh, '--target', 'envoy']);
    expect(run.stdout).toMatch(/7:13\s+error\s+.*MESH234/);
    expect(run.status).toBe(1);
  });

  it('--target envoy -o json names the rule, as CI reads it', () => {
    const run = runCli(['validate', mesh, '--target', 'envoy', '-o', 'json']);
    expect(run.status).toBe(1);
    expect(JSON.stringify(JSON.parse(run.stdout))).toContain('"MESH234"');
  });

  it('without --target, a mesh that configures no Envoy section is checked for Istio alone', () => {
    const run = runCli(['validate', mesh]);
    expect(run.stdout).toContain('no problems');
    expect(run.status).toBe(0);
  });

  it('without --target, a mesh with an envoy section is checked for Envoy as well', () => {
    const configured = meshFile('configured.yaml', `apiVersion: meshctl.dev/v1alpha1\nkind: Mesh\nmetadata: {name: edge}\nspec:\n  envoy: {inboundAddress: 0.0.0.0}\n---\n${BINDS_APPLICATION_PORT}`);
    expect(runCli(['validate', configured]).status).toBe(1);
    // --target istio is what CI that deploys with Istio asks for: the Envoy sockets do not matter.
    const istio = runCli(['validate', configured, '--target', 'istio']);
    expect(istio.stdout).toContain('no problems');
    expect(istio.status).toBe(0);
  });

  it('--target envoy on a good mesh exits 0', () => {
    const run = runCli(['validate', meshFile('validate-good.yaml', SEPARATE_APPLICATION_PORT), '--target', 'envoy', '--target', 'istio']);
    expect(run.stdout).toContain('no problems');
    expect(run.status).toBe(0);
  });

  it('refuses a target the registry does not have', () => {
    const run = runCli(['validate', mesh, '--target', 'linkerd']);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain('linkerd');
  });
});

describe('the registry', () => {
  it('is where the library\'s and the commands\' target names come from', () => {
    expect(TARGETS).toEqual(REGISTERED_TARGETS.map((target) => target.name));
    const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'oclif.manifest.json'), 'utf8')) as { commands: Record<string, { flags: Record<string, { options?: string[] }> }> };
    expect(manifest.commands.compile!.flags.target!.options).toEqual([...TARGETS]);
    expect(manifest.commands.validate!.flags.target!.options).toEqual([...TARGETS]);
    const objectTargets = OBJECT_TARGETS.map((target) => target.name);
    expect(objectTargets).toContain('istio');
    expect(objectTargets).not.toContain('envoy');
    for (const command of ['diff', 'apply', 'review']) expect(manifest.commands[command]!.flags.target!.options, command).toEqual(objectTargets);
  });

  it('gives every rule that belongs to a target a registered target, and the Envoy target its socket rules', () => {
    for (const rule of RULES) if (rule.target !== undefined) expect(TARGETS, rule.code).toContain(rule.target);
    expect(rulesOf('envoy').map((rule) => rule.code)).toEqual(['MESH233', 'MESH234', 'MESH235']);
    expect(rulesOf('istio')).toEqual([]);
  });

  it('keeps a target\'s rules with the target: the validators\' rules name none, each target\'s folder holds its own', () => {
    expect(TARGET_NEUTRAL_RULES.filter((rule) => rule.target !== undefined).map((rule) => rule.code)).toEqual([]);
    expect(ENVOY_RULES.map((rule) => rule.target)).toEqual(['envoy', 'envoy', 'envoy']);
    expect(new Set(GATEWAY_API_RULES.map((rule) => rule.target))).toEqual(new Set(['gateway-api']));
    expect(rulesOf('gateway-api')).toEqual([...GATEWAY_API_RULES].sort((a, b) => a.code.localeCompare(b.code)));
    // The names of the Istio objects are checked for every target: the Gateway API target writes them too.
    expect(COMPILED_NAME_RULES.map((rule) => [rule.code, rule.target])).toEqual([['MESH240', undefined], ['MESH241', undefined]]);
    // The registry is every one of them, once, by code.
    const all = [...TARGET_NEUTRAL_RULES, ...COMPILED_NAME_RULES, ...ENVOY_RULES, ...GATEWAY_API_RULES];
    expect(RULES.map((rule) => rule.code)).toEqual(all.map((rule) => rule.code).sort());
  });

  it('refuses a rule set in which two rules share a code or a name', () => {
    const [first, second] = ENVOY_RULES as [(typeof ENVOY_RULES)[number], (typeof ENVOY_RULES)[number]];
    expect(() => ruleSet([first, { ...second, code: first.code }])).toThrow(/two rules have the code MESH233/);
    expect(() => ruleSet([first, { ...second, name: first.name }])).toThrow(/two rules have the name proxy-port-conflict/);
    expect(ruleSet([second, first]).find('mesh233')).toBe(first);
  });

  it('lets levels and suppressions name any target\'s rule, whichever targets are checked', () => {
    const sources = () => loadSources([new SourceText('mesh.yaml', `# meshctl-disable-next-line MESH700 -- not compiled for the Gateway API here\n${BINDS_APPLICATION_PORT}`)]);
    const result = validate(sources(), { targets: ['istio'], rules: { MESH233: 'off', 'gateway-api-route-precedence': 'warning' } });
    const suppressionFindings = result.diagnostics.filter((d) => d.code === 'MESH017').map((d) => d.messageId);
    expect(suppressionFindings).toEqual(['unused']);
    expect(() => validate(sources(), { targets: ['istio'], rules: { MESH999: 'off' } })).toThrow(/unknown rule "MESH999"/);
  });

  it('chooses the targets a mesh configures: the project\'s (else the default) and those the mesh files speak of', () => {
    const plain = validate(loadSources([new SourceText('mesh.yaml', BINDS_APPLICATION_PORT)]));
    expect(plain.targets).toEqual(['istio']);
    expect(configuredTargets(plain.model, 'envoy')).toEqual(['envoy']);
    const withSection = validate(loadSources([new SourceText('mesh.yaml', BINDS_APPLICATION_PORT.replace('spec:\n', 'spec:\n  envoy: {adminPort: 15000}\n'))]));
    expect(withSection.targets).toEqual(['istio', 'envoy']);
  });

  it('compile() in the library refuses for the target\'s own rules as the command does', () => {
    const loaded = loadSources([new SourceText('mesh.yaml', BINDS_APPLICATION_PORT)]);
    const envoy = compile(loaded, { target: 'envoy' });
    expect(envoy.ok).toBe(false);
    expect(envoy.validation.diagnostics.map((d) => d.code)).toEqual(['MESH234']);
    const istio = compile(loaded, { target: 'istio' });
    expect(istio.ok && istio.objects.length).toBeGreaterThan(0);
  });
});
