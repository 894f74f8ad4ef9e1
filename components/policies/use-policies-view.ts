'use client';

/** The policies page's view state (namespace, kind, search text, selected policy, page) lives in the URL. */

import { usePathname, useSearchParams } from 'next/navigation';
import { useCallback, useMemo } from 'react';

export interface PoliciesView {
  ns: string;
  kind: string;
  q: string;
  select: string;
  offset: number;
}

export const PAGE_SIZE = 50;

export function parsePoliciesView(params: URLSearchParams): PoliciesView {
  const offset = Number(params.get('offset') ?? '0');
  return {
    ns: params.get('ns') ?? '',
    kind: params.get('kind') ?? '',
    q: params.get('q') ?? '',
    select: params.get('select') ?? '',
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
  };
}

/** The API query for a view: only the filters and the page (the selection is view-only). */
export function apiParams(v: PoliciesView): URLSearchParams {
  const p = new URLSearchParams();
  if (v.ns) p.set('ns', v.ns);
  if (v.kind) p.set('kind', v.kind);
  if (v.q.trim()) p.set('q', v.q.trim().slice(0, 200));
  if (v.offset) p.set('offset', String(v.offset));
  p.set('limit', String(PAGE_SIZE));
  return p;
}

export function usePoliciesView() {
  const params = useSearchParams();
  const pathname = usePathname();
  const view = useMemo(() => parsePoliciesView(new URLSearchParams(params.toString())), [params]);
  const set = useCallback(
    (patch: Partial<Record<keyof PoliciesView, string | number>>) => {
      const next = new URLSearchParams(params.toString());
      for (const [k, v] of Object.entries(patch)) {
        if (v === '' || v === 0 || v === undefined) next.delete(k);
        else next.set(k, String(v));
      }
      // A new filter starts at the first page.
      if (!('offset' in patch)) next.delete('offset');
      const qs = next.toString();
      window.history.replaceState(null, '', qs ? `${pathname}?${qs}` : pathname);
    },
    [params, pathname],
  );
  return { view, set };
}
