/**
 * Parses manifest text (YAML multi-document, JSON, `kind: List`) into cluster objects. A broken or
 * unknown document becomes an error with file, document index and line; the other documents still load.
 */

import { LineCounter, parseAllDocuments, isMap, isSeq } from 'yaml';
import type { Node as YamlNode } from 'yaml';
import { normalizeObject, type ClusterObject, type ClusterObjectKind, CLUSTER_OBJECT_KINDS } from './normalize';
import type { SourceError } from './source-error';

export interface ParsedManifests {
  objects: ClusterObject[];
  errors: SourceError[];
}

/** Parses every document of one file's text; `file` is only used to say where errors are. */
export function parseManifestText(text: string, file: string): ParsedManifests {
  const lineCounter = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter, prettyErrors: false });
  const objects: ClusterObject[] = [];
  const errors: SourceError[] = [];
  // A stream with a single error may come back as an EmptyStream-like value without documents.
  const list = Array.isArray(docs) ? docs : [];
  list.forEach((doc, documentIndex) => {
    const start = doc.contents?.range?.[0] ?? doc.range[0];
    const docLine = lineCounter.linePos(start).line;
    if (doc.errors.length > 0) {
      const first = doc.errors[0];
      const pos = first.linePos?.[0] ?? lineCounter.linePos(first.pos[0]);
      errors.push({
        code: 'yaml-syntax',
        message: first.message.split('\n')[0],
        where: { file, documentIndex, line: pos.line, column: pos.col },
      });
      return;
    }
    if (doc.contents === null) return; // an empty document (e.g. a trailing `---`)
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    const record = value as Record<string, unknown>;
    const kind = typeof record.kind === 'string' ? record.kind : '';
    if ((kind === 'List' || kind.endsWith('List')) && Array.isArray(record.items)) {
      const itemKind = kind.slice(0, -'List'.length) as ClusterObjectKind;
      const fallback = (CLUSTER_OBJECT_KINDS as readonly string[]).includes(itemKind) ? itemKind : undefined;
      const itemsNode = isMap(doc.contents) ? doc.contents.get('items', true) : undefined;
      record.items.forEach((item, i) => {
        const node = isSeq(itemsNode) ? (itemsNode.items[i] as YamlNode | undefined) : undefined;
        const line = node?.range ? lineCounter.linePos(node.range[0]).line : docLine;
        const r = normalizeObject(item, fallback);
        if (r.ok) objects.push(r.object);
        else errors.push({ code: r.code, message: `${kind} item ${i}: ${r.message}`, where: { file, documentIndex, line } });
      });
      return;
    }
    const r = normalizeObject(value);
    if (r.ok) objects.push(r.object);
    else errors.push({ code: r.code, message: r.message, where: { file, documentIndex, line: docLine } });
  });
  return { objects, errors };
}
