// Envoy configs as text: one YAML document per proxy (what `envoy -c FILE` reads), a YAML stream
// of all of them, or JSON. Keys keep the order the emitter built them in, which is fixed.
//
// The streaming forms compile and render one proxy at a time and give the text piece by piece, so
// the whole output is never in memory; they give exactly the bytes of the all-at-once forms.
import { writeYaml } from '../../output/yaml-writer.js';
import { buildEnvoyConfig, type EnvoyConfig, type EnvoyProxy } from './index.js';

/** The file `-o DIR` writes for one proxy. */
export function envoyConfigToYaml(config: EnvoyConfig): string {
  return writeYaml(config.bootstrap);
}

/** Every config as one YAML stream, each document preceded by a comment naming its file. */
export function envoyConfigsToYamlStream(configs: readonly EnvoyConfig[]): string {
  return configs.map(yamlStreamDocument).join('');
}

/** Every config as JSON: `{"configs": [{path, kind, namespace, name, version?, bootstrap}]}`. */
export function envoyConfigsToJson(configs: readonly EnvoyConfig[]): string {
  return `${JSON.stringify({ configs }, null, 2)}\n`;
}

/** Each proxy's file (path and YAML), compiled as it is asked for. */
export function* envoyFiles(proxies: Iterable<EnvoyProxy>): Generator<[string, string]> {
  for (const proxy of proxies) yield [proxy.path, writeYaml(proxy.build())];
}

/** envoyConfigsToYamlStream, one document at a time. */
export function* envoyYamlStreamChunks(proxies: Iterable<EnvoyProxy>): Generator<string> {
  for (const proxy of proxies) yield yamlStreamDocument(buildEnvoyConfig(proxy));
}

/** envoyConfigsToJson, one config at a time: the same text JSON.stringify gives for the whole list. */
export function* envoyJsonChunks(proxies: Iterable<EnvoyProxy>): Generator<string> {
  let first = true;
  for (const proxy of proxies) {
    // Inside {"configs": [...]} each element sits two levels deep; JSON text has no raw newlines
    // inside strings, so indenting every line is exactly what the nested stringify does.
    const element = JSON.stringify(buildEnvoyConfig(proxy), null, 2).replaceAll('\n', '\n    ');
    yield `${first ? '{\n  "configs": [\n' : ',\n'}    ${element}`;
    first = false;
  }
  yield first ? '{\n  "configs": []\n}\n' : '\n  ]\n}\n';
}

function yamlStreamDocument(config: EnvoyConfig): string {
  return `---\n# ${config.path}\n${envoyConfigToYaml(config)}`;
}
