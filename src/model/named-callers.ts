// Which services the mesh files name as callers of which: a callee's allow rules naming the caller
// by one of its identities (its service, its service account, its exact SPIFFE ID), and its routes
// matching on the caller (`match.from`). Each says that the caller calls the callee; MESH209 checks
// them against `dependsOn`, and the plan's dependencies (src/plan/dependencies.ts) follow them.
import type { PathSegment } from '../diagnostics/types.js';
import { qualify, type MeshModel, type ServiceNode } from './mesh-model.js';
import { memoizeByObject } from './memoize.js';
import { serviceAccountsOf } from './workload-identity.js';

/** A service that another service's file names as its caller, and where. */
export interface NamedCaller {
  readonly caller: ServiceNode;
  readonly callee: ServiceNode;
  /** The entry in the callee's document that names the caller. */
  readonly path: readonly PathSegment[];
}

/**
 * Every (caller, callee) pair the callees' files establish, in model order: allow rules naming the
 * caller by one of its identities, and routes matching on it as a caller. Computed once per model
 * (MESH209 and the plan's dependencies both read it); read-only.
 */
export const namedCallers: (model: MeshModel) => readonly NamedCaller[] = memoizeByObject(namedCallersUncached);

function namedCallersUncached(model: MeshModel): NamedCaller[] {
  const byIdentity = servicesByIdentity(model);
  const trustDomainPrefix = `spiffe://${model.settings.trustDomain}/ns/`;
  const found: NamedCaller[] = [];
  for (const callee of model.services) {
    const spec = callee.resource.spec;
    const add = (callers: Iterable<ServiceNode>, path: readonly PathSegment[]) => {
      for (const caller of callers) found.push({ caller, callee, path });
    };
    const byRef = (ref: string) => {
      const caller = model.findService(ref, callee.namespace);
      return caller ? [caller] : [];
    };
    (spec.access?.allow ?? []).forEach((rule, r) => {
      const at = (...rest: PathSegment[]) => ['spec', 'access', 'allow', r, 'from', ...rest];
      rule.from?.services?.forEach((ref, i) => add(byRef(ref), at('services', i)));
      rule.from?.serviceAccounts?.forEach((account, i) => add(byIdentity.get(qualify(account, callee.namespace)) ?? [], at('serviceAccounts', i)));
      rule.from?.principals?.forEach((principal, i) => {
        // spiffe://<trust domain>/ns/<namespace>/sa/<account>, exactly: patterns name no one caller.
        const match = principal.startsWith(trustDomainPrefix) ? /^([^/*]+)\/sa\/([^/*]+)$/.exec(principal.slice(trustDomainPrefix.length)) : null;
        if (match) add(byIdentity.get(`${match[1]}/${match[2]}`) ?? [], at('principals', i));
      });
    });
    (spec.routes ?? []).forEach((route, r) => route.match?.from?.forEach((ref, i) => add(byRef(ref), ['spec', 'routes', r, 'match', 'from', i])));
  }
  return found;
}

/** `namespace/account` -> the services whose workloads run as that account. */
function servicesByIdentity(model: MeshModel): Map<string, ServiceNode[]> {
  const index = new Map<string, ServiceNode[]>();
  for (const service of model.services) {
    for (const account of serviceAccountsOf(service)) {
      const key = `${service.namespace}/${account}`;
      const services = index.get(key);
      if (services) services.push(service);
      else index.set(key, [service]);
    }
  }
  return index;
}

