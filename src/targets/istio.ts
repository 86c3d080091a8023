// The Istio target: the Kubernetes objects (Istio resources and core Services) an Istio mesh runs
// on, applied by `meshctl apply`, compared by `meshctl diff` and `meshctl review`.
import { compileIstio } from '../compiler/istio/index.js';
import { defineTarget } from './target.js';

export const istioTarget = defineTarget({
  name: 'istio',
  summary: 'Istio resources (VirtualService, DestinationRule, AuthorizationPolicy, ...) and the Kubernetes Services they need.',
  artifacts: 'objects',
  compile: (model) => ({ objects: compileIstio(model) }),
  emit: (model) => ({ kind: 'objects', objects: compileIstio(model) }),
});
