/**
 * Parses manifest text (YAML multi-document, JSON, `kind: List`) into cluster objects. A broken or
 * unknown document becomes an error with file, document index and line; the other documents still load.
 * The YAML step (yaml-documents.mjs) runs in a worker for the server (manifest-parser.ts) and here,
 * in the calling thread, for the CLI and tests; normalization is the same for both.
 */

import { triageUnknownKind } from './kind-triage';
import { normalizeObject, type ClusterObject, type ClusterObjectKind, type NormalizeResult, CLUSTER_OBJECT_KINDS, WORKLOAD_KINDS } from './normalize';
import type { SourceError } from './source-error';
import { yamlEntries, type YamlEntry } from './yaml-documents.mjs';

export interface ParsedManifests {
  objects: ClusterObject[];
  errors: SourceError[];
}

/** The kinds whose full document the normalizer needs; others only need their kind named. */
export const KEEP_KINDS: readonly string[] = [...CLUSTER_OBJECT_KINDS, ...WORKLOAD_KINDS];

/** Parses every document of one file's text in this thread; `file` is only used to say where errors are. */
export function parseManifestText(text: string, file: string): ParsedManifests {
  const out: ParsedManifests = { objects: [], errors: [] };
  normalizeEntries(yamlEntries(text, { keepKinds: KEEP_KINDS }), file, out);
  return out;
}

/**
 * Where each loaded object came from, so a problem found later (a policy field the engine cannot
 * compile) can name its file and line too. Keyed by the object's value; entries go with the objects.
 */
const sourceLocations = new WeakMap<object, SourceError['where']>();

/** The file, document and line an object was loaded from, when it came from manifests. */
export function manifestLocationOf(value: object): SourceError['where'] | undefined {
  return sourceLocations.get(value);
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
        if (r.ok) out.objects.push(located(r.object, { file, documentIndex, line: e.lines[j] }));
        else out.errors.push(notRead(item, r, { file, documentIndex, line: e.lines[j] }, `${e.kind} item ${e.first + j}: `));
      });
    } else {
      const r = normalizeObject(e.value);
      if (r.ok) out.objects.push(located(r.object, { file, documentIndex, line: e.line }));
      else out.errors.push(notRead(e.value, r, { file, documentIndex, line: e.line }));
    }
  }
}

function located(object: ClusterObject, where: SourceError['where']): ClusterObject {
  sourceLocations.set(object.value, where);
  return object;
}

/**
 * A document the normalizer did not take: a kind Flowsight does not need is a `skipped-kind` notice
 * (its message is the kind, for counting); a typo in a policy API group or a broken object is an error.
 */
function notRead(raw: unknown, r: Extract<NormalizeResult, { ok: false }>, where: SourceError['where'], prefix = ''): SourceError {
  const record = (typeof raw === 'object' && raw !== null ? raw : {}) as { kind?: unknown; apiVersion?: unknown };
  if (r.code === 'unknown-kind' && typeof record.kind === 'string' && record.kind !== '') {
    const triage = triageUnknownKind(record.kind, typeof record.apiVersion === 'string' ? record.apiVersion : undefined);
    if (triage.action === 'skip') return { code: 'skipped-kind', message: typeof record.apiVersion === 'string' ? `${record.kind} (${record.apiVersion})` : record.kind, where };
    return { code: 'unknown-kind', message: `${prefix}${triage.message}`, where };
  }
  return { code: r.code, message: `${prefix}${r.message}`, where };
}
