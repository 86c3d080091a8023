// A gateway listener with mutual TLS. A Gateway API listener checks client certificates only
// through the Gateway's frontend validation, which takes CA certificates by reference, not the
// `credentialName` Secret Istio reads them from (ca.crt); the target would write a listener that
// accepts every client. Refused rather than weakened.
import { defineRule } from '../../../validators/rule.js';

export default defineRule({
  code: 'MESH703',
  name: 'gateway-api-mutual-tls-listener',
  level: 'error',
  category: 'gateway-api',
  target: 'gateway-api',
  description: 'A gateway listener with mutual TLS, which the Gateway API target cannot write without accepting every client.',
  messages: {
    mutual: 'listener {listener} asks for mutual TLS, which the Gateway API target cannot write (a Gateway API listener would accept clients without a certificate): compile with --target istio, or use tls mode simple',
  },
  check(context) {
    for (const gateway of context.model.gateways) {
      gateway.resource.spec.listeners.forEach((listener, index) => {
        if (listener.tls?.mode === 'mutual') context.report('mutual', { listener: listener.name ?? `${listener.protocol}-${listener.port}` }, gateway.at('spec', 'listeners', index, 'tls', 'mode'));
      });
    }
  },
});
