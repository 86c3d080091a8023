// The security emitters, one concern per file; merged by ../index.ts. Besides authentication and
// authorization this folder holds what scopes a workload inside the mesh: the service registry
// (ServiceEntry, WorkloadEntry, the Kubernetes Service of VM workloads), its Sidecar, its Namespace and its Telemetry.
import type { IstioEmitter } from '../index.js';
import { compileAuthorizationPolicies } from './authorization-policy.js';
import { compileNamespaces } from './namespace.js';
import { compilePeerAuthentications } from './peer-authentication.js';
import { compileRequestAuthentications } from './request-authentication.js';
import { compileServiceEntries } from './service-entry.js';
import { compileSidecars } from './sidecar.js';
import { compileTelemetry } from './telemetry.js';
import { compileVmServices } from './vm-service.js';
import { compileWorkloadEntries } from './workload-entry.js';

export const SECURITY_EMITTERS: readonly IstioEmitter[] = [
  compileNamespaces,
  compilePeerAuthentications,
  compileAuthorizationPolicies,
  compileRequestAuthentications,
  compileServiceEntries,
  compileWorkloadEntries,
  compileVmServices,
  compileSidecars,
  compileTelemetry,
];
