'use client';

import { useQuery } from '@tanstack/react-query';
import { statusQuery } from './api/queries';

/**
 * Shown only when the flow history needs attention: writes paused (disk full), batches dropped
 * because writes fell behind, or a store that did not open. The live view keeps working meanwhile.
 */
export function HistoryBadge() {
  const { data } = useQuery({ ...statusQuery(), refetchInterval: 10_000 });
  const h = data?.history;
  if (!h) return null;
  let text = '';
  if (h.paused) text = `history paused: ${h.paused}`;
  else if (!h.ready && h.error) text = 'history unavailable';
  else if (h.droppedBatches > 0) text = `history behind: ${h.droppedFlows.toLocaleString('en')} flows not stored`;
  if (!text) return null;
  return (
    <span data-testid="history-state" className="rounded bg-amber-600 px-2 py-1 font-medium text-white" title={h.error ?? h.paused ?? ''}>
      {text}
    </span>
  );
}
