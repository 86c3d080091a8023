// Regenerates docs/format.md from the zod schema, with one example per kind taken from
// examples/mesh (the first document of that kind, in file-name order). A test fails when the file
// is stale:  npm run docs:format
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { formatReferenceMarkdown } from '../src/schema/format-reference.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const FORMAT_DOC = path.join(root, 'docs', 'format.md');

export function formatDocText(): string {
  const directory = path.join(root, 'examples', 'mesh');
  const examples: Record<string, string> = {};
  for (const name of readdirSync(directory).filter((file) => /\.ya?ml$/.test(file)).sort()) {
    const text = readFileSync(path.join(directory, name), 'utf8');
    for (const document of parseAllDocuments(text)) {
      if (!('contents' in document) || !document.contents) continue;
      const kind = (document.toJS() as { kind?: unknown } | null)?.kind;
      if (typeof kind !== 'string' || examples[kind]) continue;
      const [start = 0, , end = text.length] = document.contents.range;
      examples[kind] = `# examples/mesh/${name}\n${text.slice(start, end).trimEnd()}\n`;
    }
  }
  return formatReferenceMarkdown(examples);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  writeFileSync(FORMAT_DOC, formatDocText());
  console.log(`wrote ${path.relative(root, FORMAT_DOC)}`);
}
