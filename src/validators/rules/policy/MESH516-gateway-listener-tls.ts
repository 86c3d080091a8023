// Gateway listeners whose TLS settings do not fit their protocol. Istio's validating webhook
// refuses the whole Gateway when an https or tls server has no TLS settings, when a server that
// terminates TLS (simple, mutual) names no certificate, and when a plain-text server (tcp, or
// http with anything but passthrough) carries TLS settings. On an http or http2 listener
// passthrough is accepted but does nothing: the listener still speaks plain text.
import { defineRule } from '../../rule.js';

const TLS_PROTOCOLS: ReadonlySet<string> = new Set(['https', 'tls']);

export default defineRule({
  code: 'MESH516',
  name: 'gateway-listener-tls',
  level: 'error',
  category: 'security',
  description: 'A gateway listener whose TLS settings do not fit its protocol: https or tls without tls, simple or mutual TLS without credentialName, or tls on a plain-text listener.',
  messages: {
    missingTls:
      'listener {listener} has protocol {protocol}, which needs tls settings, and Istio rejects the Gateway without them: add tls with mode simple and the credentialName of the certificate\'s secret, or mode passthrough to pass TLS through to the service',
    missingCredential:
      'tls mode {mode} on listener {listener} terminates TLS at the gateway, which needs a certificate{ca}, and Istio rejects the Gateway without one: set credentialName to the Kubernetes secret that holds it, or use mode passthrough',
    plainText:
      'listener {listener} has protocol {protocol}, which is plain text, so tls settings cannot apply and Istio rejects the Gateway: use protocol https to terminate TLS (or tls to pass it through), or remove tls',
    ignored:
      'listener {listener} has protocol {protocol}, which is plain text, so tls mode passthrough does nothing here (Istio accepts it and serves plain text): use protocol tls to pass TLS through, or remove tls',
  },
  check({ model, report }) {
    for (const gateway of model.gateways) {
      gateway.resource.spec.listeners.forEach((listener, index) => {
        const { protocol, tls } = listener;
        const path = ['spec', 'listeners', index] as const;
        // As the compiled Gateway names the server: the listener's name, or <protocol>-<port>.
        const name = `"${listener.name ?? `${protocol}-${listener.port}`}"`;
        if (TLS_PROTOCOLS.has(protocol)) {
          if (!tls) report('missingTls', { listener: name, protocol }, gateway.at(...path, 'protocol'));
          else if (tls.mode !== 'passthrough' && !tls.credentialName) {
            report('missingCredential', { listener: name, mode: tls.mode, ca: tls.mode === 'mutual' ? ' and the CA that client certificates are checked against' : '' }, gateway.at(...path, 'tls', 'mode'));
          }
          return;
        }
        if (!tls) return;
        const passthroughOnHttp = tls.mode === 'passthrough' && (protocol === 'http' || protocol === 'http2');
        report(passthroughOnHttp ? 'ignored' : 'plainText', { listener: name, protocol }, gateway.keyAt(...path, 'tls'), [
          { message: 'the listener\'s protocol', location: gateway.at(...path, 'protocol') },
        ]);
      });
    }
  },
});
