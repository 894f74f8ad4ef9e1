'use client';

/**
 * The egress table's filters live in the URL (?ns=&verdict=&q=) so a filtered view can be shared.
 * State first, URL second: typing in the search box updates at once, the address bar follows.
 */

import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
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
  const params = useSearchParams();
  const pathname = usePathname();
  const [query, setQuery] = useState(() => params.toString());
  const written = useRef<string | null>(null);
  useEffect(() => {
    const fromUrl = params.toString();
    if (fromUrl !== written.current) setQuery(fromUrl);
  }, [params]);
  const filter = useMemo(() => parseEgressFilter(new URLSearchParams(query)), [query]);

  const set = useCallback(
    (key: 'ns' | 'verdict' | 'q', value: string) => {
      setQuery((current) => {
        const next = new URLSearchParams(current);
        if (value) next.set(key, value);
        else next.delete(key);
        const qs = next.toString();
        written.current = qs;
        // The History API is synced with Next's router and, unlike router.replace, refetches nothing.
        window.history.replaceState(null, '', qs ? `${pathname}?${qs}` : pathname);
        return qs;
      });
    },
    [pathname],
  );
  return { filter, set };
}
