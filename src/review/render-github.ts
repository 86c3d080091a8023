// A review as GitHub Actions workflow commands: one annotation per finding, on the line of the
// pull request that made the change. What the head removed has no line there: its annotation
// names the base's file and line in the text and is shown on the run instead.
import { escapeData, escapeProperty } from '../report/github.js';
import { baseNote, reviewAnnotations } from './annotations.js';
import type { MeshReview } from './types.js';

const COMMAND = { error: 'error', warning: 'warning', info: 'notice' } as const;

export function renderReviewGithub(review: MeshReview): string {
  const lines = reviewAnnotations(review).map((annotation) => {
    const onHead = annotation.location?.side === 'head' ? annotation.location : undefined;
    const properties = [
      ...(onHead ? [`file=${escapeProperty(onHead.file)}`, `line=${onHead.line}`, `col=${onHead.column}`] : []),
      `title=${escapeProperty(annotation.title)}`,
    ].join(',');
    const note = annotation.location?.side === 'base' ? baseNote(annotation.location) : '';
    return `::${COMMAND[annotation.level]} ${properties}::${escapeData(annotation.message + note)}`;
  });
  return lines.length > 0 ? lines.join('\n') + '\n' : '';
}
