// docs/first-mesh.md: its files, written into an empty directory as the guide says, validate
// without a finding and compile; its commands name commands and flags meshctl has.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot, runCli } from './helpers/run-cli.js';

const guide = readFileSync(path.join(repoRoot, 'docs', 'first-mesh.md'), 'utf8');
const files = [...guide.matchAll(/```yaml\n# file: ([\w.-]+)\n([\s\S]*?)```/g)].map((m) => [m[1]!, m[2]!] as const);
const commands = [...guide.matchAll(/```console\n([\s\S]*?)```/g)].flatMap((m) => m[1]!.split('\n').filter((line) => line.startsWith('$ meshctl ')));
const manifest = JSON.parse(readFileSync(path.join(repoRoot, 'oclif.manifest.json'), 'utf8')) as {
  commands: Record<string, { flags: Record<string, { name: string; char?: string; hidden?: boolean }> }>;
};
const dir = mkdtempSync(path.join(tmpdir(), 'meshctl-first-mesh-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/first-mesh.md', () => {
  it('builds a mesh of every kind but Gateway, which validates without a finding and compiles', () => {
    expect(files.map(([name]) => name)).toEqual(['mesh.yaml', 'web.yaml', 'api.yaml', 'external.yaml']);
    for (const [name, text] of files) writeFileSync(path.join(dir, name), text);
    const validated = runCli(['validate', '.'], { cwd: dir });
    expect(validated.stdout).toBe('✔ no problems (5 documents in 4 files)\n');
    expect(validated.status).toBe(0);
    const compiled = runCli(['compile', '.', '--out-dir', 'out'], { cwd: dir });
    expect(compiled.status, compiled.stderr).toBe(0);
    // The Sidecar that dependsOn scopes, and the ServiceEntry and origination for payments.
    const objects = runCli(['compile', '.', '-o', 'json'], { cwd: dir });
    const kinds = (JSON.parse(objects.stdout) as { items: { kind: string; metadata: { name: string } }[] }).items.map((o) => `${o.kind}/${o.metadata.name}`);
    expect(kinds).toEqual(expect.arrayContaining(['Sidecar/api', 'ServiceEntry/payments', 'ServiceEntry/github', 'DestinationRule/payments']));
    // The compile output in the directory is skipped by the next validate.
    expect(runCli(['validate', '.'], { cwd: dir }).stdout).toContain('MESH016');
  });

  it('uses only commands and flags meshctl has, in their current spelling', () => {
    expect(commands.length).toBeGreaterThanOrEqual(4);
    for (const line of commands) {
      const [, id, ...words] = line.slice(2).split(/\s+/);
      const command = manifest.commands[id!];
      expect(command, line).toBeDefined();
      for (const word of words.filter((w) => w.startsWith('-'))) {
        const name = word.replace(/^--?/, '').replace(/=.*$/, '');
        const flag = Object.values(command!.flags).find((f) => (word.startsWith('--') ? f.name === name : f.char === name));
        expect(flag && !flag.hidden, `${line}: ${word}`).toBe(true);
      }
    }
  });
});
