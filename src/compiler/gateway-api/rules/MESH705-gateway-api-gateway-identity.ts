// An access rule that admits a mesh Gateway by its service account, `<namespace>/<gateway>`: the
// identity the Istio target's gateway deployment runs as. Under the Gateway API istiod deploys the
// Gateway itself, as `<gateway>-<class>` (Deployment, Service and ServiceAccount), so its requests
// carry that identity and the rule would no longer admit them: the exposed service would refuse its
// own gateway.
import { defineRule } from '../../../validators/rule.js';
import { qualify } from '../../../model/mesh-model.js';
import { DEFAULT_GATEWAY_CLASS } from '../ingress.js';

export default defineRule({
  code: 'MESH705',
  name: 'gateway-api-gateway-identity',
  level: 'warning',
  category: 'gateway-api',
  target: 'gateway-api',
  description: 'An access rule admits a gateway by the service account that istiod\'s Gateway API deployment does not use.',
  messages: {
    identity: 'service account "{account}" is gateway {gateway}\'s under the Istio target; under the Gateway API istiod runs the gateway as "{namespace}/{deployed}": add that account too, or the gateway\'s requests are refused',
  },
  check(context) {
    const { model } = context;
    const gatewayClass = model.settings.gatewayApi?.gatewayClass ?? DEFAULT_GATEWAY_CLASS;
    for (const service of model.services) {
      const access = service.resource.spec.access;
      for (const kind of ['allow', 'deny'] as const) {
        (access?.[kind] ?? []).forEach((rule, index) => {
          const accounts = (rule as { from?: { serviceAccounts?: string[] } }).from?.serviceAccounts ?? [];
          const qualified = accounts.map((account) => qualify(account, service.namespace));
          accounts.forEach((account, a) => {
            const gateway = model.gateways.find((candidate) => `${candidate.namespace}/${candidate.name}` === qualified[a]);
            if (!gateway) return;
            const deployed = `${gateway.name}-${gatewayClass}`;
            if (qualified.includes(`${gateway.namespace}/${deployed}`)) return;
            context.report('identity', { account, gateway: gateway.key, namespace: gateway.namespace, deployed }, service.at('spec', 'access', kind, index, 'from', 'serviceAccounts', a));
          });
        });
      }
    }
  },
});
