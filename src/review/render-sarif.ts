// A review as SARIF 2.1.0, for code scanning and pull-request bots: one result per finding, with
// its physical location at the head (relative to the repository root). A finding the head removed
// names the base's file and line in its message, as it has no place in the head.
import { DOCS_BASE_URL, ruleDocsUrl } from '../diagnostics/rule.js';
import type { Level } from '../diagnostics/types.js';
import { RULES } from '../targets/rules.js';
import { baseNote, REVIEW_RULES, reviewAnnotations } from './annotations.js';
import type { MeshReview } from './types.js';

const SARIF_LEVEL: Record<Level, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', info: 'note' };
const REVIEW_DOCS = DOCS_BASE_URL.replace(/\/rules$/, '/review.md');

export function renderReviewSarif(review: MeshReview, options: { toolVersion: string }): string {
  const annotations = reviewAnnotations(review);
  const rules = [
    ...REVIEW_RULES.map((rule) => ({ id: rule.id, shortDescription: { text: rule.description }, helpUri: REVIEW_DOCS })),
    ...RULES.map((rule) => ({ id: rule.code, name: rule.name, shortDescription: { text: rule.description }, helpUri: ruleDocsUrl(rule.code) })),
  ];
  const ruleIndex = new Map(rules.map((rule, index) => [rule.id, index]));
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'meshctl review', informationUri: 'https://github.com/meshctl/meshctl', version: options.toolVersion, semanticVersion: options.toolVersion, rules } },
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The root of the git repository holding the mesh.' } } },
        results: annotations.map((annotation) => {
          const onHead = annotation.location?.side === 'head' ? annotation.location : undefined;
          const note = annotation.location?.side === 'base' ? baseNote(annotation.location) : '';
          return {
            ruleId: annotation.ruleId,
            ...(ruleIndex.has(annotation.ruleId) ? { ruleIndex: ruleIndex.get(annotation.ruleId) } : {}),
            level: SARIF_LEVEL[annotation.level],
            message: { text: annotation.message + note },
            locations: onHead
              ? [{ physicalLocation: { artifactLocation: { uri: onHead.file.split('/').map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' }, region: { startLine: onHead.line, startColumn: onHead.column } } }]
              : [],
            partialFingerprints: { primaryLocationLineHash: `${annotation.ruleId}:${onHead?.file ?? ''}:${annotation.message}` },
          };
        }),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
