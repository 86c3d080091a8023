// One table-driven test over every fixture. An invalid fixture declares what it must report in a
// comment, `# expect: MESH301@12 MESH100@7` (code@line, space-separated), and must report exactly
// that; a valid fixture must report nothing at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadMesh, validate } from '../src/index.js';

const root = path.join(import.meta.dirname, 'fixtures');
const list = (folder: string) =>
  readdirSync(path.join(root, folder))
    .filter((name) => /\.ya?ml$/.test(name))
    .sort();

// A fixture that cannot hold a comment (an empty file, UTF-16 text) declares its expectations in
// a sidecar file next to it, `<name>.expect`, in the same `# expect:` form.
function expectations(file: string): string[] {
  const sidecar = `${file}.expect`;
  const text = readFileSync(existsSync(sidecar) ? sidecar : file, 'latin1');
  const lines = [...text.matchAll(/^# expect:(.*)$/gm)].flatMap((m) => m[1]!.trim().split(/\s+/));
  return lines.filter(Boolean).sort();
}

describe('invalid fixtures report their expected codes at their expected lines', () => {
  const files = list('invalid');
  it('there are at least 80 of them', () => {
    expect(files.length).toBeGreaterThanOrEqual(80);
  });
  it.each(files)('%s', async (name) => {
    const file = path.join(root, 'invalid', name);
    const expected = expectations(file);
    expect(expected.length, `${name} declares no "# expect:" line`).toBeGreaterThan(0);
    const result = validate(await loadMesh([file], { cwd: root, displayRoot: root }));
    const actual = result.diagnostics.map((d) => `${d.code}@${d.span.line}`).sort();
    expect(actual, result.diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.code} ${d.message}`).join('\n')).toEqual(expected);
    for (const diagnostic of result.diagnostics) expect(diagnostic.span.file).toBe(`invalid/${name}`);
  });
});

describe('valid fixtures report nothing', () => {
  it.each(list('valid'))('%s', async (name) => {
    const result = validate(await loadMesh([path.join(root, 'valid', name)], { cwd: root }));
    expect(result.diagnostics.map((d) => `${d.span.line}:${d.span.column} ${d.code} ${d.message}`)).toEqual([]);
  });
});
