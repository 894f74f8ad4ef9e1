/**
 * Named moments of a page's first render (performance.mark, under `flowsight:`), each marked once per
 * page: `npm run bench:ui` reads them to say where a first render's seconds went (the snapshot's
 * head reaching the page and the store, its last part, the first frame drawn), and a Chrome trace
 * shows them on its timeline. The page's inline early-stream script marks `stream-snapshot` itself
 * when the head comes before the page's code has taken the stream over; the mark already there is
 * what makes every later call a no-op, so a long-open page keeps these few entries and no more.
 */

export type FirstMark = 'stream-snapshot' | 'store-snapshot' | 'store-snapshot-complete' | 'map-first-draw';

export function markFirst(name: FirstMark): void {
  if (typeof performance === 'undefined' || typeof performance.mark !== 'function') return;
  const entry = `flowsight:${name}`;
  if (performance.getEntriesByName(entry, 'mark').length) return;
  performance.mark(entry);
}
