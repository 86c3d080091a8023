// A JWT provider with both jwksUri and jwks. A RequestAuthentication JWT rule takes its keys from
// one source, and Istio refuses a rule that names both; the emitter would have to drop one of
// them silently, and the keys a reviewer approved might not be the ones checked.
import { defineRule } from '../../rule.js';

export default defineRule({
  code: 'MESH517',
  name: 'jwt-provider-both-jwks',
  level: 'error',
  category: 'security',
  description: 'A JWT provider that sets both jwksUri and jwks, which Istio refuses: a token is checked against one key source.',
  messages: {
    both: 'JWT provider "{provider}" sets both jwksUri and jwks, but Istio takes the keys from one source and rejects both: keep jwksUri to fetch the keys, or jwks to give them inline',
  },
  check({ model, report }) {
    for (const mesh of model.meshes) {
      for (const [provider, settings] of Object.entries(mesh.resource.spec.jwtProviders ?? {})) {
        if (settings.jwksUri === undefined || settings.jwks === undefined) continue;
        report('both', { provider }, mesh.keyAt('spec', 'jwtProviders', provider, 'jwks'), [
          { message: 'jwksUri', location: mesh.keyAt('spec', 'jwtProviders', provider, 'jwksUri') },
        ]);
      }
    }
  },
});
