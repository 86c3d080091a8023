// Telemetry: access logs and trace sampling, at the three levels Istio merges (root namespace,
// namespace, workload; the more specific wins).
// - accessLog -> `accessLogging` with Istio's built-in `envoy` provider; `enabled: false` sets
//   `disabled: true` (written out in both directions, so a level can switch logging back on);
//   `errorsOnly` becomes the CEL filter `response.code >= 400`.
// - tracing -> `tracing` with `randomSamplingPercentage`, using the mesh's default tracing provider.
// - accessLog `format` (text/json) is not set here: the built-in `envoy` provider writes the
//   encoding MeshConfig's `accessLogEncoding` selects, for the whole mesh. A per-namespace format
//   would need a provider declared in MeshConfig's extensionProviders, which meshctl does not
//   manage; naming one that does not exist would turn logging off.
import type { KubernetesObject } from '../../../output/manifest.js';
import { compareStrings } from '../../../diagnostics/types.js';
import { compiledName, DEFAULTS_OBJECT_NAME, ROOT_NAMESPACE, type CompiledSource } from '../compiled-names.js';
import type { MeshModel } from '../../../model/mesh-model.js';
import type { TelemetrySpec } from '../../../schema/policy.js';
import { API, objectMeta } from '../common.js';
import { policySelector } from './workload.js';

/** Istio's built-in access-log provider (Envoy's file access log to the proxy's stdout). */
export const ACCESS_LOG_PROVIDER = 'envoy';

/** Envoy's response code attribute, as Istio's access-log filter (CEL) reads it. */
export const ERRORS_ONLY_FILTER = 'response.code >= 400';

export function compileTelemetry(model: MeshModel): KubernetesObject[] {
  const objects: KubernetesObject[] = [];
  const mesh = model.mesh;
  if (mesh) {
    if (model.settings.telemetry) objects.push(telemetry(mesh, DEFAULTS_OBJECT_NAME, ROOT_NAMESPACE, toTelemetrySpec(model.settings.telemetry)));
    for (const namespace of Object.keys(model.settings.namespaces ?? {}).sort(compareStrings)) {
      const settings = model.settings.namespaces?.[namespace]?.telemetry;
      if (settings) objects.push(telemetry(mesh, DEFAULTS_OBJECT_NAME, namespace, toTelemetrySpec(settings)));
    }
  }
  for (const service of model.services) {
    const settings = service.resource.spec.telemetry;
    if (!settings) continue;
    objects.push(telemetry(service, compiledName.telemetry(service.name), service.namespace, { selector: policySelector(service), ...toTelemetrySpec(settings) }));
  }
  return objects;
}

export function toTelemetrySpec(settings: TelemetrySpec): Record<string, unknown> {
  const spec: Record<string, unknown> = {};
  const accessLog = settings.accessLog;
  if (accessLog) {
    spec.accessLogging = [
      {
        providers: [{ name: ACCESS_LOG_PROVIDER }],
        disabled: !accessLog.enabled,
        ...(accessLog.enabled && accessLog.errorsOnly ? { filter: { expression: ERRORS_ONLY_FILTER } } : {}),
      },
    ];
  }
  if (settings.tracing) spec.tracing = [{ randomSamplingPercentage: settings.tracing.samplingPercent }];
  return spec;
}

function telemetry(source: CompiledSource, name: string, namespace: string, spec: Record<string, unknown>): KubernetesObject {
  return { apiVersion: API.telemetry, kind: 'Telemetry', metadata: objectMeta(source, name, namespace), spec };
}
