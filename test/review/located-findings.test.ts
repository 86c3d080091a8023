// Review findings a bot can post: every change carries the file, line and column of the mesh text
// that made it (JSON, SARIF, GitHub annotations); identical revisions are no change even when the
// mesh has errors, which are listed; and the review reads what validate reads, skipping what
// .meshctl.yaml ignores, compile output and other tools' YAML.
import { execFileSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { renderReviewGithub, renderReviewJson, renderReviewMarkdown, renderReviewSarif } from '../../src/review/index.js';
import { position } from '../helpers/run-cli.js';
import { sarifValidator } from '../support/sarif-schema.js';
import { MESH, PRODUCTPAGE, REVIEWS, TempRepo, baseMesh, reviewFiles, runMeshctl } from './support.js';

const repos: TempRepo[] = [];
const newRepo = () => {
  const repo = new TempRepo();
  repos.push(repo);
  return repo;
};
afterAll(() => {
  for (const repo of repos) repo.cleanup();
});

interface Located {
  file: string | null;
  line: number | null;
  column: number | null;
  side: string | null;
}
interface JsonReview {
  summary: { changed: boolean };
  base: { errors: number; errorFindings: { code: string; file: string; line: number }[] };
  head: { errors: number; errorFindings: { code: string; file: string; line: number }[] };
  entities: { entity: string; changes: ({ category: string; message: string } & Located)[] }[];
  access: ({ scope: string; kind: string; classification: string } & Located)[];
}

describe('every finding is located', () => {
  const base = baseMesh();
  const head = {
    ...base,
    'mesh/reviews.yaml': REVIEWS.replace('weight: 10, steps: [10, 50, 100]', 'weight: 50, steps: [10, 50, 100]'),
    'mesh/productpage.yaml': PRODUCTPAGE.replace('      - from: {namespaces: [store]}', '      - from: {namespaces: [store]}\n      - {}'),
    'mesh/mesh.yaml': MESH.replace('mtls: strict', 'mtls: permissive'),
  };
  const review = reviewFiles(base, head);
  const json = JSON.parse(renderReviewJson(review)) as JsonReview;

  it('a behaviour change at the field that says it, in the head', () => {
    const traffic = json.entities.find((e) => e.entity === 'store/reviews')!.changes.find((c) => c.category === 'traffic')!;
    // At the value: "50" is where a reviewer reads the change.
    expect(traffic).toMatchObject({ file: 'mesh/reviews.yaml', ...position(head['mesh/reviews.yaml'], 'weight: 50', 'weight: '.length), side: 'head' });
  });

  it('an access change at the rule, or at the Mesh default a service inherits', () => {
    const everyone = json.access.find((a) => a.scope === 'store/productpage' && a.kind === 'allow-everyone')!;
    expect(everyone).toMatchObject({ file: 'mesh/productpage.yaml', line: position(head['mesh/productpage.yaml'], '- from: {namespaces').line, side: 'head' });
    const inherited = json.access.find((a) => a.scope === 'store/details' && a.kind === 'mtls')!;
    expect(inherited).toMatchObject({ file: 'mesh/mesh.yaml', line: position(head['mesh/mesh.yaml'], 'mtls: permissive').line, side: 'head' });
    for (const change of [...json.access, ...json.entities.flatMap((e) => e.changes)]) {
      expect(change.file, JSON.stringify(change)).not.toBeNull();
      expect(change.line).toBeGreaterThan(0);
    }
  });

  it('SARIF: a valid log with one located result per finding', () => {
    const log = JSON.parse(renderReviewSarif(review, { toolVersion: '0.0.0' })) as { runs: { results: { ruleId: string; level: string; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }[] }[] }[] };
    const validate = sarifValidator();
    expect(validate(log), JSON.stringify(validate.errors, null, 2)).toBe(true);
    const results = log.runs[0]!.results;
    const findings = json.entities.flatMap((e) => e.changes).length + json.access.length + review.diagnostics.new.length;
    expect(results).toHaveLength(findings);
    for (const result of results) expect(result.locations[0]!.physicalLocation.region.startLine).toBeGreaterThan(0);
    expect(results.filter((r) => r.ruleId === 'review/access-widened').every((r) => r.level === 'warning')).toBe(true);
    expect(results.find((r) => r.ruleId === 'review/traffic')!.locations[0]!.physicalLocation).toMatchObject({
      artifactLocation: { uri: 'mesh/reviews.yaml' },
      region: { startLine: position(head['mesh/reviews.yaml'], 'weight: 50').line },
    });
  });

  it('GitHub: one annotation per finding, on its line', () => {
    const lines = renderReviewGithub(review).trimEnd().split('\n');
    expect(lines).toHaveLength(json.entities.flatMap((e) => e.changes).length + json.access.length + review.diagnostics.new.length);
    expect(lines).toContain(
      // The service's allow rules, where the new rule is one of them.
      `::warning file=mesh/productpage.yaml,line=${position(head['mesh/productpage.yaml'], '- from: {namespaces').line},col=7,title=meshctl review%3A access widened::access widened: store/productpage: allow rule admits every caller and every request: from anyone to every request`,
    );
    expect(lines.every((line) => /^::(warning|notice|error) file=mesh\/[a-z]+\.yaml,line=\d+,col=\d+,title=/.test(line))).toBe(true);
  });

  it('what the head removed is located at the base, and annotated without a head line', () => {
    const { 'mesh/details.yaml': _details, ...rest } = base;
    const removed = reviewFiles(base, rest);
    const change = removed.entities[0]!.changes[0]!;
    expect(change.location).toEqual({ file: 'mesh/details.yaml', ...position(base['mesh/details.yaml']!, 'details'), side: 'base' });
    expect(renderReviewGithub(removed)).toContain(`::warning title=meshctl review%3A store/details service (risky)::store/details (Service, removed): service removed; risky: service store/details removed (at the base: mesh/details.yaml:3)`);
  });
});

describe('identical revisions', () => {
  it('are no change when the mesh declares a service twice and has a tab; the errors are listed for both sides', async () => {
    const repo = newRepo();
    repo.commit('broken', { ...baseMesh(), 'mesh/reviews-copy.yaml': REVIEWS, 'mesh/tab.yaml': 'apiVersion: meshctl.dev/v1alpha1\nkind: Service\nmetadata: {name: x, namespace: store}\nspec:\n\tports: []\n' });
    const run = await runMeshctl(['review', '--base', 'HEAD', '--head', 'HEAD', '-o', 'json', '--fail-on', 'widened-access'], repo.dir);
    expect(run.status, run.stderr).toBe(0);
    const review = JSON.parse(run.stdout) as JsonReview;
    expect(review.summary.changed).toBe(false);
    expect(review.access).toEqual([]);
    expect(review.entities).toEqual([]);
    const codes = (side: JsonReview['base']) => side.errorFindings.map((d) => `${d.file}:${d.line} ${d.code}`);
    expect(codes(review.base)).toEqual(['mesh/reviews.yaml:3 MESH220', 'mesh/tab.yaml:5 MESH003']);
    expect(codes(review.head)).toEqual(codes(review.base));

    const stylish = await runMeshctl(['review', '--base', 'HEAD', '--fail-on', 'any'], repo.dir);
    expect(stylish.status).toBe(0);
    expect(stylish.stdout).toContain('the base has 2 errors, so its objects are not compiled or compared\n  mesh/reviews.yaml:3:18  error  Service store/reviews is declared more than once');
    expect(stylish.stdout).toContain('the head has 2 errors');
    expect(stylish.stdout).toContain('✔ no change in behaviour');
    const markdown = await runMeshctl(['review', '--base', 'HEAD', '-o', 'markdown'], repo.dir);
    expect(markdown.stdout).toContain('<summary><b>Not compiled: the base has 2 errors, the head has 2 errors</b></summary>');
  });
});

describe('the review reads what validate reads', () => {
  it('skips what .meshctl.yaml ignores, compile output and other tools\' YAML, at both revisions', async () => {
    const repo = newRepo();
    repo.write(baseMesh());
    const compiled = await runMeshctl(['compile', 'mesh', '--out-dir', 'mesh/out'], repo.dir);
    expect(compiled.status, compiled.stderr).toBe(0);
    repo.commit('mesh, its compiled output, a draft and other tools\' files', {
      'mesh/kustomization.yaml': 'apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [out]\n',
      'mesh/docker-compose.yml': 'services:\n  web: {image: nginx}\n',
      'mesh/drafts/next.yaml': 'kind: [\n',
      '.meshctl.yaml': 'ignore: ["mesh/drafts/"]\n',
    });
    const validated = await runMeshctl(['validate', 'mesh', '-o', 'json'], repo.dir);
    expect(validated.status, validated.stdout).toBe(0);

    for (const head of [['--head', 'HEAD'], []]) {
      const run = await runMeshctl(['review', '--base', 'HEAD', ...head, 'mesh', '-o', 'json', '--fail-on', 'any'], repo.dir);
      expect(run.status, run.stdout + run.stderr).toBe(0);
      const review = JSON.parse(run.stdout) as JsonReview;
      expect([review.base.errors, review.head.errors]).toEqual([0, 0]);
      expect(review.summary.changed).toBe(false);
    }
    // The ignore pattern is what keeps the draft out: without it, the draft is an error again.
    rmSync(path.join(repo.dir, '.meshctl.yaml'));
    const unignored = await runMeshctl(['review', '--base', 'HEAD', '--head', 'HEAD', 'mesh', '-o', 'json'], repo.dir);
    expect((JSON.parse(unignored.stdout) as JsonReview).base.errorFindings.map((d) => d.file)).toEqual(['mesh/drafts/next.yaml']);
    writeFileSync(path.join(repo.dir, '.meshctl.yaml'), 'ignore: ["mesh/drafts/"]\n');
    expect(execFileSync('git', ['status', '--porcelain'], { cwd: repo.dir, encoding: 'utf8' })).toBe('');
  });
});

describe('only what both sides resolve is compared', () => {
  const base = baseMesh();

  it('a service whose document does not load in the head is not "removed"', () => {
    const review = reviewFiles(base, { ...base, 'mesh/reviews.yaml': REVIEWS.replace('weight: 10,', 'weight: "ten",') });
    expect(review.entities).toEqual([]);
    expect(review.access).toEqual([]);
    expect(review.unresolved).toEqual(['store/reviews (does not load in the head)']);
    expect(review.summary.risks).toEqual(['1 new validation error']);
  });

  it('a Mesh document that does not load leaves access uncompared rather than compared with defaults', () => {
    const review = reviewFiles(base, { ...base, 'mesh/mesh.yaml': MESH.replace('mtls: strict', 'mtls: strikt') });
    expect(review.access).toEqual([]);
    expect(review.entities).toEqual([]);
    expect(review.unresolved).toEqual(['shop (does not load in the head)']);
    expect(JSON.parse(renderReviewJson(review)).unresolved).toEqual(['shop (does not load in the head)']);
    expect(renderReviewMarkdown(review)).toContain('Not compared: shop (does not load in the head).');
  });
});
