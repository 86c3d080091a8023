// The Envoy target: one complete Envoy bootstrap (static_resources) per sidecar and gateway, as
// files, each compiled only when it is written.
import { buildEnvoyConfig, planEnvoyProxies, type EnvoyCompileOptions } from '../compiler/envoy/index.js';
import { envoyFiles, envoyJsonChunks, envoyYamlStreamChunks } from '../compiler/envoy/render.js';
import type { MeshModel } from '../model/mesh-model.js';
import { defineTarget, type TargetSettings } from './target.js';

export const envoyTarget = defineTarget({
  name: 'envoy',
  summary: 'An Envoy v3 bootstrap for every workload\'s sidecar and every gateway, run with "envoy -c FILE".',
  artifacts: 'files',
  configuredBy: meshConfiguresEnvoy,
  compile: (model, settings) => ({ configs: planEnvoyProxies(model, envoyOptions(settings)).map(buildEnvoyConfig) }),
  emit(model, settings) {
    const proxies = planEnvoyProxies(model, envoyOptions(settings));
    return {
      kind: 'files',
      noun: 'Envoy configurations',
      files: () => envoyFiles(proxies),
      yamlChunks: () => envoyYamlStreamChunks(proxies),
      jsonChunks: () => envoyJsonChunks(proxies),
    };
  },
});

function envoyOptions(settings: TargetSettings): EnvoyCompileOptions {
  const certificateDirectory = settings.envoy?.certificateDirectory;
  return certificateDirectory !== undefined ? { certificateDirectory } : {};
}

/**
 * True when the mesh files say anything about the Envoy target: a Mesh, Service, version or Gateway
 * `envoy` section, or service `endpoints`. The Istio target ignores all of them.
 */
export function meshConfiguresEnvoy(model: MeshModel): boolean {
  if (model.settings.envoy !== undefined) return true;
  if (model.gateways.some((gateway) => gateway.resource.spec.envoy !== undefined)) return true;
  return model.services.some((service) => {
    const spec = service.resource.spec;
    if (spec.envoy !== undefined || spec.endpoints !== undefined) return true;
    return Object.values(spec.versions ?? {}).some((version) => version.envoy !== undefined || version.endpoints !== undefined);
  });
}
