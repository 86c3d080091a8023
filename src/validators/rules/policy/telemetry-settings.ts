// Every telemetry block of the mesh, wherever it is written: the Mesh, a namespace default, a
// service. Listed with a label for messages and a locator into its document.
import type { Location, PathSegment } from '../../../diagnostics/types.js';
import type { MeshModel } from '../../../model/mesh-model.js';
import { memoizeByObject } from '../../../model/memoize.js';
import type { TelemetrySpec } from '../../../schema/policy.js';

export interface TelemetryEntry {
  readonly telemetry: TelemetrySpec;
  readonly scope: 'mesh' | 'namespace' | 'service';
  /** "the mesh", "namespace shop", "service shop/reviews". */
  readonly label: string;
  /** Location of a node under this telemetry block. */
  at(...path: PathSegment[]): Location;
  keyAt(...path: PathSegment[]): Location;
}

/** Computed once per model (three rules read it); read-only. */
export const telemetrySettings: (model: MeshModel) => readonly TelemetryEntry[] = memoizeByObject(telemetrySettingsUncached);

function telemetrySettingsUncached(model: MeshModel): TelemetryEntry[] {
  const entries: TelemetryEntry[] = [];
  const mesh = model.mesh;
  if (mesh) {
    const spec = mesh.resource.spec;
    if (spec.telemetry) {
      entries.push({ telemetry: spec.telemetry, scope: 'mesh', label: 'the mesh', at: (...p) => mesh.at('spec', 'telemetry', ...p), keyAt: (...p) => mesh.keyAt('spec', 'telemetry', ...p) });
    }
    for (const [namespace, defaults] of Object.entries(spec.namespaces ?? {}).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
      if (!defaults.telemetry) continue;
      const base = ['spec', 'namespaces', namespace, 'telemetry'];
      entries.push({ telemetry: defaults.telemetry, scope: 'namespace', label: `namespace ${namespace}`, at: (...p) => mesh.at(...base, ...p), keyAt: (...p) => mesh.keyAt(...base, ...p) });
    }
  }
  for (const service of model.services) {
    const telemetry = service.resource.spec.telemetry;
    if (!telemetry) continue;
    entries.push({ telemetry, scope: 'service', label: `service ${service.key}`, at: (...p) => service.at('spec', 'telemetry', ...p), keyAt: (...p) => service.keyAt('spec', 'telemetry', ...p) });
  }
  return entries;
}
