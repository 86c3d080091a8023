// Turns a path into a document (spec.routes[2].match) into the exact line and column of that node.
// Documents are parsed with positions only when a diagnostic needs one, and once each.
import { isMap, isPair, isScalar, isSeq, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import { fileStartSpan, type SourceDocument, type SourceText } from './source-file.js';
import { blankNonContentLines } from './parse-documents.js';
import type { Location, NodeRef, SourceSpan } from '../diagnostics/types.js';

export class SpanResolver {
  private readonly parsed = new Map<SourceDocument, Document | null>();

  constructor(
    private readonly sources: ReadonlyMap<string, SourceText>,
    private readonly documents: ReadonlyMap<string, readonly SourceDocument[]>,
  ) {}

  resolve(location: Location): SourceSpan {
    return 'span' in location ? location.span : this.resolveNode(location.node);
  }

  resolveNode(ref: NodeRef): SourceSpan {
    const source = this.sources.get(ref.file);
    const document = this.documents.get(ref.file)?.[ref.document];
    if (!source || !document) return fileStartSpan(ref.file);
    const yamlDocument = this.positioned(source, document);
    const fallback = source.lineSpan(document.firstLine);
    if (!yamlDocument) return fallback;

    let node: unknown = yamlDocument.contents;
    let keyNode: YamlNode | undefined;
    for (const segment of ref.path) {
      if (isMap(node)) {
        const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
        if (!pair) break;
        keyNode = pair.key as YamlNode;
        // A key with no value (`timeout:`) still has a place: the key itself.
        node = pair.value ?? pair.key;
      } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
        keyNode = undefined;
        node = node.items[segment];
      } else {
        break;
      }
    }
    const target = (ref.part === 'key' && keyNode ? keyNode : node) as YamlNode | undefined;
    const range = target?.range;
    if (!range) return fallback;
    return this.spanOf(source, document, range[0], firstLineEnd(documentText(source, document), range[0], range[1]));
  }

  private spanOf(source: SourceText, document: SourceDocument, start: number, end: number): SourceSpan {
    return source.span(document.startOffset + start, document.startOffset + end);
  }

  private positioned(source: SourceText, document: SourceDocument): Document | null {
    let parsed = this.parsed.get(document);
    if (parsed === undefined) {
      try {
        parsed = parseDocument(documentText(source, document), { schema: 'core', uniqueKeys: false });
      } catch {
        parsed = null;
      }
      this.parsed.set(document, parsed);
    }
    return parsed;
  }
}

function documentText(source: SourceText, document: SourceDocument): string {
  return blankNonContentLines(source.text.slice(document.startOffset, document.endOffset));
}

/**
 * A diagnostic underlines a node's first line only: a mapping's span would otherwise run to the
 * end of its last entry, and editors would underline half the file.
 */
function firstLineEnd(text: string, start: number, end: number): number {
  const newline = text.indexOf('\n', start);
  const lineEnd = newline === -1 ? text.length : newline;
  let stop = Math.min(end, lineEnd);
  while (stop > start + 1 && /\s/.test(text[stop - 1] ?? '')) stop--;
  return stop;
}
