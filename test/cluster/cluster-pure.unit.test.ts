// The pure parts of src/cluster/: ApplySet id and annotations, Status parsing, normalisation and
// masking, the "applies unchanged" shortcut, the annotation-value prediction, and the diff rendering.
import { describe, expect, it } from 'vitest';
import {
  applySetId,
  buildParent,
  parseApplySetRef,
  parseGroupKind,
  readParent,
  withMembership,
} from '../../src/cluster/applyset.js';
import { appliesUnchanged, predictAnnotationValueChange } from '../../src/cluster/compare.js';
import { maskSecretPair, normalizeObject } from '../../src/cluster/normalize.js';
import { redactServerUrl } from '../../src/cluster/client.js';
import { hasUnrecordedCreate } from '../../src/cluster/compare.js';
import { renderChange, summaryLine, unifiedDiff, type ObjectChange } from '../../src/cluster/render.js';
import { forbiddenReason, parseConflicts, parseFieldErrors, type ApiStatus } from '../../src/cluster/status.js';
import type { KubernetesObject } from '../../src/output/manifest.js';

describe('ApplySet', () => {
  it('computes the id as kubectl does (value observed from kubectl 1.32 with KUBECTL_APPLYSET=true)', () => {
    expect(applySetId({ name: 'meshctl-bookstore-k', namespace: 'istio-system', kind: 'Secret' })).toBe(
      'applyset-tOgXunYlHVWhO7uP7bfH_dRIf4WWSYmveY9cqPpanyw-v1',
    );
    // The kind is part of the hash: a ConfigMap parent of the same name is another set.
    expect(applySetId({ name: 'meshctl-bookstore-k', namespace: 'istio-system', kind: 'ConfigMap' })).not.toBe(
      applySetId({ name: 'meshctl-bookstore-k', namespace: 'istio-system', kind: 'Secret' }),
    );
  });

  it('parses --applyset references and refuses others', () => {
    expect(parseApplySetRef('shop')).toEqual({ kind: 'Secret', resource: 'secrets', namespace: 'istio-system', name: 'shop' });
    expect(parseApplySetRef('platform/shop')).toMatchObject({ kind: 'Secret', namespace: 'platform', name: 'shop' });
    expect(parseApplySetRef('configmaps/platform/shop')).toMatchObject({ kind: 'ConfigMap', resource: 'configmaps' });
    expect(() => parseApplySetRef('deployments/x/y')).toThrow('--applyset deployments/x/y: the parent must be a secret or a configmap, not "deployments"');
    expect(() => parseApplySetRef('a/b/c/d')).toThrow(/expected NAME, NAMESPACE\/NAME/);
    expect(() => parseApplySetRef('Bad_Name')).toThrow(/is not a valid object name/);
  });

  it('writes sorted kinds and namespaces beyond the parent\'s, and reads them back', () => {
    const ref = parseApplySetRef('istio-system/meshctl-shop');
    const id = applySetId({ ...ref });
    const parent = buildParent(ref, id, {
      groupKinds: ['VirtualService.networking.istio.io', 'Namespace', 'AuthorizationPolicy.security.istio.io', 'Namespace'],
      namespaces: ['shop', 'istio-system', 'catalog'],
      version: '0.1.0',
      commit: 'abc-dirty',
    });
    expect(parent.metadata.annotations).toEqual({
      'applyset.kubernetes.io/additional-namespaces': 'catalog,shop',
      'applyset.kubernetes.io/contains-group-kinds': 'AuthorizationPolicy.security.istio.io,Namespace,VirtualService.networking.istio.io',
      'applyset.kubernetes.io/tooling': 'meshctl/v0.1.0',
      'meshctl.dev/version': '0.1.0',
      'meshctl.dev/source-commit': 'abc-dirty',
    });
    expect(readParent(parent, ref, id)).toEqual({
      groupKinds: ['AuthorizationPolicy.security.istio.io', 'Namespace', 'VirtualService.networking.istio.io'],
      namespaces: ['istio-system', 'catalog', 'shop'],
    });
    const kubectlParent = { ...parent, metadata: { ...parent.metadata, annotations: { 'applyset.kubernetes.io/tooling': 'kubectl/v1.32.4' } } };
    expect(() => readParent(kubectlParent, ref, id)).toThrow('is managed by "kubectl", not meshctl');
    expect(parseGroupKind('VirtualService.networking.istio.io')).toEqual({ kind: 'VirtualService', group: 'networking.istio.io' });
    expect(parseGroupKind('Namespace')).toEqual({ kind: 'Namespace', group: '' });
  });
});

describe('a create not yet recorded as applied', () => {
  const withEntries = (entries: { manager: string; operation: string; subresource?: string }[]): KubernetesObject =>
    ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'edge', managedFields: entries } }) as unknown as KubernetesObject;
  it('is meshctl\'s Update entry without an Apply entry of its own', () => {
    expect(hasUnrecordedCreate(withEntries([{ manager: 'meshctl', operation: 'Update' }]))).toBe(true);
    expect(hasUnrecordedCreate(withEntries([{ manager: 'meshctl', operation: 'Apply' }]))).toBe(false);
    expect(hasUnrecordedCreate(withEntries([{ manager: 'meshctl', operation: 'Update' }, { manager: 'meshctl', operation: 'Apply' }]))).toBe(false);
    expect(hasUnrecordedCreate(withEntries([{ manager: 'kubectl-create', operation: 'Update' }]))).toBe(false);
    expect(hasUnrecordedCreate(withEntries([{ manager: 'meshctl', operation: 'Update', subresource: 'status' }]))).toBe(false);
    expect(hasUnrecordedCreate(withEntries([]))).toBe(false);
  });
});

describe('server URL in messages', () => {
  it('prints a user and password written into the URL as xxxxx, and leaves other URLs alone', () => {
    expect(redactServerUrl('https://admin:s3cret@10.0.0.1:6443')).toBe('https://xxxxx:xxxxx@10.0.0.1:6443');
    expect(redactServerUrl('https://token-only@api.example.com')).toBe('https://xxxxx@api.example.com');
    expect(redactServerUrl('https://api.example.com:6443/prefix')).toBe('https://api.example.com:6443/prefix');
    expect(redactServerUrl('https://10.0.0.1:6443')).toBe('https://10.0.0.1:6443');
    expect(redactServerUrl('https://us%40er:p%3Ass@h:1/')).toBe('https://xxxxx:xxxxx@h:1/');
    expect(redactServerUrl('not a url://user:pw@host')).not.toContain('pw');
  });
});

describe('API Status', () => {
  it('reads field-manager conflicts from the causes, and from the message of older servers', () => {
    const status: ApiStatus = {
      kind: 'Status',
      code: 409,
      reason: 'Conflict',
      message: 'Apply failed with 1 conflict: conflict with "other" using networking.istio.io/v1: .spec.hosts',
      details: { causes: [{ reason: 'FieldManagerConflict', message: 'conflict with "other" using networking.istio.io/v1', field: '.spec.hosts' }] },
    };
    expect(parseConflicts(status)).toEqual([{ field: '.spec.hosts', manager: 'other' }]);
    expect(parseConflicts({ kind: 'Status', message: 'Apply failed with 2 conflicts: conflicts with "helm" using v1:\n- .data.a\n- .data.b' })).toEqual([
      { field: '.data.a', manager: 'helm' },
      { field: '.data.b', manager: 'helm' },
    ]);
  });

  it('lists a 422\'s field errors one per line, and cuts a 403 to the refusal', () => {
    const invalid: ApiStatus = {
      kind: 'Status',
      details: { causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "string": spec.http[0].route[0].weight in body must be of type integer: "string"', field: 'spec.http[0].route[0].weight' }] },
    };
    expect(parseFieldErrors(invalid)).toEqual(['spec.http[0].route[0].weight: Invalid value: "string": spec.http[0].route[0].weight in body must be of type integer: "string"']);
    // Discovery of a non-resource path: the message starts with "forbidden: " itself.
    expect(forbiddenReason({ kind: 'Status', message: 'forbidden: User "system:anonymous" cannot get path "/apis/networking.istio.io/v1"' }, '')).toBe(
      'User "system:anonymous" cannot get path "/apis/networking.istio.io/v1"',
    );
    expect(forbiddenReason({ kind: 'Status', message: 'virtualservices.networking.istio.io is forbidden: User "bob" cannot list resource "virtualservices" in API group "networking.istio.io" in the namespace "shop"' }, '')).toBe(
      'User "bob" cannot list resource "virtualservices" in API group "networking.istio.io" in the namespace "shop"',
    );
  });
});

const desired: KubernetesObject = withMembership(
  {
    apiVersion: 'networking.istio.io/v1',
    kind: 'VirtualService',
    metadata: { name: 'reviews', namespace: 'shop', labels: { 'app.kubernetes.io/managed-by': 'meshctl' } },
    spec: { hosts: ['reviews'], http: [{ route: [{ destination: { host: 'reviews', subset: 'v1' }, weight: 90 }, { destination: { host: 'reviews', subset: 'v2' }, weight: 10 }] }] },
  },
  'applyset-x-v1',
);

function liveOf(object: KubernetesObject, fields: Record<string, unknown>): KubernetesObject {
  return {
    ...JSON.parse(JSON.stringify(object)),
    metadata: {
      ...object.metadata,
      uid: 'u',
      resourceVersion: '7',
      generation: 2,
      creationTimestamp: '2026-01-01T00:00:00Z',
      managedFields: [{ manager: 'meshctl', operation: 'Apply', apiVersion: object.apiVersion, fieldsType: 'FieldsV1', fieldsV1: fields }],
    },
    status: {},
  } as KubernetesObject;
}

const ownedFields = {
  'f:metadata': { 'f:labels': { 'f:app.kubernetes.io/managed-by': {}, 'f:applyset.kubernetes.io/part-of': {} } },
  'f:spec': { 'f:hosts': {}, 'f:http': {} },
};

describe('applies unchanged', () => {
  it('is true only when every sent field has its live value and meshctl owns nothing it no longer sends', () => {
    expect(appliesUnchanged(desired, liveOf(desired, ownedFields))).toBe(true);
    const heavier = JSON.parse(JSON.stringify(desired)) as KubernetesObject & { spec: { http: { route: { weight: number }[] }[] } };
    heavier.spec.http[0]!.route[0]!.weight = 80;
    expect(appliesUnchanged(heavier, liveOf(desired, ownedFields))).toBe(false);
    // meshctl used to send spec.gateways; the new object does not: apply would remove it.
    expect(appliesUnchanged(desired, liveOf(desired, { ...ownedFields, 'f:spec': { ...ownedFields['f:spec'], 'f:gateways': {} } }))).toBe(false);
    // A list is compared whole: an extra element in the live list is a change.
    const longer = liveOf(desired, ownedFields) as KubernetesObject & { spec: { hosts: string[] } };
    longer.spec.hosts = ['reviews', 'other'];
    expect(appliesUnchanged(desired, longer)).toBe(false);
    // Created by someone else: the first apply adds meshctl's entry.
    const foreign = liveOf(desired, ownedFields);
    (foreign.metadata as unknown as { managedFields: { manager: string }[] }).managedFields[0]!.manager = 'kubectl';
    expect(appliesUnchanged(desired, foreign)).toBe(false);
  });
});

describe('annotation value change, known without a dry run', () => {
  const SOURCE = 'meshctl.dev/source';
  const annotated = (value: string): KubernetesObject => ({ ...desired, metadata: { ...desired.metadata, annotations: { [SOURCE]: value } } });
  const annotationFields = { ...ownedFields, 'f:metadata': { ...ownedFields['f:metadata'], 'f:annotations': { [`f:${SOURCE}`]: {} } } };
  type Entry = { manager: string; operation: string; fieldsV1?: Record<string, unknown> };
  const managedFieldsOf = (object: KubernetesObject) => (object.metadata as unknown as { managedFields: Entry[] }).managedFields;

  it('is the live object with the new value, and nothing else changed', () => {
    const live = liveOf(annotated('mesh/reviews.yaml:2'), annotationFields);
    const after = predictAnnotationValueChange(annotated('reviews.yaml:2'), live);
    expect(after?.metadata.annotations).toEqual({ [SOURCE]: 'reviews.yaml:2' });
    // The server's bookkeeping is the live object's; only the annotation differs.
    expect({ ...after, metadata: { ...after!.metadata, annotations: live.metadata.annotations } }).toEqual(live);
    expect(unifiedDiff({ action: 'change', ...identityOf(live), before: live, after, conflicts: [] })).toBe(
      ['@@ -6,7 +6,7 @@', '   labels:', '     app.kubernetes.io/managed-by: meshctl', '   annotations:', `-    ${SOURCE}: mesh/reviews.yaml:2`, `+    ${SOURCE}: reviews.yaml:2`, ' spec:', '   hosts:', '     - reviews', ''].join('\n'),
    );
  });

  it('leaves every other difference to the server', () => {
    const live = liveOf(annotated('a.yaml:1'), annotationFields);
    // Nothing differs: not a change at all.
    expect(predictAnnotationValueChange(annotated('a.yaml:1'), live)).toBeUndefined();
    // The spec differs too.
    const heavier = annotated('b.yaml:1') as KubernetesObject & { spec: { http: { route: { weight: number }[] }[] } };
    heavier.spec = JSON.parse(JSON.stringify(heavier.spec));
    heavier.spec.http[0]!.route[0]!.weight = 80;
    expect(predictAnnotationValueChange(heavier, live)).toBeUndefined();
    // A new annotation key (the server checks its name).
    const added = { ...desired, metadata: { ...desired.metadata, annotations: { [SOURCE]: 'a.yaml:1', 'meshctl.dev/new': 'x' } } };
    expect(predictAnnotationValueChange(added, live)).toBeUndefined();
    // Another manager owns the annotation too: the apply would conflict.
    const shared = liveOf(annotated('a.yaml:1'), annotationFields);
    managedFieldsOf(shared).push({ manager: 'kubectl-annotate', operation: 'Update', fieldsV1: { 'f:metadata': { 'f:annotations': { [`f:${SOURCE}`]: {} } } } });
    expect(predictAnnotationValueChange(annotated('b.yaml:1'), shared)).toBeUndefined();
    // meshctl does not own it (someone else set it): the apply takes it over.
    expect(predictAnnotationValueChange(annotated('b.yaml:1'), liveOf(annotated('a.yaml:1'), ownedFields))).toBeUndefined();
    // Over the server's 256 KiB limit for all annotations: the server refuses it.
    expect(predictAnnotationValueChange(annotated('x'.repeat(256 * 1024)), live)).toBeUndefined();
    expect(predictAnnotationValueChange(annotated('x'.repeat(1024)), live)).toBeDefined();
    // An object meshctl did not create: the first apply adds meshctl's entry.
    const foreign = liveOf(annotated('a.yaml:1'), annotationFields);
    managedFieldsOf(foreign)[0]!.manager = 'kubectl';
    expect(predictAnnotationValueChange(annotated('b.yaml:1'), foreign)).toBeUndefined();
  });
});

function identityOf(object: KubernetesObject) {
  return { apiVersion: object.apiVersion, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
}

describe('normalise and render', () => {
  it('drops what the server owns, keeps the membership label unless asked, and masks Secret values', () => {
    const normal = normalizeObject(liveOf(desired, ownedFields));
    expect(Object.keys(normal.metadata)).toEqual(['name', 'namespace', 'labels']);
    expect(normal.metadata.labels?.['applyset.kubernetes.io/part-of']).toBe('applyset-x-v1');
    expect(normalizeObject(desired, { dropMembership: true }).metadata.labels).toEqual({ 'app.kubernetes.io/managed-by': 'meshctl' });
    expect('status' in normal).toBe(false);
    // It copies without a JSON round trip, yet leaves the input alone and reads as one.
    const input = liveOf(desired, ownedFields);
    const snapshotOfInput = JSON.stringify(input);
    const withGaps = { ...input, spec: { ...(input.spec as object), gone: undefined, list: [1, undefined, { b: 2, a: 1 }] } } as KubernetesObject;
    const copied = normalizeObject(withGaps, { dropMembership: true });
    expect(JSON.stringify(input)).toBe(snapshotOfInput);
    expect(copied).toEqual(JSON.parse(JSON.stringify(copied)));
    expect((copied.spec as { list: unknown[] }).list).toEqual([1, null, { a: 1, b: 2 }]);
    expect('gone' in (copied.spec as object)).toBe(false);
    (copied.metadata.labels as Record<string, string>).extra = 'x';
    expect(input.metadata.labels?.extra).toBeUndefined();
    const secret = (data: Record<string, string>): KubernetesObject => ({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data });
    const [before, after] = maskSecretPair(secret({ same: 'YQ==', changed: 'Yg==' }), secret({ same: 'YQ==', changed: 'Yw==', added: 'ZA==' }));
    expect(before?.data).toEqual({ same: '***', changed: '*** (before)' });
    expect(after?.data).toEqual({ same: '***', changed: '*** (after)', added: '***' });
  });

  it('masks the values kubectl keeps in last-applied-configuration of a Secret, on both sides of a diff', () => {
    const lastApplied = (value: string) => JSON.stringify({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'shop' }, stringData: { password: value } });
    const secret = (value: string): KubernetesObject => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: 's', namespace: 'shop', annotations: { 'kubectl.kubernetes.io/last-applied-configuration': lastApplied(value), note: 'kept' } },
      data: { password: Buffer.from(value).toString('base64') },
    });
    const deleted: ObjectChange = { action: 'delete', apiVersion: 'v1', kind: 'Secret', namespace: 'shop', name: 's', before: secret('hunter2-secret'), conflicts: [] };
    const text = renderChange(deleted, false);
    expect(text).not.toContain('hunter2-secret');
    expect(text).not.toContain(Buffer.from('hunter2-secret').toString('base64'));
    expect(text).toContain('-    kubectl.kubernetes.io/last-applied-configuration: "***"');
    expect(text).toContain('-    note: kept');
    const changed: ObjectChange = { ...deleted, action: 'change', after: secret('hunter3-secret') };
    const body = unifiedDiff(changed);
    expect(body).not.toMatch(/hunter[23]-secret/);
    expect(body).toContain('-    kubectl.kubernetes.io/last-applied-configuration: "*** (before)"');
    expect(body).toContain('+    kubectl.kubernetes.io/last-applied-configuration: "*** (after)"');
    // Not a Secret: nothing to hide.
    const configMap = { ...secret('visible'), kind: 'ConfigMap' };
    expect(renderChange({ ...deleted, kind: 'ConfigMap', before: configMap }, false)).toContain('visible');
  });

  it('renders one header and a unified diff of exactly the changed lines', () => {
    const live = liveOf(desired, ownedFields);
    const after = JSON.parse(JSON.stringify(desired)) as KubernetesObject & { spec: { http: { route: { weight: number }[] }[] } };
    after.spec.http[0]!.route[0]!.weight = 75;
    after.spec.http[0]!.route[1]!.weight = 25;
    const change: ObjectChange = { action: 'change', apiVersion: desired.apiVersion, kind: 'VirtualService', namespace: 'shop', name: 'reviews', before: live, after, conflicts: [] };
    const body = unifiedDiff(change);
    expect(body.split('\n').filter((line) => /^[-+]/.test(line))).toEqual(['-          weight: 90', '+          weight: 75', '-          weight: 10', '+          weight: 25']);
    const text = renderChange({ ...change, conflicts: [{ field: '.spec.http', manager: 'other' }] }, false);
    expect(text.split('\n')[0]).toBe('--- VirtualService shop/reviews (changed)');
    expect(text.split('\n')[1]).toBe('    takes over .spec.http from "other"');
    expect(renderChange(change, true)).toContain('\u001b[32m+          weight: 75');
    expect(unifiedDiff(change)).toBe(body); // deterministic
    expect(summaryLine({ created: 0, changed: 1, deleted: 0, unchanged: 3, conflicts: 0 })).toBe('0 created, 1 changed, 0 deleted, 3 unchanged');
    expect(summaryLine({ created: 0, changed: 0, deleted: 0, unchanged: 3, conflicts: 0 })).toBe('no changes (3 objects up to date)');
    // An object the server refused in the dry run is not "up to date".
    expect(summaryLine({ created: 0, changed: 0, deleted: 0, unchanged: 3, conflicts: 0 }, 1)).toBe('0 created, 0 changed, 0 deleted, 3 unchanged, 1 refused by the API server');
  });
});
