'use client';

import { useQuery } from '@tanstack/react-query';
import Link from 'next/link';
import { auditDenial } from '@/lib/flows/audit-verdict';
import type { FlowRecord } from '@/lib/flows/flow-record';
import { flowExplainParams } from '@/lib/policy-engine/flow-connection';
import type { GraphState } from '@/lib/graph/apply-delta';
import { edgeLabel } from '@/lib/graph/cy-elements';
import { namespaceOfBoxId } from '@/lib/graph/graph-ids';
import { describeEdgePath, LAYER_NAME } from '@/lib/graph/edge-path-text';
import { effectiveStatus, type EdgePath, type EdgeStatus, type GraphEdge, type GraphNode, type PathLayer, type VerdictCounts } from '@/lib/graph/types';
import { SEVERITY_CLASS } from '../explain/severity-class';
import { explainQuery, flowsQuery, namespacePostureQuery } from '../api/queries';
import { EdgeLayers } from '../azure/EdgeLayers';
import { AuditDenialNote } from '../explain/AuditDenial';
import { EdgeWhy } from '../explain/EdgeWhy';
import { FlowList } from '../FlowList';
import { pastFlowsQuery } from './history-queries';
import { PastEdgeWhy } from './PastEdgeWhy';
import type { MapWindow } from './time-window';

const NO_WINDOW: MapWindow = { since: 0, until: 0 };

interface PanelFlowState {
  flows: FlowRecord[] | undefined;
  isLoading: boolean;
  error: Error | null;
  /** Where the server found them: a past window falls back to memory while the history is not ready. */
  source: 'history' | 'live';
}

/** The flows of an edge or node: the ring's latest when live, the history's within a past window. */
function useFlows(param: 'edge' | 'node', id: string, past: MapWindow | null): PanelFlowState {
  const live = useQuery({ ...flowsQuery(param, id), enabled: past === null });
  const stored = useQuery({ ...pastFlowsQuery(param, id, past ?? NO_WINDOW), enabled: past !== null });
  return past
    ? { flows: stored.data?.flows, isLoading: stored.isLoading, error: stored.error, source: stored.data?.source ?? 'history' }
    : { flows: live.data, isLoading: live.isLoading, error: live.error, source: 'live' };
}

/** The flow list under a side panel, titled and worded for where the flows come from. */
function PanelFlows({ flows, past, what }: { flows: PanelFlowState; past: MapWindow | null; what: string }) {
  if (!past) {
    return (
      <>
        <h3 className="mt-2 text-xs font-semibold text-slate-700">Recent flows</h3>
        {flows.isLoading ? <p className="text-xs">loading…</p> : <FlowList flows={flows.flows ?? []} />}
      </>
    );
  }
  const list = flows.flows ?? [];
  return (
    <>
      <h3 className="mt-2 text-xs font-semibold text-slate-700" data-testid="panel-stored-flows">
        Stored flows in this window{list.length ? ` (newest ${list.length})` : ''}
      </h3>
      {flows.source === 'live' && <p className="text-xs text-amber-800">The flow history is not ready: these are the flows of this window still held in memory.</p>}
      {flows.isLoading ? (
        <p className="text-xs">loading from the flow history…</p>
      ) : flows.error ? (
        <p role="alert" className="text-xs text-red-700">
          {flows.error.message}
        </p>
      ) : list.length === 0 ? (
        <p className="text-xs text-slate-500">No flows {what} are stored in this window (allowed flows may have been rolled up to counts).</p>
      ) : (
        <FlowList flows={list} />
      )}
    </>
  );
}

const BAR: [keyof VerdictCounts, string, string][] = [
  ['forwarded', 'forwarded', 'bg-green-600'],
  ['dropped', 'dropped', 'bg-red-600'],
  ['audit', 'audit', 'bg-amber-500'],
  ['error', 'error', 'bg-red-900'],
  ['other', 'other', 'bg-slate-400'],
];

/** Verdict counts drawn as one stacked bar with numbers beside it. */
function CountsBar({ counts, total }: { counts: VerdictCounts; total: number }) {
  return (
    <div>
      <div className="flex h-3 w-full overflow-hidden rounded bg-slate-100">
        {BAR.map(([k, , color]) => (counts[k] ? <div key={k} className={color} style={{ width: `${(counts[k] / Math.max(1, total)) * 100}%` }} /> : null))}
      </div>
      <dl className="mt-1 grid grid-cols-3 gap-x-2 text-xs" data-testid="panel-counts">
        {BAR.filter(([k]) => counts[k]).map(([k, label]) => (
          <div key={k} className="flex justify-between">
            <dt className="text-slate-500">{label}</dt>
            <dd data-testid={`count-${k}`} className="font-mono">{counts[k]}</dd>
          </div>
        ))}
      </dl>
    </div>
  );
}

const statusClass = (s: EdgeStatus) => (s === 'allowed' ? 'text-green-700' : s === 'audit' ? 'text-amber-700' : 'text-red-700');
const CELL_CLASS: Record<EdgePath['layers'][PathLayer], string> = {
  allowed: 'bg-green-100 text-green-800',
  denied: 'bg-red-100 text-red-800',
  audit: 'bg-amber-100 text-amber-800',
  'not-on-path': 'bg-slate-100 text-slate-500',
  unknown: 'bg-slate-200 text-slate-700',
};

/** The verdict over every layer, the layer that decided and each layer's cell, in one line each. */
function PathVerdict({ path }: { path: EdgePath }) {
  return (
    <section data-testid="panel-path" className="rounded border border-slate-200 p-2 text-xs">
      <p data-testid="panel-decided-by" className={`font-semibold ${statusClass(path.status)}`}>
        {describeEdgePath(path)}
      </p>
      {path.decidedBy && <p className="text-slate-600">{path.reason}</p>}
      <div className="mt-1 flex gap-1">
        {(Object.keys(LAYER_NAME) as PathLayer[]).map((l) => (
          <span key={l} data-testid={`panel-layer-${l}`} className={`rounded px-1.5 py-px ${CELL_CLASS[path.layers[l]]} ${path.decidedBy === l ? 'ring-2 ring-red-500' : ''}`}>
            {LAYER_NAME[l]}: {path.layers[l]}
          </span>
        ))}
      </div>
    </section>
  );
}

/**
 * An edge with AUDIT flows: what would deny them once enforced, named from the explanation the why panel
 * below fetches (the same query: the edge's newest flow when live, the newest stored flow in a past window).
 */
function EdgeAudit({ edge, past, flows }: { edge: GraphEdge; past: MapWindow | null; flows: PanelFlowState }) {
  const newest = flows.flows?.[0];
  const params = !past ? new URLSearchParams({ edge: edge.id }) : flows.isLoading ? undefined : newest ? flowExplainParams(newest) : new URLSearchParams({ edge: edge.id });
  const q = useQuery(explainQuery(params));
  return <AuditDenialNote denial={auditDenial(undefined, q.data)} loading={q.isLoading} testId="panel-audit" />;
}

function EdgePanel({ edge, nodes, past }: { edge: GraphEdge; nodes: GraphState['nodes']; past: MapWindow | null }) {
  const flows = useFlows('edge', edge.id, past);
  const src = nodes.get(edge.source);
  const dst = nodes.get(edge.target);
  const status = effectiveStatus(edge);
  return (
    <>
      <h2 className="text-sm font-semibold">
        {src?.id ?? edge.source} → {dst?.id ?? edge.target}
      </h2>
      <p className="text-xs text-slate-600">
        {edgeLabel(edge)} · <b data-testid="panel-status" className={statusClass(status)}>{status}</b> · {edge.total} flows
        {edge.replies ? ` (${edge.replies} replies)` : ''}
        {status !== edge.status && <span data-testid="panel-observed"> · Cilium observed: {edge.status}</span>}
      </p>
      {edge.path && <PathVerdict path={edge.path} />}
      {edge.counts.audit > 0 && <EdgeAudit edge={edge} past={past} flows={flows} />}
      <CountsBar counts={edge.counts} total={edge.total} />
      {Object.keys(edge.dropReasons).length > 0 && (
        <p className="text-xs text-red-700">drop reasons: {Object.entries(edge.dropReasons).map(([r, n]) => `${r} ×${n}`).join(', ')}</p>
      )}
      <section className="text-xs">
        <h3 className="font-semibold text-slate-700">Why (as Cilium reported)</h3>
        {edge.allowedBy.length > 0 && <p data-testid="panel-allowed-by">allowed by {edge.allowedBy.join(', ')}</p>}
        {edge.deniedBy.length > 0 && <p>denied by {edge.deniedBy.join(', ')}</p>}
        {edge.counts.dropped > 0 && edge.deniedBy.length === 0 && <p>dropped with no allowing rule: the destination or source is isolated (default deny) and nothing selects this path</p>}
        {edge.allowedBy.length === 0 && edge.counts.dropped === 0 && edge.counts.audit === 0 && <p>no policy reported: the endpoints are not isolated (default allow) or the node peer is always allowed</p>}
      </section>
      {past ? (
        <PastEdgeWhy edge={edge} newest={flows.flows?.[0]} loading={flows.isLoading} />
      ) : (
        <>
          <EdgeWhy edge={edge} />
          <EdgeLayers edge={edge} />
        </>
      )}
      {(edge.l7.http > 0 || edge.l7.dns > 0 || edge.l7.kafka > 0) && (
        <p className="text-xs text-sky-800">L7 seen: {edge.l7.http ? `${edge.l7.http} HTTP ` : ''}{edge.l7.dns ? `${edge.l7.dns} DNS ` : ''}{edge.l7.kafka ? `${edge.l7.kafka} Kafka` : ''}</p>
      )}
      <p className="text-xs text-slate-500">first seen {new Date(edge.firstSeen).toLocaleTimeString()} · last seen {new Date(edge.lastSeen).toLocaleTimeString()}</p>
      <PanelFlows flows={flows} past={past} what="of this connection" />
    </>
  );
}

function NodePanel({ node, graph, past }: { node: GraphNode; graph: GraphState; past: MapWindow | null }) {
  const flows = useFlows('node', node.id, past);
  const edges = [...graph.edges.values()].filter((e) => e.source === node.id || e.target === node.id);
  const totals: VerdictCounts = { forwarded: 0, dropped: 0, audit: 0, error: 0, other: 0 };
  let total = 0;
  for (const e of edges) {
    for (const k of Object.keys(totals) as (keyof VerdictCounts)[]) totals[k] += e.counts[k];
    total += e.total;
  }
  return (
    <>
      <h2 className="text-sm font-semibold">{node.id}</h2>
      <p className="text-xs text-slate-600">
        {node.kind}
        {node.workloadKind ? ` · ${node.workloadKind}` : ''}
        {node.podCount ? ` · ${node.podCount} pod${node.podCount > 1 ? 's' : ''}` : ''}
        {node.dnsName ? ` · ${node.dnsName}` : ''}
      </p>
      {node.pods.length > 0 && <p className="truncate font-mono text-[11px] text-slate-500">{node.pods.join(', ')}</p>}
      <CountsBar counts={totals} total={total} />
      <h3 className="mt-1 text-xs font-semibold text-slate-700">Connections ({edges.length})</h3>
      <ul className="text-xs">
        {edges.slice(0, 20).map((e) => (
          <li key={e.id} className="flex justify-between gap-2">
            <span className="truncate">{e.source === node.id ? `→ ${e.target}` : `← ${e.source}`} {edgeLabel(e)}</span>
            <span className={statusClass(effectiveStatus(e))}>{effectiveStatus(e)}</span>
          </li>
        ))}
      </ul>
      <PanelFlows flows={flows} past={past} what="touching this node" />
    </>
  );
}

/** A namespace box: its findings (the flags written on the box) with links, and its traffic. */
function NamespacePanel({ namespace, graph }: { namespace: string; graph: GraphState }) {
  // This namespace's report only: the map polls a posture without findings (MapView).
  const posture = useQuery(namespacePostureQuery(namespace)).data;
  const workloads = [...graph.nodes.values()].filter((n) => n.namespace === namespace);
  const ids = new Set(workloads.map((w) => w.id));
  const edges = [...graph.edges.values()].filter((e) => ids.has(e.source) || ids.has(e.target));
  const denied = edges.filter((e) => effectiveStatus(e) !== 'allowed').length;
  const badges = posture?.badges[namespace] ?? [];
  const findings = posture?.findings.filter((f) => f.namespace === namespace) ?? [];
  return (
    <>
      <h2 className="text-sm font-semibold">namespace {namespace}</h2>
      <p className="text-xs text-slate-600">
        {workloads.length} workloads · {edges.length} connections · {denied} not allowed
      </p>
      <div data-testid={`ns-badges-${namespace}`} className="flex flex-wrap gap-1">
        {badges.length === 0 && <span className="text-xs text-slate-500">{posture ? 'no posture findings' : 'posture loading…'}</span>}
        {badges.map((b) => (
          <Link prefetch={false} key={b.kind} href={`/#posture-${namespace}`} data-testid={`ns-badge-${namespace}-${b.kind}`} title={b.findingKeys.join(', ')} className={`rounded px-1.5 py-px text-[11px] font-semibold ${SEVERITY_CLASS[b.severity]}`}>
            {b.label}
          </Link>
        ))}
      </div>
      {findings.length > 0 && (
        <ul className="text-xs" data-testid="ns-findings">
          {findings.slice(0, 12).map((f) => (
            <li key={f.key} className="border-b border-slate-100 py-1">
              <span className={`mr-1 rounded px-1 text-[10px] ${SEVERITY_CLASS[f.severity]}`}>{f.severity}</span>
              {f.title}
              {f.links.map && f.links.map !== `/map?ns=${namespace}` && (
                <Link prefetch={false} className="ml-1 text-sky-700 hover:underline" href={f.links.map}>
                  show
                </Link>
              )}
            </li>
          ))}
        </ul>
      )}
    </>
  );
}

/** `past`: the past window the map shows (flows and why panels then read the history), or null when live. */
export function SidePanel({ graph, selected, past = null, onClose }: { graph: GraphState; selected: string; past?: MapWindow | null; onClose(): void }) {
  const edge = graph.edges.get(selected);
  const node = graph.nodes.get(selected);
  const namespace = namespaceOfBoxId(selected);
  return (
    <aside data-testid="side-panel" className="flex w-96 shrink-0 flex-col gap-2 overflow-y-auto border-l border-slate-200 bg-white p-3">
      <button type="button" onClick={onClose} className="self-end text-xs text-slate-500 hover:text-slate-900">
        close ✕
      </button>
      {edge ? (
        <EdgePanel edge={edge} nodes={graph.nodes} past={past} />
      ) : node ? (
        <NodePanel node={node} graph={graph} past={past} />
      ) : namespace ? (
        <NamespacePanel namespace={namespace} graph={graph} />
      ) : (
        <p className="text-xs text-slate-500">{selected} {past ? 'has no flows in this window.' : 'is no longer in the window.'}</p>
      )}
    </aside>
  );
}
