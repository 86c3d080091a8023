// Meshes written for the Istio target let each application listen on its service port: Istio's
// sidecar captures traffic, so nothing clashes there. Compiled for the Envoy target, whose sidecar
// binds that port itself, they are refused (MESH234, an error). Tests that compile such meshes for
// Envoy only to read or parse the configurations, never to run them next to their applications,
// lower the rule to a warning with this, which says why where it is used.
import type { LevelSetting } from '../../src/diagnostics/types.js';

export const APPLICATIONS_ON_SERVICE_PORTS: Readonly<Record<string, LevelSetting>> = { MESH234: 'warning' };
