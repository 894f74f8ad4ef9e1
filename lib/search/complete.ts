/**
 * What the query box offers at the caret: field names (with a line on each) while a word is typed,
 * or values once `field:` is there — a fixed list for closed vocabularies (verdicts, protocols), and
 * for names the store knows (namespaces, workloads, FQDNs, ...) the CompletionField to ask
 * /api/flows/values with. Pure: the box calls it on every keystroke and renders the answer.
 * Offsets are string indices (0-based, like a textarea's selectionStart); [from, to) is replaced.
 */

import type { CompletionField } from '../history/flow-store';
import { DROP_REASON_NAMES } from '../hubble/wire-enums';
import { FIELD_ALIASES, FIELD_INFOS, resolveField, type FieldInfo, type TypedField } from './fields';
import { ALTERNATIVE_FIELDS, HTTP_METHOD_VALUES, PROTO_VALUES, RESERVED_IDENTITY_NAMES, VERDICT_VALUES } from './term-value';

export interface FieldOption {
  /** What to insert before the colon (a canonical name, or the alias being typed). */
  name: string;
  field: TypedField;
  description: string;
  example: string;
}

export type Completion =
  | { kind: 'field'; from: number; to: number; prefix: string; fields: FieldOption[] }
  | {
      kind: 'value';
      from: number;
      to: number;
      field: TypedField;
      /** What is typed of the value so far (unquoted). */
      prefix: string;
      /** Ask the store for values of this kind (GET /api/flows/values?field=...&prefix=...). */
      storeField?: CompletionField;
      /** A closed list, already narrowed to the prefix. */
      options?: string[];
    }
  | { kind: 'none'; from: number; to: number };

const STORE_FIELD: Partial<Record<string, CompletionField>> = {
  ns: 'namespace',
  pod: 'pod',
  workload: 'workload',
  fqdn: 'fqdn',
  dns: 'fqdn',
  label: 'label',
  node: 'node',
  reason: 'reason',
  policy: 'policy',
};

const HTTP_STATUS_OPTIONS = ['2xx', '3xx', '4xx', '5xx', '200', '201', '204', '301', '302', '400', '401', '403', '404', '429', '500', '502', '503', '504'];
const REASON_OPTIONS = Object.values(DROP_REASON_NAMES).filter((n) => n !== 'DROP_REASON_UNKNOWN');

function fixedOptions(field: TypedField): readonly string[] | undefined {
  switch (field) {
    case 'verdict':
      return VERDICT_VALUES;
    case 'proto':
      return PROTO_VALUES;
    case 'reply':
      return ['true', 'false'];
    case 'http-method':
      return HTTP_METHOD_VALUES;
    case 'http-status':
      return HTTP_STATUS_OPTIONS;
    case 'from-identity':
    case 'to-identity':
    case 'identity':
      return Object.keys(RESERVED_IDENTITY_NAMES);
    case 'reason':
      return REASON_OPTIONS;
    default:
      return undefined;
  }
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0';

/** The words of the text as [start, end) spans; a quoted part (after `:` or alone) belongs to its word. */
function wordSpans(text: string): { start: number; end: number; paren: boolean }[] {
  const spans: { start: number; end: number; paren: boolean }[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (isSpace(c)) {
      i++;
      continue;
    }
    if (c === '(' || c === ')') {
      spans.push({ start: i, end: i + 1, paren: true });
      i++;
      continue;
    }
    const start = i;
    while (i < text.length && !isSpace(text[i]) && text[i] !== '(' && text[i] !== ')') {
      if (text[i] === '"') {
        i++;
        while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      }
      i++;
    }
    spans.push({ start, end: Math.min(i, text.length), paren: false });
  }
  return spans;
}

function fieldOptions(prefix: string): FieldOption[] {
  const p = prefix.toLowerCase();
  const info = new Map<TypedField, FieldInfo>(FIELD_INFOS.map((f) => [f.name, f]));
  const canonical = FIELD_INFOS.filter((f) => f.name.startsWith(p)).map((f) => ({ name: f.name, field: f.name, description: f.description, example: f.example }));
  const aliases = Object.entries(FIELD_ALIASES)
    .filter(([alias]) => p !== '' && alias.startsWith(p))
    .map(([alias, field]) => ({ name: alias, field, description: info.get(field)!.description, example: info.get(field)!.example }));
  return [...canonical, ...aliases];
}

/** The unquoted text of a value typed so far (an opening quote and `\"` escapes removed). */
function unquote(raw: string): string {
  if (!raw.startsWith('"')) return raw;
  let out = '';
  for (let i = 1; i < raw.length; i++) {
    if (raw[i] === '"') break;
    if (raw[i] === '\\' && i + 1 < raw.length) i++;
    out += raw[i];
  }
  return out;
}

/** What to offer at `caret` in `text`. */
export function completeSearch(text: string, caret: number): Completion {
  const at = Math.max(0, Math.min(caret, text.length));
  const span = wordSpans(text).find((s) => !s.paren && s.start <= at && at <= s.end);
  if (!span) {
    // Between words (or right after "("): any field may start here; right after ")" nothing fits.
    if (at > 0 && text[at - 1] === ')') return { kind: 'none', from: at, to: at };
    return { kind: 'field', from: at, to: at, prefix: '', fields: fieldOptions('') };
  }
  const start = text[span.start] === '-' ? span.start + 1 : span.start;
  const word = text.slice(start, span.end);
  const colon = word.indexOf(':');
  if (colon < 0 || at <= start + colon) {
    if (word.startsWith('"')) return { kind: 'none', from: span.start, to: span.end };
    const prefix = text.slice(start, at);
    const fields = fieldOptions(prefix);
    const to = colon < 0 ? span.end : start + colon + 1;
    return fields.length ? { kind: 'field', from: start, to, prefix, fields } : { kind: 'none', from: start, to };
  }
  const field = resolveField(word.slice(0, colon));
  if (!field) return { kind: 'none', from: start, to: span.end };
  let from = start + colon + 1;
  let to = span.end;
  if (ALTERNATIVE_FIELDS.has(field) && text[from] !== '"') {
    // `verdict:dropped|er`: complete the alternative under the caret.
    const before = text.lastIndexOf('|', at - 1);
    if (before >= from) from = before + 1;
    const after = text.indexOf('|', at);
    if (after >= 0 && after < to) to = after;
  }
  const prefix = unquote(text.slice(from, at));
  const base = field.replace(/^(from|to)-/, '');
  const fixed = fixedOptions(field);
  const options = fixed?.filter((o) => o.toLowerCase().startsWith(prefix.toLowerCase()));
  const storeField = STORE_FIELD[base];
  return { kind: 'value', from, to, field, prefix, ...(storeField ? { storeField } : {}), ...(options ? { options } : {}) };
}

/** A value as it must be typed: quoted (with `"` and `\` escaped) when it holds spaces, parentheses or quotes. */
export function quoteValue(value: string): string {
  let plain = value !== '';
  for (const c of value) if (isSpace(c) || c === '(' || c === ')' || c === '"' || c === '\\') plain = false;
  return plain ? value : `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}
