// Every import finding has a section in docs/import-findings.md with its name and level, and the
// section's example, imported, produces that finding.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { IMPORT_FINDINGS } from '../../src/import/findings.js';
import { importMesh } from '../../src/import/import-mesh.js';
import { objectsFromSources } from '../../src/import/read-objects.js';
import { SourceText } from '../../src/loader/source-file.js';

const docs = readFileSync(path.join(import.meta.dirname, '..', '..', 'docs', 'import-findings.md'), 'utf8');

function section(code: string): string | undefined {
  return new RegExp(`^## ${code}: [^\\n]*\\n([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(docs)?.[0];
}

describe.each(Object.values(IMPORT_FINDINGS).map((kind) => [kind.code, kind] as const))('%s', (code, kind) => {
  it('has a section with its name and level', () => {
    const text = section(code);
    expect(text, `docs/import-findings.md has no section for ${code}`).toBeDefined();
    expect(text!.split('\n')[0]).toBe(`## ${code}: ${kind.name}`);
    expect(text).toContain(`Level: ${kind.level}`);
  });

  it('has an example that produces it', () => {
    const example = /```yaml\n([\s\S]*?)```/.exec(section(code) ?? '')?.[1];
    expect(example, `${code} needs an example`).toBeDefined();
    const read = objectsFromSources([new SourceText('example.yaml', example!)]);
    const result = importMesh(read.objects);
    const codes = [...read.findings, ...result.findings].map((f) => f.code);
    expect(codes).toContain(code);
  });
});

it('documents no code that does not exist', () => {
  const documented = [...docs.matchAll(/^## (IMP\d+):/gm)].map((m) => m[1]);
  expect(documented).toEqual(Object.values(IMPORT_FINDINGS).map((kind) => kind.code).sort());
});

it('codes are unique', () => {
  const codes = Object.values(IMPORT_FINDINGS).map((kind) => kind.code);
  expect(new Set(codes).size).toBe(codes.length);
});
