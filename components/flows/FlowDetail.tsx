'use client';

import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';
import { auditDenial } from '@/lib/flows/audit-verdict';
import { decidedBy, l7Summary, peerName, portLabel } from '@/lib/flows/flow-format';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { flowExplainParams } from '@/lib/policy-engine/flow-connection';
import { explainQuery } from '../api/queries';
import { FlowLayers } from '../azure/FlowLayers';
import { AuditDenialNote } from '../explain/AuditDenial';
import { FlowWhy } from '../explain/FlowWhy';
import { VerdictBadge } from '../VerdictBadge';

/** An AUDIT flow: the policy that would deny it, from Cilium's report or the explanation FlowWhy fetches (same query). */
function FlowAudit({ flow }: { flow: FlowRecord }) {
  const params = useMemo(() => flowExplainParams(flow), [flow]);
  const q = useQuery(explainQuery(params));
  return <AuditDenialNote denial={auditDenial(flow, q.data)} loading={q.isLoading} testId="flow-audit" />;
}

export function FlowDetail({ flow, onClose }: { flow: FlowRecord; onClose(): void }) {
  return (
    <aside data-testid="flow-detail" className="flex w-[28rem] shrink-0 flex-col gap-2 overflow-y-auto border-l border-slate-200 bg-white p-3 text-xs">
      <button type="button" onClick={onClose} className="self-end text-slate-500 hover:text-slate-900">
        close ✕
      </button>
      <div className="flex items-center gap-2">
        <VerdictBadge verdict={flow.verdict} />
        <span className="font-mono">{new Date(flow.time).toISOString()}</span>
      </div>
      <p className="font-mono text-sm">
        {peerName(flow.source)} → {peerName(flow.destination)} {portLabel(flow)}
      </p>
      {l7Summary(flow) && <p className="text-sky-800">{l7Summary(flow)}</p>}
      {flow.verdict === 'AUDIT' ? <FlowAudit flow={flow} /> : <p className="text-slate-700">{decidedBy(flow) || 'no policy reported'}</p>}
      {flow.dropReason && <p className="text-red-700">drop reason: {flow.dropReason}</p>}
      <FlowWhy flow={flow} />
      <FlowLayers flow={flow} />
      <p className="text-slate-500">
        node {flow.node} · {flow.isReply ? 'reply' : flow.direction.toLowerCase()} · uuid {flow.uuid}
      </p>
      <pre className="overflow-x-auto rounded bg-slate-900 p-2 text-[10px] text-slate-100">{JSON.stringify(flow, null, 2)}</pre>
    </aside>
  );
}
