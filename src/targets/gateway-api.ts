// The Gateway API target: the Kubernetes Gateway API (GAMMA routes for mesh traffic, a Gateway and
// routes for ingress), plus, unless portable, the Istio kinds that say what the Gateway API cannot.
import { compileGatewayApi } from '../compiler/gateway-api/index.js';
import { defineTarget, type TargetSettings } from './target.js';

export const gatewayApiTarget = defineTarget({
  name: 'gateway-api',
  summary: 'Kubernetes Gateway API routes (GAMMA for mesh traffic, a Gateway for ingress), with Istio kinds for what it cannot say unless portable.',
  artifacts: 'objects',
  compile: (model, settings) => ({ objects: compileGatewayApi(model, portableOf(settings)) }),
  emit: (model, settings) => ({ kind: 'objects', objects: compileGatewayApi(model, portableOf(settings)) }),
});

function portableOf(settings: TargetSettings): { portable?: boolean } {
  return settings.gatewayApi?.portable !== undefined ? { portable: settings.gatewayApi.portable } : {};
}
