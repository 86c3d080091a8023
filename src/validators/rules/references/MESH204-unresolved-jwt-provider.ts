// Finds JWT providers a service requires that the Mesh does not declare. The provider compiles to
// the issuer and keys of a RequestAuthentication; without them no token can be verified, so a
// service that requires tokens refuses every request.
import { defineRule } from '../../rule.js';
import { hasInvalidMesh, listForMessage, suggestName } from '../../../model/resolve-reference.js';

export default defineRule({
  code: 'MESH204',
  name: 'unresolved-jwt-provider',
  level: 'error',
  category: 'reference',
  description: 'A JWT provider named by a service\'s authentication that the Mesh does not declare in jwtProviders.',
  messages: {
    unresolved: 'JWT provider "{provider}" is not declared in the Mesh\'s spec.jwtProviders{hint}',
    noProviders: 'JWT provider "{provider}" is not declared: the mesh declares no JWT providers; add it to the Mesh\'s spec.jwtProviders with its issuer and jwksUri',
  },
  check(context) {
    const { model } = context;
    // A Mesh that failed the schema may well declare the provider: its own diagnostic comes first.
    if (!model.mesh && hasInvalidMesh(model)) return;
    const providers = Object.keys(model.settings.jwtProviders ?? {});
    for (const service of model.services) {
      service.resource.spec.authentication?.jwt?.providers.forEach((provider, p) => {
        if (providers.includes(provider)) return;
        const location = service.at('spec', 'authentication', 'jwt', 'providers', p);
        if (providers.length === 0) context.report('noProviders', { provider }, location);
        else context.report('unresolved', { provider, hint: suggestName(model, provider, providers) || `; it declares ${listForMessage(providers)}` }, location);
      });
    }
  },
});
