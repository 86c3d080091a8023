// Before the first write: does the user have every right the apply needs? One
// SelfSubjectAccessReview per verb, resource and namespace, so that a user without RBAC rights gets
// the refusal up front, in the server's own wording, and nothing is half-written.
import type { KubeClient } from './client.js';
import type { ResourceInfo } from './discovery.js';
import { ClusterError } from './errors.js';

export interface AccessCheck {
  verb: 'patch' | 'delete' | 'create';
  info: Pick<ResourceInfo, 'group' | 'resource' | 'namespaced'>;
  namespace?: string;
}

async function currentUser(client: KubeClient): Promise<string> {
  try {
    const response = await client.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      body: JSON.stringify({ apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' }),
    });
    const review = JSON.parse(response.body) as { status?: { userInfo?: { username?: string } } };
    return review.status?.userInfo?.username ?? 'the current user';
  } catch (error) {
    if (error instanceof ClusterError && error.fatal) throw error;
    return 'the current user';
  }
}

/** As the API server's own 403 reads: `User "x" cannot patch resource "y" in API group "z" in the namespace "n"`. */
export function forbiddenLine(user: string, check: AccessCheck): string {
  const where = check.info.namespaced && check.namespace ? `in the namespace "${check.namespace}"` : 'at the cluster scope';
  return `forbidden: User "${user}" cannot ${check.verb} resource "${check.info.resource}" in API group "${check.info.group}" ${where}`;
}

export async function checkAccess(client: KubeClient, checks: readonly AccessCheck[]): Promise<void> {
  const unique = new Map<string, AccessCheck>();
  for (const check of checks) {
    const namespace = check.info.namespaced ? check.namespace : undefined;
    unique.set(`${check.verb}|${check.info.group}|${check.info.resource}|${namespace ?? ''}`, { ...check, namespace });
  }
  const denied: AccessCheck[] = [];
  await Promise.all(
    [...unique.values()].map(async (check) => {
      const response = await client.request('POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
        body: JSON.stringify({
          apiVersion: 'authorization.k8s.io/v1',
          kind: 'SelfSubjectAccessReview',
          spec: { resourceAttributes: { verb: check.verb, group: check.info.group, resource: check.info.resource, namespace: check.namespace } },
        }),
      });
      const review = JSON.parse(response.body) as { status?: { allowed?: boolean } };
      if (!review.status?.allowed) denied.push(check);
    }),
  );
  if (denied.length === 0) return;
  const user = await currentUser(client);
  const order = [...unique.values()];
  denied.sort((a, b) => order.indexOf(a) - order.indexOf(b));
  throw new ClusterError(denied.map((check) => forbiddenLine(user, check)).join('\n'), 'forbidden');
}
