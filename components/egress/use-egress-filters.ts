'use client';

/**
 * The egress table's filters live in the URL (?ns=&verdict=&q=) so a filtered view can be shared.
 * State first, URL second: typing in the search box updates at once, the address bar follows.
 */

import { useCallback, useMemo } from 'react';
import { useUrlQuery } from '../use-url-query';
import { EGRESS_VERDICTS, MAX_SEARCH_TEXT, type EgressFilter, type EgressVerdict } from '@/lib/server/views/egress-inventory';

export function parseEgressFilter(params: URLSearchParams): EgressFilter {
  const verdict = params.get('verdict');
  return {
    namespace: params.get('ns') || undefined,
    verdict: (EGRESS_VERDICTS as readonly string[]).includes(verdict ?? '') ? (verdict as EgressVerdict) : undefined,
    text: params.get('q')?.slice(0, MAX_SEARCH_TEXT) || undefined,
  };
}

export function useEgressFilters() {
  const { query, update } = useUrlQuery();
  const filter = useMemo(() => parseEgressFilter(new URLSearchParams(query)), [query]);
  const set = useCallback((key: 'ns' | 'verdict' | 'q', value: string) => update((p) => (value ? p.set(key, value) : p.delete(key))), [update]);
  return { filter, set };
}
