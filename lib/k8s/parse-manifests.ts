/**
 * Parses manifest text (YAML multi-document, JSON, `kind: List`) into cluster objects. A broken or
 * unknown document becomes an error with file, document index and line; the other documents still load.
 * The YAML step (yaml-documents.mjs) runs in a worker for the server (manifest-parser.ts) and here,
 * in the calling thread, for the CLI and tests; normalization is the same for both.
 */

import { normalizeObject, type ClusterObject, type ClusterObjectKind, CLUSTER_OBJECT_KINDS } from './normalize';
import type { SourceError } from './source-error';
import { yamlEntries, type YamlEntry } from './yaml-documents.mjs';

export interface ParsedManifests {
  objects: ClusterObject[];
  errors: SourceError[];
}

/** The kinds whose full document the normalizer needs; others only need their kind named. */
export const KEEP_KINDS: readonly string[] = CLUSTER_OBJECT_KINDS;

/** Parses every document of one file's text in this thread; `file` is only used to say where errors are. */
export function parseManifestText(text: string, file: string): ParsedManifests {
  const out: ParsedManifests = { objects: [], errors: [] };
  normalizeEntries(yamlEntries(text, { keepKinds: KEEP_KINDS }), file, out);
  return out;
}

/** Turns YAML entries (from this thread or the worker) into objects and located errors, appended to `out`. */
export function normalizeEntries(entries: Iterable<YamlEntry>, file: string, out: ParsedManifests): void {
  for (const e of entries) {
    const { documentIndex } = e;
    if (e.t === 'error') {
      out.errors.push({ code: e.code, message: e.message, where: { file, documentIndex, line: e.line, ...(e.column !== undefined ? { column: e.column } : {}) } });
    } else if (e.t === 'items') {
      const itemKind = e.kind.slice(0, -'List'.length);
      const fallback = (CLUSTER_OBJECT_KINDS as readonly string[]).includes(itemKind) ? (itemKind as ClusterObjectKind) : undefined;
      e.items.forEach((item, j) => {
        const r = normalizeObject(item, fallback);
        if (r.ok) out.objects.push(r.object);
        else out.errors.push({ code: r.code, message: `${e.kind} item ${e.first + j}: ${r.message}`, where: { file, documentIndex, line: e.lines[j] } });
      });
    } else {
      const r = normalizeObject(e.value);
      if (r.ok) out.objects.push(r.object);
      else out.errors.push({ code: r.code, message: r.message, where: { file, documentIndex, line: e.line } });
    }
  }
}
