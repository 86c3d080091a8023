// docs/conventions.md tells users which formats each command's -o takes, and where files go: the
// table must say what each command's --help says.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './helpers/run-cli.js';

const doc = readFileSync(path.join(repoRoot, 'docs', 'conventions.md'), 'utf8');
const formatsTable = doc.slice(doc.indexOf('## Output formats'));
const rows = [...formatsTable.matchAll(/^\| `(\w+)` \| (.+?) \| `(\w+)` \| (.+?) \|$/gm)].map((m) => ({
  command: m[1]!,
  formats: [...m[2]!.matchAll(/`(\w+)`/g)].map((f) => f[1]!),
  defaultFormat: m[3]!,
  target: m[4]!.trim(),
}));

describe('docs/conventions.md', () => {
  it('lists every command that takes -o', () => {
    expect(rows.map((row) => row.command).sort()).toEqual(['apply', 'compile', 'diff', 'graph', 'review', 'rules', 'validate', 'version']);
  });

  it.each(rows)('$command: the formats, default and file flag --help shows', ({ command, formats, defaultFormat, target }) => {
    const help = runCli([command, '--help']).stdout.replace(/\s+/g, ' ');
    // Commands built on outputFlags list their formats; diff and apply use oclif's options list.
    const listed = /-o, --output=([\w|]+) /.exec(help)?.[1];
    if (listed && listed !== '<option>') expect(listed.split('|')).toEqual(formats);
    else for (const format of formats) expect(help, `${command} --help`).toContain(format);
    expect(help).toMatch(new RegExp(`default: ${defaultFormat}\\b`));
    if (target === '—') expect(help).not.toMatch(/--output-file|--out-dir/);
    else expect(help).toContain(target.replace(/`/g, ''));
  });
});
