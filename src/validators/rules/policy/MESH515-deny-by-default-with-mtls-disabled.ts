// Deny-by-default with mTLS disabled, for the mesh or a namespace: callers have no identity, so
// allow rules can only name IP blocks, and every allow that names services, namespaces or service
// accounts admits nobody. Mostly this is an unfinished migration.
import { defineRule } from '../../rule.js';
import type { Location } from '../../../diagnostics/types.js';
import { effectiveAccessDefault, namespaceMtlsMode } from '../../../model/effective-policy.js';

export default defineRule({
  code: 'MESH515',
  name: 'deny-by-default-with-mtls-disabled',
  level: 'warning',
  category: 'security',
  description: 'Deny-by-default access with mTLS disabled (mesh-wide or for a namespace): identity-based allow rules cannot work.',
  messages: {
    mesh: 'the mesh is deny-by-default with mTLS disabled: callers have no identity, so allow rules naming services, namespaces or service accounts admit nobody; use mtls permissive (or strict)',
    namespace: 'namespace {namespace} is deny-by-default with mTLS disabled: callers have no identity, so allow rules naming services, namespaces or service accounts admit nobody; use mtls permissive (or strict)',
  },
  check({ model, report }) {
    const mesh = model.mesh;
    if (!mesh) return;
    const settings = model.settings;
    if (settings.access === 'deny-by-default' && settings.mtls === 'disabled') {
      report('mesh', {}, mesh.at('spec', 'mtls'), [{ message: 'deny-by-default is set here', location: mesh.at('spec', 'access') }]);
    }
    for (const namespace of Object.keys(settings.namespaces ?? {}).sort()) {
      const access = effectiveAccessDefault(model, namespace);
      const mtls = namespaceMtlsMode(model, namespace);
      // Both values from the mesh: the mesh-wide report covers this namespace.
      if (access.layer !== 'namespace' && mtls.layer !== 'namespace') continue;
      if (access.value !== 'deny-by-default' || mtls.value !== 'disabled') continue;
      const [here, other] = mtls.layer === 'namespace' ? [mtls, access] : [access, mtls];
      const related: { message: string; location: Location }[] = [];
      if (other.location) related.push({ message: other === access ? 'deny-by-default is set here' : 'mTLS is disabled here', location: other.location });
      report('namespace', { namespace }, here.location ?? mesh.keyAt('spec', 'namespaces', namespace), related);
    }
  },
});
