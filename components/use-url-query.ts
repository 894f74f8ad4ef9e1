'use client';

/**
 * A page's view state kept in the URL's query, local state first and the URL second: a change
 * shows at once, whenever the router gets round to the new URL. A URL the page did not write (a
 * link, back/forward) replaces the state.
 */

import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useEffect, useRef, useState } from 'react';

export function useUrlQuery(): { query: string; update(mutate: (p: URLSearchParams) => void): void } {
  const params = useSearchParams();
  const pathname = usePathname();
  const [query, setQuery] = useState(() => params.toString());
  const written = useRef<string | null>(null);
  useEffect(() => {
    const fromUrl = params.toString();
    if (fromUrl !== written.current) setQuery(fromUrl);
  }, [params]);

  const update = useCallback(
    (mutate: (p: URLSearchParams) => void) => {
      setQuery((current) => {
        const next = new URLSearchParams(current);
        mutate(next);
        const qs = next.toString();
        written.current = qs;
        // The History API is synced with Next's router and, unlike router.replace, refetches nothing.
        window.history.replaceState(null, '', qs ? `${pathname}?${qs}` : pathname);
        return qs;
      });
    },
    [pathname],
  );
  return { query, update };
}
