// The review's renderers: the Markdown comment's length bound and escaping, JSON's shape, and
// stylish text without colour when asked.
import { describe, expect, it } from 'vitest';
import { renderReviewJson } from '../../src/review/render-json.js';
import { renderReviewMarkdown, fence } from '../../src/review/render-markdown.js';
import { renderReviewStylish } from '../../src/review/render-stylish.js';
import { DETAILS, baseMesh, reviewFiles } from './support.js';

/** A head with many new services: many objects, each with a diff. */
function bigReview() {
  const base = baseMesh();
  const head = { ...base };
  for (let i = 0; i < 60; i++) head[`mesh/svc-${i}.yaml`] = DETAILS.replace('name: details', `name: svc-${String(i).padStart(2, '0')}`).replace('  access:', `  routes:\n${Array.from({ length: 20 }, (_, r) => `    - {name: r${r}, match: {path: /p${r}/}, timeout: ${r + 1}s}`).join('\n')}\n  access:`);
  return reviewFiles(base, head);
}

describe('Markdown', () => {
  it('stays under the length bound by cutting object diffs, and says so', () => {
    const review = bigReview();
    const full = review.objects.reduce((sum, object) => sum + object.diff.length, 0);
    expect(full).toBeGreaterThan(65_000);
    const text = renderReviewMarkdown(review);
    expect(text.length).toBeLessThanOrEqual(65_000);
    expect(text).toMatch(/diff left out to fit the comment|diff cut: \d+ more lines/);
    const small = renderReviewMarkdown(review, { maxLength: 8_000 });
    expect(small.length).toBeLessThanOrEqual(8_000);
    expect(small.startsWith('### meshctl review:')).toBe(true);
  });

  it('escapes what the mesh says, so a pull request cannot inject mentions, links or HTML', () => {
    const base = baseMesh();
    const head = { ...base, 'mesh/details.yaml': DETAILS.replace('      - from: {services: [productpage]}', '      - from: {services: [productpage]}\n      - to: {paths: ["/<img src=x>@team[x](y)"]}') };
    const text = renderReviewMarkdown(reviewFiles(base, head));
    expect(text).toContain('/&lt;img src=x&gt;\\@team\\[x\\](y)');
    // Inside code blocks (the object diffs) text is shown as it is, never rendered.
    const outsideCode = text.replace(/(`{3,})[a-z]*\n[\s\S]*?\n\1\n/g, '');
    expect(outsideCode).not.toContain('<img');
    expect(outsideCode).not.toMatch(/(^|[^\\])@team/);
  });

  it('fences code with more backticks than the code holds', () => {
    expect(fence('a ``` b\n', 'diff')).toBe('````diff\na ``` b\n````\n');
  });
});

describe('JSON and stylish', () => {
  it('JSON has the documented top-level shape and is deterministic', () => {
    const base = baseMesh();
    const review = reviewFiles(base, { ...base, 'mesh/mesh.yaml': base['mesh/mesh.yaml']!.replace('strict', 'permissive') });
    const text = renderReviewJson(review, { condition: 'widened-access', matched: true });
    const parsed = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(parsed)).toEqual(['schemaVersion', 'base', 'head', 'summary', 'entities', 'access', 'diagnostics', 'objects', 'unresolved', 'failOn']);
    expect(parsed.head).toEqual({ ref: null, commit: null, files: 4, errors: 0, warnings: 0, compiled: true, errorFindings: [] });
    expect(renderReviewJson(review, { condition: 'widened-access', matched: true })).toBe(text);
  });

  it('stylish without colour has no escape codes; with --diffs it prints the diffs', () => {
    const base = baseMesh();
    const review = reviewFiles(base, { ...base, 'mesh/reviews.yaml': base['mesh/reviews.yaml']!.replace('weight: 10', 'weight: 50') });
    const plain = renderReviewStylish(review, { color: false });
    expect(plain).not.toMatch(/\u001b\[/);
    expect(plain).toContain('traffic         v1 90% → 50%, v3 10% → 50% (routes list, default)');
    expect(renderReviewStylish(review, { color: false, diffs: true })).toContain('-          weight: 90');
    expect(renderReviewStylish(review, { color: true })).toMatch(/\u001b\[/);
  });
});
