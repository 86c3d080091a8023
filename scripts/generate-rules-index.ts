// Regenerates docs/rules/README.md, the index of every rule, from the rule registry. A test fails
// when the checked-in index is stale.
import { writeFileSync } from 'node:fs';
import { rulesIndexMarkdown } from '../src/targets/rules-index.js';

const target = new URL('../docs/rules/README.md', import.meta.url);
writeFileSync(target, rulesIndexMarkdown());
console.log(`wrote ${target.pathname}`);
