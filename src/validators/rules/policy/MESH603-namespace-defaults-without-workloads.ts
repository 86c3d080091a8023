// Namespace defaults (mtls, access, injection, telemetry) for a namespace where the mesh files put
// no service or gateway: the defaults apply to nothing meshctl manages, which is usually a typo in
// the namespace name. Namespaces that access rules or the rate-limit service name are in use even
// without workloads here, so they are not reported.
import { defineRule } from '../../rule.js';
import { didYouMean } from '../../../common/suggest.js';
import { accessRules } from '../../../model/access-rules.js';
import { parsePrincipal } from '../../../model/access-syntax.js';
import type { MeshModel } from '../../../model/mesh-model.js';

/** Namespaces named by access rules (namespaces, service accounts, principals) and the rate-limit service. */
function referencedNamespaces(model: MeshModel): Set<string> {
  const referenced = new Set<string>();
  const rateLimitService = model.settings.rateLimitService?.service;
  if (rateLimitService?.includes('/')) referenced.add(rateLimitService.slice(0, rateLimitService.indexOf('/')));
  for (const service of model.services) {
    for (const { rule } of accessRules(service)) {
      for (const namespace of rule.from?.namespaces ?? []) referenced.add(namespace);
      for (const account of rule.from?.serviceAccounts ?? []) if (account.includes('/')) referenced.add(account.slice(0, account.indexOf('/')));
      for (const text of rule.from?.principals ?? []) {
        const parsed = parsePrincipal(text);
        if ('principal' in parsed && parsed.principal.kind !== 'any' && parsed.principal.namespace) referenced.add(parsed.principal.namespace);
      }
    }
  }
  return referenced;
}

export default defineRule({
  code: 'MESH603',
  name: 'namespace-defaults-without-workloads',
  level: 'info',
  category: 'reference',
  description: 'Namespace defaults in the Mesh for a namespace that holds no service or gateway and that no access rule names.',
  messages: {
    empty: 'namespace "{namespace}" holds no service or gateway in these mesh files, so its defaults apply to nothing meshctl manages{suggestion}',
  },
  check({ model, report }) {
    const mesh = model.mesh;
    if (!mesh) return;
    const populated = new Set([...model.services, ...model.gateways].map((node) => node.namespace));
    const referenced = referencedNamespaces(model);
    for (const namespace of Object.keys(model.settings.namespaces ?? {}).sort()) {
      if (populated.has(namespace) || referenced.has(namespace)) continue;
      if ([...model.invalidKeys].some((key) => key.startsWith(`${namespace}/`))) continue;
      report('empty', { namespace, suggestion: didYouMean(namespace, [...populated].sort()) }, mesh.keyAt('spec', 'namespaces', namespace));
    }
  },
});
