import { defineRule } from '../../diagnostics/rule.js';

export default defineRule({
  code: 'MESH011',
  name: 'foreign-resource',
  level: 'error',
  category: 'load',
  description: "A document is another tool's object (Istio, Kubernetes), not a mesh document.",
  messages: { istio: 'this is an Istio {kind} ({apiVersion}), not a mesh document: meshctl generates Istio objects; describe the intent in a {suggestion} instead', kubernetes: 'this is a Kubernetes {kind} ({apiVersion}), not a mesh document: keep it out of the mesh directory or deploy it with its own tool', other: 'this is a {kind} of {apiVersion}, not a mesh document (apiVersion meshctl.dev/v1alpha1)' },
});
