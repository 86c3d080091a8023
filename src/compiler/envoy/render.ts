// Envoy configs as text: one YAML document per proxy (what `envoy -c FILE` reads), a YAML stream
// of all of them, or JSON. Keys keep the order the emitter built them in, which is fixed.
import { writeYaml } from '../../output/yaml-writer.js';
import type { EnvoyConfig } from './index.js';

/** The file `-o DIR` writes for one proxy. */
export function envoyConfigToYaml(config: EnvoyConfig): string {
  return writeYaml(config.bootstrap);
}

/** Every config as one YAML stream, each document preceded by a comment naming its file. */
export function envoyConfigsToYamlStream(configs: readonly EnvoyConfig[]): string {
  return configs.map((config) => `---\n# ${config.path}\n${envoyConfigToYaml(config)}`).join('');
}

/** Every config as JSON: `{"configs": [{path, kind, namespace, name, version?, bootstrap}]}`. */
export function envoyConfigsToJson(configs: readonly EnvoyConfig[]): string {
  return `${JSON.stringify({ configs }, null, 2)}\n`;
}
