import { loadMesh, validate } from '../../src/index.js';
for (const f of process.argv.slice(2)) {
  const r = validate(await loadMesh([f]));
  console.log(f, r.diagnostics.map((d) => `${d.code}@${d.span.line}`).sort().join(' '));
  for (const d of r.diagnostics) console.log('   ', d.span.line, d.code, d.level, d.message.slice(0, 150));
}
