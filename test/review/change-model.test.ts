// The review's change model, without git: two meshes in memory -> what changed in behaviour.
import { describe, expect, it } from 'vitest';
import { matchesFailOn } from '../../src/review/review.js';
import { DETAILS, MESH, PRODUCTPAGE, REVIEWS, baseMesh, messagesOf, reviewFiles } from './support.js';

const base = baseMesh();
const edit = (file: string, from: string | RegExp, to: string) => {
  const text = base[file]!;
  const next = text.replace(from, to);
  if (next === text) throw new Error(`the edit of ${file} changed nothing: ${String(from)}`);
  return { ...base, [file]: next };
};

describe('no change', () => {
  it('the same mesh gives an empty review', () => {
    const review = reviewFiles(base, base);
    expect(review.summary.changed).toBe(false);
    expect(review.entities).toEqual([]);
    expect(review.objects).toEqual([]);
    expect(review.graph).toBeUndefined();
  });

  it('a service moved to another file, with its comments changed, is no change', () => {
    const { 'mesh/reviews.yaml': reviews, ...rest } = base;
    const moved = { ...rest, 'mesh/store/reviews-service.yaml': `# moved here\n\n${reviews}` };
    const review = reviewFiles(base, moved);
    expect(review.summary.changed).toBe(false);
    expect(review.objects).toEqual([]);
  });
});

describe('traffic', () => {
  it('a canary shift reports shares before and after, per route, as the emitter splits them', () => {
    const review = reviewFiles(base, edit('mesh/reviews.yaml', 'weight: 10', 'weight: 50'));
    expect(messagesOf(review, 'store/reviews')).toEqual(['traffic: v1 90% → 50%, v3 10% → 50% (routes list, default)']);
    expect(review.summary.risks).toEqual(['store/reviews: traffic shifted by more than 25 points: v3 +40 points (list, default)']);
    const virtualService = review.objects.find((o) => o.kind === 'VirtualService' && o.name === 'reviews');
    expect(virtualService?.status).toBe('changed');
    expect(virtualService?.diff).toContain('-          weight: 90\n+          weight: 50');
    expect(review.graph).toContain('90% → 50%');
  });

  it('a small canary step is not risky', () => {
    const review = reviewFiles(base, edit('mesh/reviews.yaml', 'weight: 10, steps: [10, 50, 100]', 'weight: 30, steps: [10, 30, 100]'));
    expect(messagesOf(review, 'store/reviews')[0]).toBe('traffic: v1 90% → 70%, v3 10% → 30% (routes list, default)');
    expect(review.summary.risky).toBe(false);
  });

  it('a new cookie cohort adds the A/B test and its cohort routes', () => {
    const abTest = `  abTest:\n    name: new-layout\n    cohort: {cookie: {name: layout, value: beta}}\n    variant: v2\n    control: v1\n  access:`;
    const review = reviewFiles(base, edit('mesh/productpage.yaml', '  access:', abTest));
    expect(messagesOf(review, 'store/productpage')).toEqual([
      'traffic: v1 0% → 100%, all versions 100% → 0% (route default)',
      'cohort: A/B test new-layout: cookie layout=beta → v2, everyone else → v1 (added)',
      'cohort: cohort route new-layout added: cookie layout=beta (cohort) → v2',
    ]);
    // Everyone else is pinned to v1, which already had a share of "all versions": not a risky shift.
    expect(review.summary.risky).toBe(false);
  });

  it('a reorder that lets a broader route win is reported, with the route it hides', () => {
    const routes = `  routes:\n    - name: api\n      match: {path: /api/}\n      timeout: 1s\n    - name: all\n      timeout: 5s\n  access:`;
    const reordered = `  routes:\n    - name: all\n      timeout: 5s\n    - name: api\n      match: {path: /api/}\n      timeout: 1s\n  access:`;
    const before = { ...base, 'mesh/details.yaml': DETAILS.replace('  access:', routes) };
    const after = { ...base, 'mesh/details.yaml': DETAILS.replace('  access:', reordered) };
    const review = reviewFiles(before, after);
    expect(messagesOf(review, 'store/details')).toContain('routes: route all now comes before api and matches every request api does: api is never reached any more');
    expect(review.summary.risks).toContain('store/details: route api is no longer reached');
  });

  it('a reorder of routes no request shares changes no winner', () => {
    const routes = (first: string, second: string) => `  routes:\n    - ${first}\n    - ${second}\n  access:`;
    const [a, b] = ['{name: a, match: {path: /a/}, timeout: 1s}', '{name: b, match: {path: /b/}, timeout: 2s}'];
    const review = reviewFiles({ ...base, 'mesh/details.yaml': DETAILS.replace('  access:', routes(a, b)) }, { ...base, 'mesh/details.yaml': DETAILS.replace('  access:', routes(b, a)) });
    expect(messagesOf(review, 'store/details')).toEqual(['routes: route b now comes before a: no request matches both, so no request changes route']);
  });

  it('timeout and retry changes; retries switched off are risky', () => {
    const review = reviewFiles(base, edit('mesh/reviews.yaml', 'timeout: 2s\n      retries: {attempts: 3, perTryTimeout: 500ms, on: [5xx, reset]}', 'timeout: 4s\n      retries: {attempts: 0}'));
    expect(messagesOf(review, 'store/reviews')).toEqual([
      'timeouts: route list: timeout 2s → 4s',
      'retries: route list: retries 3 attempts, 500ms per try, on 5xx,reset → off',
    ]);
    expect(review.summary.risks).toEqual(['store/reviews: retries removed from route list']);
  });

  it('fault injection, rate limits and circuit breaking', () => {
    const added = `      fault: {abort: {status: 503, percent: 5}}\n  rateLimit:\n    local: {requests: 100, per: 1s}\n  resilience:\n    circuitBreaker: {maxConnections: 100}\n    loadBalancer: round-robin\n  access:`;
    const review = reviewFiles(base, edit('mesh/reviews.yaml', '\n  access:', `\n${added}`));
    expect(messagesOf(review, 'store/reviews')).toEqual([
      'faults: route list: fault injection none → abort 503 for 5%',
      'rate-limit: rate limit added: {local: {requests: 100, per: 1s}}',
      'load-balancing: load balancing added: {loadBalancer: round-robin}',
      'circuit-breaker: circuit breaker added: {maxConnections: 100}',
    ]);
    expect(review.summary.risks).toEqual(['store/reviews: fault injection introduced on route list']);
  });

  it('a removed service is reported, with its objects, and is risky', () => {
    const { 'mesh/details.yaml': _details, ...rest } = base;
    const productpage = rest['mesh/productpage.yaml']!;
    const review = reviewFiles(base, { ...rest, 'mesh/productpage.yaml': productpage });
    // Located at the base: the head no longer has the text.
    const location = { file: 'mesh/details.yaml', line: 3, column: 18, side: 'base' };
    expect(review.entities).toEqual([{ entity: 'store/details', kind: 'Service', status: 'removed', changes: [{ category: 'service', message: 'service removed', risk: 'service store/details removed', location }] }]);
    expect(review.objects.map((o) => `${o.status} ${o.kind}/${o.name}`)).toEqual(['removed AuthorizationPolicy/details-allow', 'changed Sidecar/productpage']);
    expect(matchesFailOn(review, 'risky')).toBe(true);
  });
});

describe('access', () => {
  it('a new caller and an allow-everyone rule are widened and security-relevant', () => {
    const widened = DETAILS.replace('      - from: {services: [productpage]}', '      - from: {services: [productpage]}\n      - from: {services: [reviews]}\n        to: {methods: [GET]}');
    const open = REVIEWS.replace('      - from: {services: [productpage]}\n        to: {methods: [GET]}', '      - {}');
    const review = reviewFiles(base, { ...base, 'mesh/details.yaml': widened, 'mesh/reviews.yaml': open });
    expect(review.access.map((a) => [a.scope, a.classification, a.kind, a.message, a.securityRelevant])).toEqual([
      ['store/details', 'widened', 'caller-allowed', 'now allows from services reviews to GET', true],
      // The productpage rule it replaces is not "no longer allowed": the new rule admits it too.
      ['store/reviews', 'widened', 'allow-everyone', 'allow rule admits every caller and every request: from anyone to every request', true],
    ]);
    expect(review.summary.access).toEqual({ widened: 2, narrowed: 0 });
    // The allow-everyone rule also draws the validator's warning: it is new in the head.
    expect(review.diagnostics.new.map((d) => d.code)).toContain('MESH500');
    expect(matchesFailOn(review, 'widened-access')).toBe(true);
  });

  it('a narrower allow rule is narrowed, not widened', () => {
    const review = reviewFiles(base, edit('mesh/productpage.yaml', 'from: {namespaces: [store]}', 'from: {namespaces: [store]}\n        to: {methods: [GET]}'));
    expect(review.access.map((a) => a.classification)).toEqual(['narrowed']);
    expect(matchesFailOn(review, 'widened-access')).toBe(false);
  });

  it('a deny rule removed widens access', () => {
    const withDeny = DETAILS + '    deny:\n      - to: {paths: [/admin]}\n';
    const review = reviewFiles({ ...base, 'mesh/details.yaml': withDeny }, base);
    expect(review.access.map((a) => `${a.classification} ${a.kind}: ${a.message}`)).toEqual(['widened deny-removed: deny removed: from anyone to /admin']);
  });

  it('an mTLS downgrade through the Mesh default widens every service it reaches', () => {
    const review = reviewFiles(base, edit('mesh/mesh.yaml', 'mtls: strict', 'mtls: permissive'));
    expect(review.access.map((a) => `${a.scope}: ${a.message}`)).toEqual([
      'mesh: mesh-wide mTLS default strict → permissive',
      'store/details: mTLS strict → permissive on port 9080 (the Mesh default)',
      'store/productpage: mTLS strict → permissive on port 9080 (the Mesh default)',
      'store/reviews: mTLS strict → permissive on port 9080 (the Mesh default)',
    ]);
    expect(review.access.every((a) => a.classification === 'widened' && a.securityRelevant)).toBe(true);
  });

  it('a service that sets its own mode is not reached by the Mesh default', () => {
    const pinned = { ...base, 'mesh/details.yaml': DETAILS.replace('  access:', '  mtls: strict\n  access:') };
    const review = reviewFiles(pinned, { ...pinned, 'mesh/mesh.yaml': MESH.replace('mtls: strict', 'mtls: permissive') });
    expect(review.access.map((a) => a.scope)).not.toContain('store/details');
  });

  it('an mTLS downgrade on one service', () => {
    const review = reviewFiles(base, edit('mesh/details.yaml', '  access:', '  mtls: disabled\n  access:'));
    expect(review.access.map((a) => `${a.classification}: ${a.message}`)).toEqual(['widened: mTLS strict → disabled on port 9080 (set by the service)']);
  });

  it('allow-by-default introduced opens the services that list no callers', () => {
    const open = { ...base, 'mesh/details.yaml': DETAILS.replace(/  access:\n[\s\S]*$/, '') };
    const review = reviewFiles(open, { ...open, 'mesh/mesh.yaml': MESH.replace('deny-by-default', 'allow-by-default') });
    expect(review.access.map((a) => `${a.scope} ${a.classification} ${a.kind}`)).toEqual([
      'mesh widened access-default',
      'store/details widened allow-everyone',
    ]);
    expect(review.access[1]!.message).toBe('every caller may now call it: it has no allow rules and its namespace is allow-by-default (the Mesh default)');
  });

  it('a JWT requirement dropped and egress opened', () => {
    const jwtMesh = MESH + '  egress: registry-only\n  jwtProviders:\n    idp: {issuer: https://idp.example.com/, jwksUri: https://idp.example.com/jwks}\n';
    const required = DETAILS.replace('  access:', '  authentication:\n    jwt: {providers: [idp], required: true}\n  access:');
    const before = { ...base, 'mesh/mesh.yaml': jwtMesh, 'mesh/details.yaml': required };
    const after = { ...before, 'mesh/mesh.yaml': jwtMesh.replace('registry-only', 'allow-any'), 'mesh/details.yaml': required.replace('required: true', 'required: false') };
    const review = reviewFiles(before, after);
    expect(review.access.map((a) => `${a.scope} ${a.classification} ${a.kind}: ${a.message}`)).toEqual([
      'mesh widened egress: mesh-wide egress registry-only → allow-any: workloads may call any host outside the mesh',
      'store/details widened jwt: JWT no longer required: requests without a token are let through',
    ]);
  });
});

describe('diagnostics', () => {
  it('a head with a new error: reported, objects not compared, risky', () => {
    const review = reviewFiles(base, edit('mesh/reviews.yaml', 'canary: v3', 'canary: v9'));
    expect(review.head.errors).toBeGreaterThan(0);
    expect(review.diagnostics.new.map((d) => [d.level, d.file])).toContainEqual(['error', 'mesh/reviews.yaml']);
    expect(review.summary.objects.compared).toBe(false);
    expect(review.summary.risks).toContain(`${review.summary.diagnostics.newErrors} new validation ${review.summary.diagnostics.newErrors === 1 ? 'error' : 'errors'}`);
    expect(matchesFailOn(review, 'risky')).toBe(true);
    expect(matchesFailOn(review, 'widened-access')).toBe(false);
  });

  it('a known warning on a shifted line is not new; a second copy is', () => {
    const warned = { ...base, 'mesh/details.yaml': DETAILS.replace('      - from: {services: [productpage]}', '      - from: {ipBlocks: [10.1.2.3/24]}') };
    const shifted = { ...warned, 'mesh/details.yaml': `# a comment\n# and another\n${warned['mesh/details.yaml']}` };
    const once = reviewFiles(warned, shifted);
    expect(once.diagnostics).toEqual({ new: [], resolved: [] });
    const twice = { ...warned, 'mesh/details.yaml': warned['mesh/details.yaml']!.replace('      - from: {ipBlocks: [10.1.2.3/24]}', '      - from: {ipBlocks: [10.1.2.3/24]}\n      - from: {ipBlocks: [10.1.2.3/24]}\n        to: {methods: [GET]}') };
    const review = reviewFiles(warned, twice);
    // Both findings of the copied rule are new, though the same findings exist for the first one.
    expect(review.diagnostics.new.map((d) => d.code)).toEqual(['MESH512', 'MESH505']);
  });
});

describe('--fail-on', () => {
  it('any: every kind of change; nothing for an identical mesh', () => {
    expect(matchesFailOn(reviewFiles(base, base), 'any')).toBe(false);
    expect(matchesFailOn(reviewFiles(base, edit('mesh/productpage.yaml', 'dependsOn: [reviews]', 'dependsOn: [reviews, details]')), 'any')).toBe(true);
  });

  it('PRODUCTPAGE and REVIEWS compile cleanly on their own (the fixtures are valid)', () => {
    const review = reviewFiles(base, base);
    expect([review.base.errors, review.base.warnings, review.base.compiled]).toEqual([0, 0, true]);
    expect(PRODUCTPAGE).toContain('productpage');
    expect(REVIEWS).toContain('reviews');
  });
});

describe('identity', () => {
  it('a new service account shows on the service and in the policies that admit it', () => {
    const review = reviewFiles(base, edit('mesh/productpage.yaml', '  dependsOn: [reviews]', '  dependsOn: [reviews]\n  serviceAccount: store-productpage'));
    expect(messagesOf(review, 'store/productpage').join('\n')).toContain('serviceAccount');
    const allow = review.objects.find((o) => o.kind === 'AuthorizationPolicy' && o.name === 'reviews-allow');
    expect(allow?.status).toBe('changed');
    expect(allow?.diff).toContain('-              - cluster.local/ns/store/sa/productpage\n+              - cluster.local/ns/store/sa/store-productpage');
  });
});
