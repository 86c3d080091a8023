// Finds a host claimed by two ExternalServices. Both compile to ServiceEntries for the same host,
// exported mesh-wide; Istio then keeps one of them by creation time, so which ports, resolution
// and TLS settings apply to the host changes from cluster to cluster.
import { defineRule } from '../../rule.js';
import { compareStrings } from '../../../diagnostics/types.js';
import type { ExternalServiceNode } from '../../../model/mesh-model.js';
import { referenceTo } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH226',
  name: 'duplicate-external-host',
  level: 'error',
  category: 'reference',
  description: 'A host claimed by two external services, whose settings then conflict.',
  messages: {
    duplicate: 'host "{host}" is already claimed by external service {other}; declare each host in one external service only',
  },
  check(context) {
    const claims = new Map<string, { node: ExternalServiceNode; index: number }>();
    // In document order, so the later declaration is the one reported.
    const inFileOrder = [...context.model.externalServices].sort(
      (a, b) => compareStrings(a.document.file, b.document.file) || a.document.index - b.document.index,
    );
    for (const external of inFileOrder) {
      external.resource.spec.hosts.forEach((host, h) => {
        const key = host.toLowerCase();
        const first = claims.get(key);
        if (!first) {
          claims.set(key, { node: external, index: h });
          return;
        }
        // The same document twice is a duplicate name (MESH220); its hosts add nothing to that.
        if (first.node === external || first.node.key === external.key) return;
        context.report('duplicate', { host, other: referenceTo(first.node, external.namespace) }, external.at('spec', 'hosts', h), [
          { message: `external service ${first.node.key}`, location: first.node.at('spec', 'hosts', first.index) },
        ]);
      });
    }
  },
});
