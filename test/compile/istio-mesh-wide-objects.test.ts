// Objects in Istio's root namespace apply to every workload of the mesh, including those of teams
// that do not use meshctl. They are written only for the settings the Mesh document writes itself:
// a Mesh that declares only its namespaces leaves the platform's mesh-wide policy alone.
import { describe, expect, it } from 'vitest';
import { compileText, names, specOf } from './istio-security-support.js';

const SERVICE = `
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: web, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
  dependsOn: [api]
---
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
`;

const inRootNamespace = (objects: ReturnType<typeof compileText>) => objects.filter((o) => o.metadata.namespace === 'istio-system').map((o) => `${o.kind}/${o.metadata.name}`);

describe('mesh-wide objects', () => {
  it('a Mesh that declares only namespaces writes nothing in the root namespace and only touches its namespaces', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: shop-team}
spec:
  namespaces:
    shop: {mtls: strict, access: deny-by-default, egress: registry-only}
---
${SERVICE}`);
    expect(inRootNamespace(objects)).toEqual([]);
    expect(new Set(objects.map((o) => o.metadata.namespace ?? o.metadata.name))).toEqual(new Set(['shop']));
    expect(specOf(objects, 'PeerAuthentication', 'shop', 'default')).toEqual({ mtls: { mode: 'STRICT' } });
    expect(specOf(objects, 'AuthorizationPolicy', 'shop', 'allow-nothing')).toEqual({});
    expect(specOf(objects, 'Sidecar', 'shop', 'web').outboundTrafficPolicy).toEqual({ mode: 'REGISTRY_ONLY' });
  });

  it('a Mesh without mesh-wide settings writes no mesh-wide PeerAuthentication, Sidecar or allow-nothing', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: quiet}
spec: {trustDomain: cluster.local}
---
${SERVICE}`);
    expect(inRootNamespace(objects)).toEqual([]);
    // Istio falls back to MeshConfig's outbound traffic policy, the platform's choice.
    expect(specOf(objects, 'Sidecar', 'shop', 'web').outboundTrafficPolicy).toBeUndefined();
  });

  it('each mesh-wide setting the Mesh writes gives its own root-namespace object, defaults spelt out included', () => {
    const objects = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Mesh
metadata: {name: platform}
spec:
  mtls: permissive
  egress: allow-any
  access: deny-by-default
---
${SERVICE}`);
    expect(inRootNamespace(objects).sort()).toEqual(['AuthorizationPolicy/allow-nothing', 'PeerAuthentication/default', 'Sidecar/default']);
    expect(specOf(objects, 'PeerAuthentication', 'istio-system', 'default')).toEqual({ mtls: { mode: 'PERMISSIVE' } });
    expect(names(objects, 'Sidecar')).toContain('istio-system/default');
  });
});
