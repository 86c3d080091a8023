// docs/format.md and `meshctl explain` are read off the schema meshctl validates with.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { formatDocText, FORMAT_DOC } from '../scripts/generate-format-doc.js';
import { explainText, findField, formatTree } from '../src/schema/format-reference.js';
import { repoRoot, runCli } from './helpers/run-cli.js';

describe('docs/format.md', () => {
  it('is what the schema generates now (run `npm run docs:format` after changing src/schema/)', () => {
    expect(readFileSync(FORMAT_DOC, 'utf8')).toBe(formatDocText());
  });

  it('documents every field of every kind, with an example of each kind', () => {
    const text = readFileSync(FORMAT_DOC, 'utf8');
    const visit = (node: ReturnType<typeof formatTree>[number]): void => {
      if (node.fields.length > 0) expect(text, node.path).toContain(`#### \`${node.path}\``);
      node.fields.forEach(visit);
    };
    for (const kind of formatTree()) {
      expect(text).toContain(`## ${kind.type}\n`);
      expect(text).toMatch(new RegExp(`## ${kind.type}\\n[\\s\\S]*?\`\`\`yaml\\n# examples/mesh/[\\w-]+\\.yaml\\napiVersion: meshctl\\.dev/v1alpha1\\nkind: ${kind.type}\\n`));
      visit(kind);
    }
  });

  it('describes annotations as annotations, not labels', () => {
    expect(findField('service.metadata.annotations').description).toMatch(/^Kubernetes annotations/);
    expect(findField('service.metadata.labels').description).toBe('Kubernetes labels.');
  });
});

describe('meshctl explain', () => {
  it('service.spec.canary: the type, description and fields', () => {
    const run = runCli(['explain', 'service.spec.canary'], { cwd: path.join(repoRoot, 'examples') });
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout).toBe(explainText(findField('service.spec.canary')));
    expect(run.stdout).toMatch(/^FIELD: service\.spec\.canary <object>\n/);
    expect(run.stdout).toContain('  weight <number> (required)\n    Percent of traffic the canary gets now.');
    expect(run.stdout).toContain('A canary release');
  });

  it('lists allowed values, and goes through lists and maps', () => {
    expect(explainText(findField('Mesh.spec.egress'))).toMatch(/VALUES: .*registry-only/);
    expect(findField('service.spec.routes.match').path).toBe('service.spec.routes.match');
  });

  it('an unknown field is one line naming the fields there are', () => {
    const run = runCli(['explain', 'service.spec.canery']);
    expect(run.status).toBe(2);
    expect(run.stderr).toMatch(/^meshctl: error: service\.spec has no field "canery"; did you mean "canary"\?; its fields are .*canary/);
    expect(runCli(['explain', 'servce']).stderr).toMatch(/^meshctl: error: unknown kind "servce"; did you mean "service"\?; the kinds are mesh, service, externalservice, gateway\n$/);
  });
});
