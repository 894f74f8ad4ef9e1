/**
 * The YAML -> JS step of reading manifests, shared by the parse worker and the in-thread path (so it
 * is plain JavaScript: a worker loads it at run time, unbundled under vitest and the CLI). Documents
 * are composed one at a time (memory per document, not per file); each becomes entries that say
 * where it is. Errors never escape: a broken document, an undefined alias or an alias bomb becomes an
 * error entry with its document index and line, and the other documents still load.
 * Types: yaml-documents.d.mts.
 */

import { Composer, LineCounter, Parser, isAlias, isMap, isNode, isSeq, visit } from 'yaml';

/** Most alias expansions per document: more is an alias bomb ("billion laughs"), refused at once. */
export const MAX_ALIAS_COUNT = 100;

/** List items are sent in chunks of about this much source text (bounds the cost of one message). */
const ITEM_CHUNK_CHARS = 32 * 1024;

/**
 * Yields the entries of every document of `text`, in order.
 * @param {string} text
 * @param {{ keepKinds?: readonly string[] }} [options] kinds whose whole value is needed; other kinds
 *   are reduced to `{ kind }` (enough to report them) so that less crosses the thread boundary.
 * @returns {Generator<import('./yaml-documents.d.mts').YamlEntry>}
 */
export function* yamlEntries(text, options = {}) {
  const keep = options.keepKinds ? new Set(options.keepKinds) : undefined;
  const lineCounter = new LineCounter();
  const parser = new Parser(lineCounter.addNewLine);
  const composer = new Composer({ prettyErrors: false });
  let documentIndex = 0;
  let lastLine = 1;
  try {
    for (const doc of composer.compose(parser.parse(text))) {
      const index = documentIndex++;
      try {
        const entries = documentEntries(doc, index, lineCounter, keep);
        lastLine = entries.line;
        yield* entries.list;
      } catch (err) {
        // Anything unforeseen (e.g. nesting deep enough to overflow the stack) costs this document only.
        yield { t: 'error', documentIndex: index, code: 'yaml-syntax', message: errorMessage(err), line: lineOf(lineCounter, doc.range?.[0] ?? 0), span: 0 };
      }
    }
  } catch (err) {
    // The tokenizer itself gave up: the documents read so far stand, the rest of the file is reported.
    yield { t: 'error', documentIndex, code: 'yaml-syntax', message: `cannot parse past this point: ${errorMessage(err)}`, line: lastLine, span: 0 };
  }
}

/**
 * @param {import('yaml').Document.Parsed} doc
 * @param {number} documentIndex
 * @param {LineCounter} lineCounter
 * @param {Set<string> | undefined} keep
 * @returns {{ line: number, list: import('./yaml-documents.d.mts').YamlEntry[] }}
 */
function documentEntries(doc, documentIndex, lineCounter, keep) {
  const start = doc.contents?.range?.[0] ?? doc.range[0];
  const line = lineOf(lineCounter, start);
  const span = doc.range[2] - doc.range[0];
  if (doc.errors.length > 0) {
    const first = doc.errors[0];
    const pos = lineCounter.linePos(first.pos[0]);
    return { line, list: [{ t: 'error', documentIndex, code: 'yaml-syntax', message: first.message.split('\n')[0], line: pos.line, column: pos.col, span: 0 }] };
  }
  if (doc.contents === null) return { line, list: [] }; // an empty document (e.g. a trailing `---`)
  /** @type {unknown} */
  let value;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (err) {
    return { line, list: [aliasError(doc, documentIndex, lineCounter, line, err)] };
  }
  if (value === null || value === undefined) return { line, list: [] };
  const kind = isRecord(value) && typeof value.kind === 'string' ? value.kind : '';
  if (isRecord(value) && kind.endsWith('List') && Array.isArray(value.items)) {
    const itemsNode = isMap(doc.contents) ? doc.contents.get('items', true) : undefined;
    const nodes = isSeq(itemsNode) ? itemsNode.items : [];
    /** @type {import('./yaml-documents.d.mts').YamlEntry[]} */
    const list = [];
    /** @type {unknown[]} */ let items = [];
    /** @type {number[]} */ let lines = [];
    let first = 0;
    let chars = 0;
    value.items.forEach((item, i) => {
      const node = /** @type {{ range?: [number, number, number] } | undefined} */ (nodes[i]);
      lines.push(node?.range ? lineOf(lineCounter, node.range[0]) : line);
      items.push(reduce(item, keep));
      chars += node?.range ? node.range[2] - node.range[0] : 0;
      if (chars >= ITEM_CHUNK_CHARS) {
        list.push({ t: 'items', documentIndex, line, kind, first, items, lines, span: chars });
        first = i + 1;
        items = [];
        lines = [];
        chars = 0;
      }
    });
    if (items.length > 0 || list.length === 0) list.push({ t: 'items', documentIndex, line, kind, first, items, lines, span: chars });
    return { line, list };
  }
  return { line, list: [{ t: 'doc', documentIndex, line, value: reduce(value, keep), span }] };
}

/**
 * An undefined alias (named with its own line) or too many alias expansions (an alias bomb).
 * @returns {import('./yaml-documents.d.mts').YamlEntry}
 */
function aliasError(doc, documentIndex, lineCounter, docLine, err) {
  const message = errorMessage(err);
  if (/excessive alias count/i.test(message)) {
    return {
      t: 'error',
      documentIndex,
      code: 'yaml-alias-limit',
      message: `more than ${MAX_ALIAS_COUNT} alias expansions (a YAML alias bomb?): document skipped`,
      line: docLine,
      span: 0,
    };
  }
  // Find the first alias whose anchor is not defined before it: that is where the document breaks.
  /** @type {Set<string>} */
  const anchors = new Set();
  /** @type {{ source: string, line: number, column: number } | undefined} */
  let unresolved;
  visit(doc, (_key, node) => {
    if (isAlias(node)) {
      if (!anchors.has(node.source)) {
        const pos = lineCounter.linePos(node.range?.[0] ?? 0);
        unresolved = { source: node.source, line: pos.line, column: pos.col };
        return visit.BREAK;
      }
    } else if (isNode(node) && typeof node.anchor === 'string') {
      anchors.add(node.anchor);
    }
    return undefined;
  });
  if (unresolved) {
    return { t: 'error', documentIndex, code: 'yaml-syntax', message: `undefined alias *${unresolved.source} (no anchor &${unresolved.source} before it)`, line: unresolved.line, column: unresolved.column, span: 0 };
  }
  return { t: 'error', documentIndex, code: 'yaml-syntax', message: message.split('\n')[0], line: docLine, span: 0 };
}

/** A record of a kind nobody reads is reduced to its kind and apiVersion (enough to skip it or name a typo). */
function reduce(value, keep) {
  if (!keep || !isRecord(value) || typeof value.kind !== 'string' || keep.has(value.kind)) return value;
  return typeof value.apiVersion === 'string' ? { kind: value.kind, apiVersion: value.apiVersion } : { kind: value.kind };
}

/** @returns {value is Record<string, unknown>} */
function isRecord(value) {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function lineOf(lineCounter, offset) {
  return lineCounter.linePos(offset).line;
}

function errorMessage(err) {
  return err instanceof Error ? err.message : String(err);
}
