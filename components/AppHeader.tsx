'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useEffect } from 'react';
import { useLiveState, useLiveStore } from './live/use-live';
import { HistoryBadge } from './HistoryBadge';
import { PageActions } from './page-actions/PageActions';
import { RelayBadge } from './RelayBadge';
import { SignedInAs } from './SignedInAs';
import { Sparkline } from './Sparkline';

const NAV = [
  { href: '/', label: 'Overview' },
  { href: '/map', label: 'Map' },
  { href: '/flows', label: 'Flows' },
  { href: '/policies', label: 'Policies' },
  { href: '/azure', label: 'Azure' },
  { href: '/egress', label: 'Egress' },
  { href: '/simulate', label: 'Simulate' },
  { href: '/reports', label: 'Reports' },
];

function rate(n: number): string {
  return n >= 10_000 ? `${(n / 1000).toFixed(0)}k` : n >= 1000 ? `${(n / 1000).toFixed(1)}k` : String(n);
}


export function AppHeader() {
  const path = usePathname();
  const live = useLiveState();
  const store = useLiveStore();
  useEffect(() => store.ensureConnected(), [store]);
  const c = live.counters;
  const ps = c?.perSecond;
  // One height whatever the figures: a counter whose text wraps as its digits change (a narrow
  // window's two lines) would resize every page below, and the map's canvas would be redrawn whole.
  return (
    <header className="flex h-12 items-center gap-6 border-b border-slate-200 bg-slate-900 px-4 py-2 text-slate-100 print:hidden">
      {/* No prefetch: every page here is rendered per request, and prefetching all of them on each
          page load cost a busy server (5,000 workloads, 20k flows/s) seconds before the map's own
          stream got its turn (issue 13). A click renders the page it asks for. */}
      <Link href="/" prefetch={false} className="text-lg font-semibold tracking-tight">
        Flow<span className="text-sky-400">sight</span>
      </Link>
      <nav className="flex gap-1 text-sm">
        {NAV.map((n) => (
          <Link
            key={n.href}
            href={n.href}
            prefetch={false}
            className={`rounded px-3 py-1 ${path === n.href ? 'bg-slate-700 text-white' : 'text-slate-300 hover:bg-slate-800'}`}
          >
            {n.label}
          </Link>
        ))}
      </nav>
      <div className="ml-auto flex items-center gap-4 text-xs tabular-nums" data-testid="live-counters">
        {ps && (
          <>
            <span title="flows per second, forwarded">
              <span className="text-slate-400">fwd/s </span>
              <b data-testid="rate-forwarded" className="text-green-400">{rate(ps.forwarded)}</b>
            </span>
            <span title="flows per second, dropped">
              <span className="text-slate-400">drop/s </span>
              <b data-testid="rate-dropped" className="text-red-400">{rate(ps.dropped)}</b>
            </span>
            <span title="flows per second, audit (would be denied when enforced)">
              <span className="text-slate-400">audit/s </span>
              <b className="text-amber-400">{rate(ps.audit)}</b>
            </span>
            <span title="share of dropped flows over the last 10 s">
              <span className="text-slate-400">drop rate </span>
              <b>{((c.dropRate ?? 0) * 100).toFixed(1)}%</b>
            </span>
            {c.relay.ingest?.atCapacity && (
              <span data-testid="at-capacity" data-kept={c.relay.ingest.keptShare} className="rounded bg-amber-900/60 px-1.5 text-amber-200" title={`More flows arrive than this server can fold in: it folds in ${Math.round(c.relay.ingest.keptShare * 100)}% of them, spread evenly, so that pages keep answering and what is shown stays fresh. Rates, the map's counts and the history cover those flows; ${c.relay.ingest.shedFlows} were skipped so far. Give the server more CPU.`}>
                at capacity · {Math.round(c.relay.ingest.keptShare * 100)}%
              </span>
            )}
            {c.relay.lostEvents > 0 && (
              <span className="text-amber-300" title="flows the relay reported as lost">
                lost {c.relay.lostEvents}
              </span>
            )}
            <Sparkline history={c.history} />
          </>
        )}
        <HistoryBadge />
        <RelayBadge counters={c} stream={live.stream} />
        <SignedInAs />
      </div>
      <PageActions />
    </header>
  );
}
