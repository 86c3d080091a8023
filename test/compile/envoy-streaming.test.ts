// The Envoy output is produced one proxy at a time (the command never holds the whole mesh's
// configurations): the streamed text must be exactly the all-at-once text, and a failure part-way
// through writing a directory must leave nothing behind.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { planEnvoyProxies } from '../../src/compiler/envoy/index.js';
import { envoyConfigsToJson, envoyConfigsToYamlStream, envoyFiles, envoyJsonChunks, envoyYamlStreamChunks } from '../../src/compiler/envoy/render.js';
import { writeFilesDirectoryStreaming } from '../../src/output/write-files.js';
import { OUTPUT_MARKER } from '../../src/output/write-directory.js';
import { compile, envoyConfigToYaml, loadMesh } from '../../src/index.js';
import { validateText } from '../helpers/validate-text.js';

async function exampleModel() {
  const result = compile(await loadMesh(['examples/mesh']), { target: 'envoy' });
  if (!result.ok) throw new Error('examples/mesh does not compile');
  return { model: result.validation.model, configs: result.configs };
}

describe('streamed Envoy output', () => {
  it('is byte-identical to the all-at-once YAML stream and JSON', async () => {
    const { model, configs } = await exampleModel();
    expect(configs.length).toBeGreaterThan(1);
    expect([...envoyYamlStreamChunks(planEnvoyProxies(model))].join('')).toBe(envoyConfigsToYamlStream(configs));
    expect([...envoyJsonChunks(planEnvoyProxies(model))].join('')).toBe(envoyConfigsToJson(configs));
    expect([...envoyFiles(planEnvoyProxies(model))]).toEqual(configs.map((config) => [config.path, envoyConfigToYaml(config)]));
  });

  it('gives the same JSON as JSON.stringify for a mesh without proxies', () => {
    const result = validateText('apiVersion: meshctl.dev/v1alpha1\nkind: Mesh\nmetadata: {name: empty}\n');
    const proxies = planEnvoyProxies(result.model);
    expect(proxies).toEqual([]);
    expect([...envoyJsonChunks(proxies)].join('')).toBe(envoyConfigsToJson([]));
  });
});

describe('writeFilesDirectoryStreaming', () => {
  let root: string | undefined;
  afterEach(() => {
    if (root) rmSync(root, { recursive: true, force: true });
    root = undefined;
  });

  it('leaves the earlier output untouched when the source fails part-way', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'meshctl-stream-'));
    const target = path.join(root, 'out');
    mkdirSync(target);
    writeFileSync(path.join(target, OUTPUT_MARKER), '');
    writeFileSync(path.join(target, 'old.yaml'), 'old\n');
    function* failing(): Generator<[string, string]> {
      yield ['ns/a.yaml', 'a\n'];
      throw new Error('compile failed');
    }
    await expect(writeFilesDirectoryStreaming(target, failing())).rejects.toThrow('compile failed');
    expect(readdirSync(root)).toEqual(['out']);
    expect(readFileSync(path.join(target, 'old.yaml'), 'utf8')).toBe('old\n');
    expect(existsSync(path.join(target, 'ns'))).toBe(false);
  });

  it('writes every file and refuses a name outside the directory', async () => {
    root = mkdtempSync(path.join(tmpdir(), 'meshctl-stream-'));
    const target = path.join(root, 'out');
    expect(await writeFilesDirectoryStreaming(target, [['ns/a.yaml', 'a\n'], ['ns/b.yaml', 'b\n'], ['c.yaml', 'c\n']])).toEqual(['ns/a.yaml', 'ns/b.yaml', 'c.yaml']);
    expect(readFileSync(path.join(target, 'ns/b.yaml'), 'utf8')).toBe('b\n');
    await expect(writeFilesDirectoryStreaming(target, [['ns/a.yaml', 'new\n'], ['../escape.yaml', 'x']])).rejects.toThrow('refusing to write ../escape.yaml');
    expect(readFileSync(path.join(target, 'ns/a.yaml'), 'utf8')).toBe('a\n');
    expect(readdirSync(root)).toEqual(['out']);
  });
});
