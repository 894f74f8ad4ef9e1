'use client';

import type { LiveCounters } from '@/lib/server/hub';
import type { StreamState } from './live/live-store';

/** Where the flows come from and whether they are flowing; failures say so in words. */
export function RelayBadge({ counters, stream }: { counters: LiveCounters | null; stream: StreamState }) {
  let text = 'connecting…';
  let tone = 'bg-slate-700 text-slate-200';
  let title = '';
  if (stream === 'signed-out') {
    const here = typeof window === 'undefined' ? '/' : window.location.pathname + window.location.search;
    return (
      <a data-testid="relay-state" href={`/login?next=${encodeURIComponent(here)}`} className="rounded bg-amber-600 px-2 py-1 font-medium text-white underline">
        signed out: sign in
      </a>
    );
  }
  if (stream === 'error' || (stream === 'connecting' && counters)) {
    text = 'dashboard server unreachable, retrying';
    tone = 'bg-red-700 text-white';
  } else if (counters) {
    const r = counters.relay;
    const source = r.mode === 'demo' ? 'demo relay' : 'relay';
    if (r.state === 'streaming') {
      text = `${source} connected${r.idle ? ' (idle)' : ''}`;
      tone = 'bg-green-700 text-white';
      if (r.idle) title = 'no flows lately, and the relay has seen none either';
    } else if (r.state === 'retrying') {
      const secs = r.nextRetryAt ? Math.max(0, Math.round((r.nextRetryAt - Date.now()) / 1000)) : 0;
      const why = r.fault === 'stalled' ? 'relay stream stalled' : r.fault === 'connect-timeout' || r.fault === 'not-answering' ? 'relay not answering' : 'relay unavailable';
      text = `${why}, retrying${secs ? ` in ${secs}s` : ''}`;
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
