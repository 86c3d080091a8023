// The Kubernetes objects a real deployment of a mesh has, which Istio reads with the compiled
// configuration (test/support/istio-judge.ts).
import { describe, expect, it } from 'vitest';
import { deploymentFor, meshUnderJudgement, objectStream, serviceAccountOf } from '../support/istio-judge.js';

describe('the deployment of the example mesh', () => {
  it('has a Service with named ports, a ServiceAccount and per version a Deployment and a running Pod', async () => {
    const { deployment, compiled } = await meshUnderJudgement(['examples/mesh']);
    const find = (kind: string, namespace: string, name: string) => deployment.objects.find((o) => o.kind === kind && o.metadata.namespace === namespace && o.metadata.name === name);
    expect(find('Service', 'storefront', 'details')?.spec).toEqual({
      selector: { app: 'details' },
      ports: [{ name: 'http', port: 9080, targetPort: 8080, protocol: 'TCP', appProtocol: 'http' }],
    });
    expect(find('ServiceAccount', 'storefront', 'details')).toBeDefined();
    expect(find('Deployment', 'storefront', 'details-v2')?.metadata.labels).toEqual({ app: 'details', version: 'v2' });
    const pod = find('Pod', 'storefront', 'details-v2-0')!;
    expect((pod.spec as { serviceAccountName: string; containers: { name: string }[] }).containers.map((c) => c.name)).toEqual(['details', 'istio-proxy']);
    expect((pod.status as { phase: string }).phase).toBe('Running');
    // The inventory VMs are WorkloadEntries: no Pod, no Kubernetes Service, the VM's address as the proxy's IP.
    expect(find('Deployment', 'orders', 'inventory-v1')).toBeUndefined();
    expect(find('Service', 'orders', 'inventory')).toBeUndefined();
    expect(deployment.proxies.find((p) => p.name === 'inventory')).toMatchObject({ vm: true, proxy: { ip: '10.40.2.15' } });
    // The gateway's workload, identity and certificate.
    expect(find('ServiceAccount', 'istio-ingress', 'bookstore-gateway')).toBeDefined();
    expect(find('Secret', 'istio-ingress', 'shop-example-com-tls')).toMatchObject({ type: 'kubernetes.io/tls' });
    expect(deployment.proxies.find((p) => p.kind === 'gateway')?.proxy).toMatchObject({ type: 'router', labels: { istio: 'ingressgateway', app: 'bookstore-gateway' } });
    // Nothing the compiled output already has (its Namespaces).
    const keys = (objects: { kind: string; metadata: { namespace?: string; name: string } }[]) => objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
    expect(keys(deployment.objects).filter((key) => keys(compiled).includes(key))).toEqual([]);
    expect(deployment.objects.filter((o) => o.kind === 'Namespace')).toEqual([]);
    // Every pod IP differs.
    const ips = deployment.proxies.map((p) => p.proxy.ip);
    expect(new Set(ips).size).toBe(ips.length);
  });

  it('is the same for the same mesh', async () => {
    const first = await meshUnderJudgement(['examples/mesh']);
    const second = await meshUnderJudgement(['examples/mesh']);
    expect(objectStream(deploymentFor(second.model, second.compiled).objects)).toBe(objectStream(first.deployment.objects));
  });

  it('names the service account after spec.serviceAccount when the service sets it, else after the service', async () => {
    const { model } = await meshUnderJudgement(['examples/mesh']);
    const details = model.services.find((s) => s.name === 'details')!;
    expect(serviceAccountOf(details)).toBe('details');
    const renamed = { ...details, resource: { ...details.resource, spec: { ...details.resource.spec, serviceAccount: 'bookinfo-details' } } };
    expect(serviceAccountOf(renamed)).toBe('bookinfo-details');
  });
});
