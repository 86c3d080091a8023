// The parse floor: what any tool that reads a mesh must pay at least. One Node.js process reads
// every mesh file (*.yaml, *.yml, the directory walked in name order) and parses every document
// with js-yaml (the parser meshctl's loader uses for values), and does nothing else. It prints the
// number of documents, which the benchmark checks against meshctl's own count.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import jsYaml from 'js-yaml';

function files(directory) {
  const found = [];
  for (const entry of readdirSync(directory, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const full = path.join(directory, entry.name);
    if (entry.isDirectory()) found.push(...files(full));
    else if (/\.ya?ml$/.test(entry.name)) found.push(full);
  }
  return found;
}

let documents = 0;
for (const file of files(process.argv[2] ?? '.')) {
  jsYaml.loadAll(readFileSync(file, 'utf8'), (document) => {
    if (document !== null && document !== undefined) documents++;
  }, { schema: jsYaml.CORE_SCHEMA });
}
process.stdout.write(`${documents}\n`);
