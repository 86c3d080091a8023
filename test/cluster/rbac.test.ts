// Users with fewer rights than an apply needs: each gets one error line with the verb and the
// resource RBAC refused (as the API server words it), exit code 2, and the cluster unchanged —
// resourceVersions of every object and of the ApplySet parent, observed with kubectl as the admin.
import { beforeAll, describe, expect, it } from 'vitest';
import { describeRun, errorLineOf, runMeshctl, shopMesh, useTestCluster, writeMesh, type KubeList } from '../support/test-cluster.js';

const cluster = useTestCluster('rbac');

const MESH_RESOURCES = [
  'namespaces',
  'secrets',
  'virtualservices.networking.istio.io',
  'destinationrules.networking.istio.io',
  'serviceentries.networking.istio.io',
  'sidecars.networking.istio.io',
  'peerauthentications.security.istio.io',
  'authorizationpolicies.security.istio.io',
];
const READ = 'get,list,watch';
const WRITE = 'get,list,watch,create,update,patch,delete';

let meshDir = '';
const kubeconfigs: Record<string, string> = {};

async function grant(user: string, role: string, verbs: string, resources: readonly string[]): Promise<void> {
  await cluster.kubectl(['create', 'clusterrole', role, `--verb=${verbs}`, `--resource=${resources.join(',')}`]);
  await cluster.kubectl(['create', 'clusterrolebinding', role, `--clusterrole=${role}`, `--user=${user}`]);
}

/** resourceVersion of everything an apply could touch, the ApplySet parent included. */
async function versions(): Promise<Record<string, string | undefined>> {
  const list = await cluster.getJson<KubeList>([MESH_RESOURCES.join(','), '--all-namespaces']);
  return Object.fromEntries(
    list.items.map((object) => [`${object.kind} ${object.metadata.namespace ?? ''}/${object.metadata.name}`, object.metadata.resourceVersion]),
  );
}

const meshctl = (command: string, user: string) => runMeshctl([command, meshDir, '--kubeconfig', kubeconfigs[user]!]);

beforeAll(async () => {
  // The admin applies the first version; the users below try to apply the second.
  meshDir = writeMesh(cluster.scratchDir('mesh'), shopMesh({ canaryWeight: 10, payments: true }));
  const first = await runMeshctl(['apply', meshDir, '--kubeconfig', cluster.kubeconfig]);
  expect(first.code, describeRun(first)).toBe(0);
  writeMesh(meshDir, shopMesh({ canaryWeight: 50, ratings: true }));

  kubeconfigs.nobody = await cluster.createUser('nobody');
  kubeconfigs.reader = await cluster.createUser('reader');
  await grant('reader', 'mesh-reader', READ, MESH_RESOURCES);
  // Everything but changing VirtualServices, which it may only read.
  kubeconfigs['route-reader'] = await cluster.createUser('route-reader');
  await grant('route-reader', 'mesh-writer', WRITE, MESH_RESOURCES.filter((resource) => !resource.startsWith('virtualservices')));
  await grant('route-reader', 'route-reader', READ, ['virtualservices.networking.istio.io']);
}, 3 * 60_000);

describe('apply by a user without the rights it needs', () => {
  it('a user with no rights at all is told what it may not read', async () => {
    const before = await versions();
    const line = errorLineOf(await meshctl('apply', 'nobody'));
    expect(line).toMatch(/^meshctl: error: forbidden: User "nobody" cannot (get|list) resource "[a-z.]+"/);
    expect(await versions()).toEqual(before);
  });

  it('a read-only user is told it may not patch, and nothing is written', async () => {
    const before = await versions();
    const line = errorLineOf(await meshctl('apply', 'reader'));
    expect(line).toMatch(/^meshctl: error: forbidden: User "reader" cannot patch resource "[a-z.]+"/);
    expect(await versions()).toEqual(before);
  });

  it('a read-only user cannot diff either: a server-side dry run needs the right to patch', async () => {
    const line = errorLineOf(await meshctl('diff', 'reader'));
    expect(line).toMatch(/^meshctl: error: forbidden: User "reader" cannot patch resource "[a-z.]+"/);
  });

  it('a user who may change everything but VirtualServices is refused before anything is written', async () => {
    const before = await versions();
    const line = errorLineOf(await meshctl('apply', 'route-reader'));
    expect(line).toBe(
      'meshctl: error: forbidden: User "route-reader" cannot patch resource "virtualservices" in API group "networking.istio.io" in the namespace "shop"',
    );
    expect(await versions()).toEqual(before);
  });

  it('the same user succeeds once granted the missing right', async () => {
    await cluster.kubectl(['create', 'clusterrole', 'route-writer', `--verb=${WRITE}`, '--resource=virtualservices.networking.istio.io']);
    await cluster.kubectl(['create', 'clusterrolebinding', 'route-writer', '--clusterrole=route-writer', '--user=route-reader']);
    const result = await meshctl('apply', 'route-reader');
    expect(result.code, describeRun(result)).toBe(0);
    const reviews = await cluster.getJson<{ spec: { http: { route: { weight: number }[] }[] } }>(['virtualservice', 'reviews', '-n', 'shop']);
    expect(reviews.spec.http[0]!.route.map((destination) => destination.weight)).toEqual([50, 50]);
  });
});
