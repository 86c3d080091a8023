// Machine-readable output: the diagnostics and counts, stable in shape (a contract for scripts).
import type { ValidationResult } from '../validators/validate.js';

export function formatJson(result: ValidationResult): string {
  const output = {
    summary: {
      files: result.fileCount,
      documents: result.documentCount,
      errors: result.errorCount,
      warnings: result.warningCount,
      infos: result.infoCount,
    },
    diagnostics: result.diagnostics.map((d) => ({
      code: d.code,
      level: d.level,
      message: d.message,
      file: d.span.file,
      line: d.span.line,
      column: d.span.column,
      endLine: d.span.endLine,
      endColumn: d.span.endColumn,
      ...(d.path ? { path: d.path } : {}),
      messageId: d.messageId,
      data: d.data,
      ...(d.related ? { related: d.related } : {}),
    })),
  };
  return JSON.stringify(output, null, 2) + '\n';
}
