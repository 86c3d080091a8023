// The README shows a mesh file and what meshctl compiles it to; both must stay true.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { compileIstio, loadSources, SourceText, validate } from '../src/index.js';

const readme = readFileSync(path.join(import.meta.dirname, '..', 'README.md'), 'utf8');
const yamlBlocks = [...readme.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]!);

// The README's service names productpage as a caller; it is declared here so the mesh is whole.
const PRODUCTPAGE = `apiVersion: meshctl.dev/v1alpha1
kind: Service
metadata: {name: productpage, namespace: storefront}
spec:
  ports: [{port: 9080, protocol: http}]
`;

describe('README', () => {
  const [service, virtualService] = [yamlBlocks[0]!, yamlBlocks.find((block) => block.includes('kind: VirtualService'))!];
  const result = validate(loadSources([new SourceText('mesh/reviews.yaml', service), new SourceText('mesh/productpage.yaml', PRODUCTPAGE)]));

  it('shows a service that validates cleanly', () => {
    expect(result.diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });

  it('shows the VirtualService meshctl really compiles from it', () => {
    const compiled = compileIstio(result.model).find((o) => o.kind === 'VirtualService' && o.metadata.name === 'reviews');
    expect(compiled).toEqual(parse(virtualService));
  });
});
