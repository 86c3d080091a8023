// A JWT provider with neither jwksUri nor jwks whose issuer is not an http(s) URL. Without a key
// source istiod fetches the issuer's OpenID discovery document, <issuer>/.well-known/openid-
// configuration, and the keys it names; that is the usual setup for public identity providers and
// is not reported. An issuer such as "jobs@shop.internal" has no such document, so the lookup
// cannot succeed: istiod then installs a key set that matches no token (it fails closed) and every
// request carrying a token is refused, and the Envoy target has no URL to fetch keys from at all.
// Neither target can do what the provider says, so it is an error.
import { defineRule } from '../../rule.js';

const DISCOVERABLE_ISSUER = /^https?:\/\/[^/]/i;

export default defineRule({
  code: 'MESH518',
  name: 'jwt-provider-keys-undiscoverable',
  level: 'error',
  category: 'security',
  description: 'A JWT provider with neither jwksUri nor jwks whose issuer is not an http(s) URL, so istiod cannot discover its keys and refuses every token, and the Envoy target has no URL to fetch them from.',
  messages: {
    undiscoverable:
      'JWT provider "{provider}" sets neither jwksUri nor jwks, and its issuer "{issuer}" is not an http(s) URL, so istiod has no OpenID discovery document to find the keys in and every token is refused, and Envoy has no URL to fetch them from: set jwksUri (or jwks)',
  },
  check({ model, report }) {
    for (const mesh of model.meshes) {
      for (const [provider, settings] of Object.entries(mesh.resource.spec.jwtProviders ?? {})) {
        if (settings.jwksUri !== undefined || settings.jwks !== undefined || DISCOVERABLE_ISSUER.test(settings.issuer)) continue;
        report('undiscoverable', { provider, issuer: settings.issuer }, mesh.at('spec', 'jwtProviders', provider, 'issuer'));
      }
    }
  },
});
