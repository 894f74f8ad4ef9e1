'use client';

import type { LiveCounters } from '@/lib/server/hub';
import type { StreamState } from './live/live-store';

/** Where the flows come from and whether they are flowing; failures say so in words. */
export function RelayBadge({ counters, stream }: { counters: LiveCounters | null; stream: StreamState }) {
  let text = 'connecting…';
  let tone = 'bg-slate-700 text-slate-200';
  let title = '';
  if (stream === 'error' || (stream === 'connecting' && counters)) {
    text = 'dashboard server unreachable, retrying';
    tone = 'bg-red-700 text-white';
  } else if (counters) {
    const r = counters.relay;
    const source = r.mode === 'demo' ? 'demo relay' : 'relay';
    if (r.state === 'streaming') {
      text = `${source} connected`;
      tone = 'bg-green-700 text-white';
    } else if (r.state === 'retrying') {
      const secs = r.nextRetryAt ? Math.max(0, Math.round((r.nextRetryAt - Date.now()) / 1000)) : 0;
      text = `relay unavailable, retrying${secs ? ` in ${secs}s` : ''}`;
      tone = 'bg-red-700 text-white';
      title = r.lastError ?? '';
    } else {
      text = `${source} ${r.state}`;
    }
  }
  return (
    <span data-testid="relay-state" className={`rounded px-2 py-1 font-medium ${tone}`} title={title}>
      {text}
    </span>
  );
}
