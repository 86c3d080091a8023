// The README's "In pull requests" section shows the top of a real review comment: this test makes
// the same change in a real repository and checks the README against meshctl's output.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from '../helpers/run-cli.js';
import { TempRepo, runMeshctl } from './support.js';

const readme = readFileSync(path.join(repoRoot, 'README.md'), 'utf8');
const section = readme.slice(readme.indexOf('## In pull requests'));
const service = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!)[0]!;
const PRODUCTPAGE = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: productpage, namespace: storefront}
spec:
  ports: [{port: 9080, protocol: http}]
`;

const repo = new TempRepo();
afterAll(() => repo.cleanup());

describe('README: In pull requests', () => {
  it('shows the beginning of the comment meshctl really writes', async () => {
    repo.commit('base', { 'mesh/reviews.yaml': service, 'mesh/productpage.yaml': PRODUCTPAGE });
    repo.git('checkout', '-q', '-b', 'canary-50');
    const head = service
      .replace('weight: 10,', 'weight: 50,')
      .replace('      timeout: 2s', '      timeout: 5s')
      .replace('        to: {methods: [GET], paths: ["/reviews/*"]}', '        to: {methods: [GET], paths: ["/reviews/*"]}\n      - from: {namespaces: [storefront]}');
    repo.commit('reviews: canary to 50%', { 'mesh/reviews.yaml': head });
    const run = (await runMeshctl(['review', '--base', 'main', '--head', 'canary-50', '-o', 'markdown'], repo.dir));
    expect(run.stderr).toBe('');
    const shown = /```markdown\n([\s\S]*?)```/.exec(section)?.[1];
    expect(shown).toBeDefined();
    expect(run.stdout.startsWith(shown!)).toBe(true);
  });
});
