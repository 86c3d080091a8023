// SARIF 2.1.0, as GitHub code scanning accepts it: one run, every rule's metadata with a help
// link, results with physical locations relative to the repository root.
import { ruleDocsUrl } from '../diagnostics/rule.js';
import type { Level } from '../diagnostics/types.js';
import { RULES } from '../targets/rules.js';
import type { ValidationResult } from '../validators/validate.js';

const SARIF_LEVEL: Record<Level, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };

export interface SarifOptions {
  toolVersion: string;
}

export function formatSarif(result: ValidationResult, options: SarifOptions): string {
  const ruleIndex = new Map(RULES.map((rule, index) => [rule.code, index]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'meshctl',
            informationUri: 'https://github.com/meshctl/meshctl',
            version: options.toolVersion,
            semanticVersion: options.toolVersion,
            rules: RULES.map((rule) => ({
              id: rule.code,
              name: toPascalCase(rule.name),
              shortDescription: { text: rule.description },
              fullDescription: { text: rule.description },
              helpUri: ruleDocsUrl(rule.code),
              help: { text: `${rule.description} See ${ruleDocsUrl(rule.code)}`, markdown: `${rule.description} [Docs](${ruleDocsUrl(rule.code)})` },
              defaultConfiguration: { level: SARIF_LEVEL[rule.level] },
              properties: { tags: [rule.category] },
            })),
          },
        },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The directory meshctl ran in.' } } },
        results: result.diagnostics.map((d) => ({
          ruleId: d.code,
          ...(ruleIndex.has(d.code) ? { ruleIndex: ruleIndex.get(d.code) } : {}),
          level: SARIF_LEVEL[d.level],
          message: { text: d.message },
          locations: [
            {
              physicalLocation: {
                artifactLocation: { uri: fileUri(d.span.file), uriBaseId: '%SRCROOT%' },
                region: { startLine: d.span.line, startColumn: d.span.column, endLine: d.span.endLine, endColumn: d.span.endColumn },
              },
              ...(d.path ? { logicalLocations: [{ fullyQualifiedName: d.path, kind: 'member' }] } : {}),
            },
          ],
          ...(d.related
            ? {
                relatedLocations: d.related.map((r, id) => ({
                  id,
                  message: { text: r.message },
                  physicalLocation: {
                    artifactLocation: { uri: fileUri(r.span.file), uriBaseId: '%SRCROOT%' },
                    region: { startLine: r.span.line, startColumn: r.span.column, endLine: r.span.endLine, endColumn: r.span.endColumn },
                  },
                })),
              }
            : {}),
          partialFingerprints: { primaryLocationLineHash: `${d.code}:${d.span.file}:${d.path ?? d.span.line}` },
        })),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}

/** A relative URI for a displayed path: each segment encoded, so "#" or "?" in a name stays a name. */
function fileUri(file: string): string {
  return file.split('/').map(encodeURIComponent).join('/');
}

function toPascalCase(name: string): string {
  return name.replace(/(^|-)([a-z0-9])/g, (_, __, c: string) => c.toUpperCase());
}
