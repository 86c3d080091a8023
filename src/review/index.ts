// meshctl review as a library: compare two revisions of a mesh and render the change.
export { prepareReviewSide, reviewMesh, matchesFailOn, type ReviewSide } from './review.js';
export { renderReviewMarkdown, DEFAULT_MARKDOWN_LENGTH, type MarkdownOptions } from './render-markdown.js';
export { renderReviewJson, REVIEW_SCHEMA_VERSION } from './render-json.js';
export { renderReviewStylish, type ReviewStylishOptions } from './render-stylish.js';
export { renderReviewSarif } from './render-sarif.js';
export { renderReviewGithub } from './render-github.js';
export { reviewAnnotations, type ReviewAnnotation } from './annotations.js';
export { RISKY_SHARE_RISE } from './service-changes.js';
export * from './types.js';
