// The service registry meshctl adds to Istio's: ServiceEntry for external services, WorkloadEntry
// per VM and a Kubernetes Service selecting a service's VMs, and the Namespace objects the mesh's workloads live in.
import path from 'node:path';
import { validateText } from '../helpers/validate-text.js';
import { describe, expect, it } from 'vitest';
import { compilePath, compileText, exampleMesh, find, names, specOf, validFixtures } from './istio-security-support.js';

describe('ServiceEntry for external services', async () => {
  const objects = await compilePath(exampleMesh);

  it('declares TLS origination the Istio way: an HTTP port whose target is the provider\'s TLS port', () => {
    expect(specOf(objects, 'ServiceEntry', 'orders', 'payments')).toEqual({
      hosts: ['api.payments.example.com'],
      location: 'MESH_EXTERNAL',
      ports: [{ number: 80, name: 'http', protocol: 'HTTP', targetPort: 443 }],
      resolution: 'DNS',
    });
  });

  it('lists a registry\'s endpoints with their ports, labels and localities for STATIC resolution', () => {
    const spec = specOf(objects, 'ServiceEntry', 'orders', 'shipping-rates');
    expect(spec.resolution).toBe('STATIC');
    expect(spec.ports).toEqual([{ number: 8443, name: 'tls', protocol: 'TLS' }]);
    expect(spec.endpoints).toEqual([
      { address: '10.50.1.11', ports: { tls: 23817 }, labels: { 'consul-datacenter': 'us-east1' }, locality: 'us-east1/us-east1-b' },
      { address: '10.50.1.12', ports: { tls: 24102 }, labels: { 'consul-datacenter': 'us-east1' }, locality: 'us-east1/us-east1-c' },
      { address: '10.70.1.21', ports: { tls: 21450 }, labels: { 'consul-datacenter': 'us-west1' }, locality: 'us-west1/us-west1-a' },
    ]);
  });

  it('names ports by the format\'s default (<protocol>-<port>) and upper-cases every protocol', async () => {
    const fixture = await compilePath(path.join(validFixtures, 'references-egress-route.yaml'));
    const spec = specOf(fixture, 'ServiceEntry', 'shop', 'legacy-billing');
    expect(spec.ports).toEqual([
      { number: 8443, name: 'tls-8443', protocol: 'TLS' },
      { number: 8080, name: 'plain', protocol: 'HTTP' },
    ]);
    expect(spec.endpoints[0]).toEqual({ address: '10.20.0.4', ports: { plain: 18080, 'tls-8443': 18443 } });
  });

  it('refuses endpoints with resolution none before compiling, since Istio rejects the ServiceEntry', () => {
    // Validation stops this mesh (MESH231), so compile never sees it.
    const result = validateText(`
apiVersion: meshctl.dev/v1alpha1
kind: ExternalService
metadata: {name: passthrough, namespace: shop}
spec:
  hosts: [legacy.example.com]
  ports: [{port: 443, protocol: tls}, {port: 9000, protocol: grpc, name: grpc-api}]
  resolution: none
  endpoints: [{address: 10.0.0.1}]
`);
    expect(result.diagnostics.map((d) => d.code)).toEqual(['MESH231']);
  });

  it('writes a passthrough ServiceEntry with resolution NONE and no endpoints', () => {
    const fixture = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: ExternalService
metadata: {name: passthrough, namespace: shop}
spec:
  hosts: [legacy.example.com]
  ports: [{port: 443, protocol: tls}, {port: 9000, protocol: grpc, name: grpc-api}]
  resolution: none
`);
    expect(specOf(fixture, 'ServiceEntry', 'shop', 'passthrough')).toEqual({
      hosts: ['legacy.example.com'],
      location: 'MESH_EXTERNAL',
      ports: [
        { number: 443, name: 'tls-443', protocol: 'TLS' },
        { number: 9000, name: 'grpc-api', protocol: 'GRPC' },
      ],
      resolution: 'NONE',
    });
  });
});

describe('VM workloads', async () => {
  const objects = await compilePath(exampleMesh);

  it('registers the VMs as Istio\'s VM docs do: a Kubernetes Service of the service\'s name selects them by its workload labels', () => {
    expect(find(objects, 'Service', 'orders', 'inventory')).toMatchObject({ apiVersion: 'v1', kind: 'Service' });
    expect(specOf(objects, 'Service', 'orders', 'inventory')).toEqual({
      selector: { app: 'inventory', system: 'warehouse' },
      ports: [
        { name: 'http-api', port: 8080, targetPort: 8081, protocol: 'TCP', appProtocol: 'http' },
        { name: 'tcp-stock-feed', port: 7000, targetPort: 7001, protocol: 'TCP', appProtocol: 'tcp' },
        { name: 'http-metrics', port: 9102, targetPort: 9103, protocol: 'TCP', appProtocol: 'http' },
      ],
    });
    // No address-less ServiceEntry: its TCP ports would be wildcard listeners in every proxy.
    expect(names(objects, 'ServiceEntry')).not.toContain('orders/inventory-vms');
  });

  it('gives each VM a WorkloadEntry with the workload labels (so the ServiceEntry and policies select it), its identity and place', () => {
    expect(names(objects, 'WorkloadEntry')).toEqual(['orders/inventory-vm-0', 'orders/inventory-vm-1']);
    expect(specOf(objects, 'WorkloadEntry', 'orders', 'inventory-vm-1')).toEqual({
      address: '10.40.2.16',
      labels: { app: 'inventory', system: 'warehouse', version: 'v1' },
      serviceAccount: 'inventory-legacy',
      network: 'dc-east',
      locality: 'us-east1/us-east1-c',
    });
  });

  it('lets the workload labels win over a VM\'s, and defaults the identity to the service name', () => {
    const fixture = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: ledger, namespace: finance}
spec:
  ports: [{port: 80, targetPort: 8080, protocol: http}]
  vms:
    - {address: ledger-1.dc.example.com, labels: {app: wrong, rack: r12}}
`);
    expect(specOf(fixture, 'WorkloadEntry', 'finance', 'ledger-vm-0')).toEqual({
      address: 'ledger-1.dc.example.com',
      labels: { app: 'ledger', rack: 'r12' },
      serviceAccount: 'ledger',
    });
    expect(specOf(fixture, 'Service', 'finance', 'ledger').ports).toEqual([{ name: 'http-80', port: 80, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' }]);
  });

  it('registers nothing for a service without VMs', () => {
    const fixture = compileText(`
apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: api, namespace: shop}
spec:
  ports: [{port: 8080, protocol: http}]
`);
    expect([...names(fixture, 'Service'), ...names(fixture, 'ServiceEntry'), ...names(fixture, 'WorkloadEntry')]).toEqual([]);
  });
});

describe('Namespace', () => {
  it('creates every namespace the mesh uses, labelled for sidecar injection, but not Istio\'s root namespace', async () => {
    const objects = await compilePath(exampleMesh);
    expect(names(objects, 'Namespace')).toEqual(['/istio-ingress', '/orders', '/platform', '/storefront']);
    const orders = find(objects, 'Namespace', undefined, 'orders')!;
    expect(orders.apiVersion).toBe('v1');
    expect(orders.metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'meshctl', 'istio-injection': 'enabled' });
    expect(orders).not.toHaveProperty('spec');
  });

  it('labels a namespace whose injection the Mesh turns off as disabled', async () => {
    const objects = await compilePath(path.join(validFixtures, 'policy-layered-mtls-and-access.yaml'));
    // monitoring holds no workload of the mesh, but the Mesh declares it.
    expect(names(objects, 'Namespace')).toEqual(['/legacy', '/monitoring', '/shop']);
    expect(find(objects, 'Namespace', undefined, 'monitoring')!.metadata.labels?.['istio-injection']).toBe('disabled');
    expect(find(objects, 'Namespace', undefined, 'legacy')!.metadata.labels?.['istio-injection']).toBe('enabled');
  });

  it('names the mesh file that declares the namespace, or the first document placed in it', async () => {
    const objects = await compilePath(exampleMesh);
    expect(find(objects, 'Namespace', undefined, 'orders')!.metadata.annotations?.['meshctl.dev/source']).toMatch(/mesh\.yaml:\d+$/);
    expect(find(objects, 'Namespace', undefined, 'platform')!.metadata.annotations?.['meshctl.dev/source']).toMatch(/ratelimit\.yaml:\d+$/);
  });
});
