'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { useMemo } from 'react';
import { AUDIT_PHRASE, auditPolicyName } from '@/lib/flows/audit-verdict';
import type { NamespaceAudit } from '@/lib/posture/audit-by-namespace';
import { edgeLabel } from '@/lib/graph/cy-elements';
import { LAYER_SHORT } from '@/lib/graph/edge-path-text';
import { effectiveStatus, type GraphEdge } from '@/lib/graph/types';
import { postureQuery } from '../api/queries';
import { policyHref } from '../explain/WhyPanel';
import { useLive } from '../live/use-live';
import { PostureSection } from './PostureSection';
import { TrafficChart } from './TrafficChart';

/** Flows of the edge that did not get through: Cilium's drops, or everything when an Azure layer denies it. */
function deniedFlows(e: GraphEdge): number {
  return e.path?.decidedBy === 'nsg' || e.path?.decidedBy === 'firewall' ? e.total : e.counts.dropped;
}

/** A namespace's AUDIT flows and the policies that would deny them once enforced (linked). */
function NamespaceAuditCell({ audit }: { audit: NamespaceAudit | undefined }) {
  if (!audit) return null;
  return (
    <div data-testid={`ns-audit-${audit.namespace}`} title={`${audit.flows} AUDIT flows on ${audit.paths} path${audit.paths === 1 ? '' : 's'}: ${AUDIT_PHRASE}`}>
      <span className="font-mono" data-testid="ns-audit-count">
        {audit.flows}
      </span>
      {audit.policies.length > 0 && (
        <div className="text-[11px]">
          by{' '}
          {audit.policies.map((p, i) => (
            <span key={`${p.kind}/${p.namespace ?? ''}/${p.name}`}>
              {i > 0 && ', '}
              <Link prefetch={false} href={policyHref(p)} title={auditPolicyName(p)} className="font-mono text-sky-700 hover:underline" data-testid="ns-audit-policy">
                {p.name}
              </Link>
            </span>
          ))}
        </div>
      )}
      {audit.unnamedFlows > 0 && <div className="text-[11px] text-slate-500">{audit.unnamedFlows === audit.flows ? 'policy unknown' : `${audit.unnamedFlows} with the policy unknown`}</div>}
    </div>
  );
}

/**
 * How often the overview follows the live graph: its tables pass over every connection (20,000 at
 * 5,000 workloads), and at a delta's pace, ten a second, that was a pass per delta for figures a
 * person reads at a glance.
 */
const OVERVIEW_EVERY_MS = 1000;

export function OverviewView() {
  const live = useLive('', { everyMs: OVERVIEW_EVERY_MS });
  const graph = live.graph;
  const denied = useMemo(
    // Denied at any layer: dropped by Cilium, or forwarded by Cilium and denied by the NSG or firewall.
    () => (graph ? [...graph.edges.values()].filter((e) => e.counts.dropped > 0 || effectiveStatus(e) === 'denied').sort((a, b) => deniedFlows(b) - deniedFlows(a)).slice(0, 10) : []),
    [graph],
  );
  // AUDIT flows are counted by the server for the namespace whose policy would deny them (not on both ends).
  const posture = useQuery(postureQuery());
  const audit = useMemo(() => new Map((posture.data?.audit ?? []).map((a) => [a.namespace, a])), [posture.data]);
  const namespaces = useMemo(() => {
    const out = new Map<string, { flows: number; dropped: number; workloads: Set<string> }>();
    const row = (ns: string) => {
      let s = out.get(ns);
      if (!s) out.set(ns, (s = { flows: 0, dropped: 0, workloads: new Set() }));
      return s;
    };
    for (const ns of audit.keys()) row(ns);
    if (!graph) return out;
    for (const e of graph.edges.values()) {
      for (const id of [e.source, e.target]) {
        const n = graph.nodes.get(id);
        if (!n?.namespace) continue;
        const s = row(n.namespace);
        s.flows += e.total;
        s.dropped += e.counts.dropped;
        s.workloads.add(n.id);
      }
    }
    return out;
  }, [graph, audit]);
  const status = live.status;
  return (
    <div className="mx-auto grid max-w-6xl gap-4 p-4 md:grid-cols-2">
      <PostureSection />
      <section className="rounded border border-slate-200 bg-white p-4 md:col-span-2">
        <h2 className="mb-2 font-semibold">Traffic</h2>
        <TrafficChart history={live.counters?.history ?? []} />
      </section>
      <section className="rounded border border-slate-200 bg-white p-4">
        <h2 className="mb-2 font-semibold">Denied connections</h2>
        {denied.length === 0 ? (
          <p className="text-sm text-slate-500">No drops in the window.</p>
        ) : (
          <ul className="text-sm" data-testid="denied-list">
            {denied.map((e) => (
              <li key={e.id} className="flex justify-between gap-2 border-b border-slate-100 py-1">
                <Link prefetch={false} className="truncate text-sky-700 hover:underline" href={`/map?select=${encodeURIComponent(e.id)}`}>
                  {e.source} → {e.target} {edgeLabel(e)}
                </Link>
                <span className="whitespace-nowrap font-mono text-red-700">
                  {deniedFlows(e)}
                  {e.path?.decidedBy && e.path.decidedBy !== 'policy' ? ` · ${LAYER_SHORT[e.path.decidedBy]}` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </section>
      <section className="rounded border border-slate-200 bg-white p-4">
        <h2 className="mb-2 font-semibold">Namespaces seen in flows</h2>
        <table className="w-full text-sm" data-testid="namespace-table">
          <thead className="text-left text-xs text-slate-500">
            <tr>
              <th>namespace</th>
              <th>workloads</th>
              <th>flows</th>
              <th>dropped</th>
              <th title={`AUDIT flows seen so far that ${AUDIT_PHRASE}, counted for the namespace whose policy would deny them, with that policy`}>audit: would be denied</th>
            </tr>
          </thead>
          <tbody>
            {[...namespaces.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([ns, s]) => (
              <tr key={ns} className="border-t border-slate-100" data-testid={`ns-row-${ns}`}>
                <td>
                  <Link prefetch={false} className="text-sky-700 hover:underline" href={`/map?ns=${ns}`}>
                    {ns}
                  </Link>
                </td>
                <td>{s.workloads.size}</td>
                <td className="font-mono">{s.flows}</td>
                <td className="font-mono text-red-700">{s.dropped || ''}</td>
                <td className="text-amber-700">
                  <NamespaceAuditCell audit={audit.get(ns)} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </section>
      {status && (
        <section className="rounded border border-slate-200 bg-white p-4 text-sm md:col-span-2" data-testid="relay-status">
          <h2 className="mb-2 font-semibold">Relay</h2>
          <p>
            {status.relay.mode === 'demo' ? 'Built-in demo relay (no cluster configured: set FLOWSIGHT_RELAY)' : 'Hubble Relay'} at <code>{status.relay.address}</code>
            {status.relay.tls ? ' over TLS' : ''}
            {status.relay.server ? ` · ${status.relay.server.version} · ${status.relay.server.numConnectedNodes ?? '?'} nodes` : ''}
          </p>
          <p className="text-slate-600">
            {status.relay.received} flows received · {status.relay.reconnects} reconnects · {status.relay.lostEvents} lost · window {status.graph.windowSeconds}s · {status.graph.edges} connections
          </p>
        </section>
      )}
    </div>
  );
}
