/**
 * What the query box lists at the caret, built from lib/search's completeSearch: rows with what
 * they insert, the store's values merged after the fixed ones, and the edit that taking a row
 * makes. Pure, so the box's behaviour is tested without a browser.
 */

import type { CompletionField } from '@/lib/history/flow-store';
import { completeSearch, quoteValue } from '@/lib/search/complete';

export interface OfferItem {
  kind: 'field' | 'value';
  /** What the row shows. */
  label: string;
  /** What replaces the word (or value) under the caret. */
  insert: string;
  detail?: string;
}

export interface Offer {
  from: number;
  to: number;
  /** The value typed so far (unquoted); what the store is asked to complete. */
  prefix: string;
  /** Set when the store knows values of this field (namespaces, workloads, FQDNs, ...). */
  storeField: CompletionField | null;
  /** The fixed rows (field names, or a closed list of values). */
  items: OfferItem[];
}

/** The offer at `caret`, or null when nothing fits there. */
export function offerAt(text: string, caret: number): Offer | null {
  const c = completeSearch(text, caret);
  if (c.kind === 'none') return null;
  if (c.kind === 'field') {
    const items = c.fields.map((f): OfferItem => ({ kind: 'field', label: `${f.name}:`, insert: `${f.name}:`, detail: `${f.description} · e.g. ${f.example}` }));
    return { from: c.from, to: c.to, prefix: c.prefix, storeField: null, items };
  }
  const items = (c.options ?? []).map((o): OfferItem => ({ kind: 'value', label: o, insert: quoteValue(o) }));
  return { from: c.from, to: c.to, prefix: c.prefix, storeField: c.storeField ?? null, items };
}

/** The offer's rows followed by the store's values (each once, those starting with the prefix). */
export function withStoreValues(offer: Offer, values: readonly string[]): OfferItem[] {
  const seen = new Set(offer.items.map((i) => i.label));
  const prefix = offer.prefix.toLowerCase();
  const extra: OfferItem[] = [];
  for (const v of values) {
    if (seen.has(v) || !v.toLowerCase().startsWith(prefix)) continue;
    seen.add(v);
    extra.push({ kind: 'value', label: v, insert: quoteValue(v), detail: 'seen in stored flows' });
  }
  return [...offer.items, ...extra];
}

/**
 * The text after taking `item`, and where the caret goes: after `field:` for a field (its values
 * come next), after the value and one space for a value (the next term comes next).
 */
export function acceptItem(text: string, offer: Pick<Offer, 'from' | 'to'>, item: OfferItem): { text: string; caret: number } {
  const before = text.slice(0, offer.from);
  const after = text.slice(offer.to);
  if (item.kind === 'field') return { text: before + item.insert + after, caret: before.length + item.insert.length };
  const gap = after === '' || !/^[\s)|]/.test(after) ? ' ' : '';
  return { text: before + item.insert + gap + after, caret: before.length + item.insert.length + gap.length };
}
