'use client';

import { decidedBy, l7Summary, peerName, portLabel, timeLabel } from '@/lib/flows/flow-format';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { VerdictBadge } from './VerdictBadge';

/** A short list of flows with what decided each one (side panels). */
export function FlowList({ flows }: { flows: FlowRecord[] }) {
  if (flows.length === 0) return <p className="text-xs text-slate-500">No recent flows held in memory.</p>;
  return (
    <ul className="divide-y divide-slate-100 text-xs" data-testid="panel-flows">
      {flows.map((f) => (
        <li key={f.uuid} className="py-1.5" data-testid="panel-flow">
          <div className="flex items-center gap-2">
            <VerdictBadge verdict={f.verdict} detail={f.verdict === 'AUDIT' ? decidedBy(f) : undefined} />
            <span className="font-mono text-slate-500">{timeLabel(f.time)}</span>
            <span className="text-slate-500">{f.isReply ? 'reply' : f.direction.toLowerCase()}</span>
            <span className="ml-auto font-mono">{portLabel(f)}</span>
          </div>
          <div className="truncate font-mono">
            {peerName(f.source)} → {peerName(f.destination)}
          </div>
          {l7Summary(f) && <div className="truncate text-sky-800">{l7Summary(f)}</div>}
          {decidedBy(f) && <div className="truncate text-slate-600">{decidedBy(f)}</div>}
          {f.dropReason && <div className="text-red-700">{f.dropReason}</div>}
        </li>
      ))}
    </ul>
  );
}
