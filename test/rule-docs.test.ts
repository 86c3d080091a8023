// Every rule has a docs page with a wrong and a right example, and the examples are honest: the
// wrong one (when it is YAML) reports the rule, the right one does not.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadSources, RULES, SourceText, validate, type Rule } from '../src/index.js';
import { validateText } from './helpers/validate-text.js';

/** A target's rules run only when compiling for it (MESH702 only in portable mode): check their examples so. */
function diagnosticsFor(rule: Rule, text: string) {
  if (rule.target === undefined) return validateText(text).diagnostics;
  return validate(loadSources([new SourceText('mesh.yaml', text)]), { targets: [rule.target] }).diagnostics;
}

const docsDir = path.join(import.meta.dirname, '..', 'docs', 'rules');

function section(markdown: string, heading: string): string | undefined {
  const match = new RegExp(`^## ${heading}\\s*$([\\s\\S]*?)(?=^## |(?![\\s\\S]))`, 'm').exec(markdown);
  return match?.[1];
}

function yamlBlock(text: string | undefined): string | undefined {
  return text ? /```yaml\n([\s\S]*?)```/.exec(text)?.[1] : undefined;
}

describe.each(RULES.map((rule) => [rule.code, rule] as const))('%s docs page', (code, rule) => {
  const file = path.join(docsDir, `${code}.md`);

  it('exists, names the rule and has Wrong and Right sections', () => {
    expect(existsSync(file), `docs/rules/${code}.md is missing`).toBe(true);
    const markdown = readFileSync(file, 'utf8');
    expect(markdown.split('\n')[0]).toBe(`# ${code}: ${rule.name}`);
    expect(markdown).toContain(`Level: ${rule.level}`);
    // A rule that runs only for one target says so where its level is.
    if (rule.target !== undefined) expect(markdown.split('\n')[2]).toMatch(new RegExp(`· Target: ${rule.target}$`));
    else expect(markdown.split('\n')[2]).not.toContain('Target:');
    expect(section(markdown, 'Wrong')?.trim()).toBeTruthy();
    expect(section(markdown, 'Right')?.trim()).toBeTruthy();
  });

  it('has a wrong example that reports the rule and a right one that does not', () => {
    const markdown = readFileSync(file, 'utf8');
    const wrong = yamlBlock(section(markdown, 'Wrong'));
    const right = yamlBlock(section(markdown, 'Right'));
    // Loader rules about bytes, sizes and paths cannot be shown as YAML; their pages describe them.
    if (wrong === undefined) {
      expect(rule.category).toBe('load');
      // Such a page still shows the diagnostic that its wrong case produces.
      expect(section(markdown, 'Wrong')).toMatch(new RegExp(`\\b${code}\\b`));
      return;
    }
    expect(diagnosticsFor(rule, wrong).map((d) => d.code)).toContain(code);
    expect(right, 'a YAML wrong example needs a YAML right example').toBeDefined();
    expect(diagnosticsFor(rule, right!).map((d) => `${d.code} ${d.message}`)).toEqual([]);
  });
});

describe('the rules index, docs/rules/README.md', () => {
  it('is what the registry generates now (run `npm run docs:rules` after adding a rule)', async () => {
    const { rulesIndexMarkdown } = await import('../src/targets/rules-index.js');
    expect(readFileSync(path.join(docsDir, 'README.md'), 'utf8')).toBe(rulesIndexMarkdown());
  });

  it('lists every rule once', () => {
    const index = readFileSync(path.join(docsDir, 'README.md'), 'utf8');
    for (const rule of RULES) expect(index.split(`[${rule.code}](${rule.code}.md)`).length - 1, rule.code).toBe(1);
  });
});
