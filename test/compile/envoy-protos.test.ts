// The example's Envoy configurations read as Envoy's v3 protos read them (field names, enums,
// oneofs, deprecated fields, and every typed_config as the message its @type names). envoy
// --mode validate is the authoritative check (envoy-validate.test.ts); this one is cheap, runs
// without the binary and names the exact field when something is wrong.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { compile, loadMesh, type EnvoyConfig } from '../../src/index.js';
import { checkMessage, loadEnvoyProtos } from '../support/envoy-proto-check.js';

const BOOTSTRAP = 'envoy.config.bootstrap.v3.Bootstrap';

async function exampleConfigs(): Promise<EnvoyConfig[]> {
  const result = compile(await loadMesh([path.join(import.meta.dirname, '..', '..', 'examples', 'mesh')]), { target: 'envoy' });
  if (!result.ok) throw new Error('examples/mesh did not compile');
  return result.configs;
}

describe('Envoy configurations compiled from examples/mesh', () => {
  const catalog = loadEnvoyProtos();

  it('match the Bootstrap proto, every typed_config included', async () => {
    const configs = await exampleConfigs();
    const violations = configs.flatMap((config) => checkMessage(catalog, BOOTSTRAP, config.bootstrap, config.path));
    expect(violations.map((v) => `${v.path}: ${v.message}`)).toEqual([]);
  }, 120_000);

  it('a misspelt field inside a typed_config is reported (the check can fail)', async () => {
    const [config] = await exampleConfigs();
    const bootstrap = structuredClone(config!.bootstrap) as { static_resources: { listeners: { filter_chains: { filters: { typed_config: Record<string, unknown> }[] }[] }[] } };
    bootstrap.static_resources.listeners[0]!.filter_chains[0]!.filters[0]!.typed_config.stat_prefixx = 'x';
    expect(checkMessage(catalog, BOOTSTRAP, bootstrap, 'broken').map((v) => v.path).join('\n')).toMatch(/stat_prefixx/);
  }, 120_000);
});
