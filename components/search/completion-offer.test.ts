import { describe, expect, it } from 'vitest';
import { acceptItem, offerAt, withStoreValues } from './completion-offer';

/** Types `text` and takes the first row offered at its end. */
function takeFirst(text: string, values: string[] = []) {
  const offer = offerAt(text, text.length)!;
  const items = withStoreValues(offer, values);
  return acceptItem(text, offer, items[0]);
}

describe('the query box offer', () => {
  it('offers field names for a word being typed, and taking one leaves the caret after the colon', () => {
    const offer = offerAt('verdict:dropped from-n', 22)!;
    expect(offer.items.map((i) => i.label)).toContain('from-ns:');
    expect(offer.items[0].detail).toMatch(/namespace/);
    const next = acceptItem('verdict:dropped from-n', offer, offer.items.find((i) => i.label === 'from-ns:')!);
    expect(next).toEqual({ text: 'verdict:dropped from-ns:', caret: 24 });
  });

  it('offers a closed list for verdicts, narrowed to what is typed', () => {
    const offer = offerAt('verdict:dr', 10)!;
    expect(offer.items.map((i) => i.label)).toEqual(['dropped']);
    expect(offer.storeField).toBeNull();
    expect(takeFirst('verdict:dr')).toEqual({ text: 'verdict:dropped ', caret: 16 });
  });

  it('asks the store for namespaces, and adds its values once each after the fixed rows', () => {
    const offer = offerAt('to-ns:pay', 9)!;
    expect(offer.storeField).toBe('namespace');
    expect(offer.prefix).toBe('pay');
    expect(withStoreValues(offer, ['payments', 'payments', 'shop']).map((i) => i.label)).toEqual(['payments']);
    expect(takeFirst('to-ns:pay', ['payments'])).toEqual({ text: 'to-ns:payments ', caret: 15 });
  });

  it('quotes a store value the language would split, and keeps what follows the caret', () => {
    const offer = offerAt('fqdn:w AND verdict:dropped', 6)!;
    const items = withStoreValues(offer, ['weird name.example.com']);
    expect(acceptItem('fqdn:w AND verdict:dropped', offer, items[0])).toEqual({ text: 'fqdn:"weird name.example.com" AND verdict:dropped', caret: 29 });
  });

  it('offers nothing right after a closing parenthesis', () => {
    expect(offerAt('(ns:a OR ns:b)', 14)).toBeNull();
  });
});
