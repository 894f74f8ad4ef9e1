/**
 * The egress inventory: every (workload, internet destination, port/protocol) edge of the live graph
 * in one table, with what was observed (flow counts, first/last seen) and what each egress control on
 * the path decides (network policy at the pod, NSG, Azure Firewall) with its deciding rule.
 *
 * Pure and browser-safe: the caller hands in the graph edges, a sample flow per edge and the
 * evaluation (`threeLayers` bound to its snapshots), so this module imports types only and the page
 * can reuse the filter and CSV functions below.
 */

import { AUDIT_PHRASE } from '../../flows/audit-verdict';
import { csvCell } from '../../util/csv';
import { fqdnOfWorldNode, isWorkloadNode, isWorldNode, namespaceOfNode } from '../../graph/graph-ids';
import type { GraphEdge, VerdictCounts } from '../../graph/types';
import type { CellVerdict, LayerCell, ObservedFlow, ThreeLayers } from '../../layers/three-layers';

/** Rows evaluated per request at most: each row is one policy + NSG + firewall evaluation. */
export const MAX_EGRESS_ROWS = 2000;
/** Internet addresses listed per row (a name can resolve to many). */
export const MAX_ADDRESSES_PER_ROW = 8;
/** Longest text search accepted; longer input is cut, not rejected. */
export const MAX_SEARCH_TEXT = 200;

export type EgressLayer = 'policy' | 'nsg' | 'firewall';
export type EgressVerdict = ThreeLayers['verdict'];

/** The order a packet meets the controls on its way out: the pod's policy, the NIC/subnet NSG, the firewall. */
export const EGRESS_PATH: readonly EgressLayer[] = ['policy', 'nsg', 'firewall'];

export const LAYER_NAMES: Record<EgressLayer, string> = { policy: 'network policy', nsg: 'NSG', firewall: 'Azure Firewall' };

/** Dangerous first: out now at every layer, out now but only audited, cannot tell, then stopped. */
const VERDICT_RANK: Record<EgressVerdict, number> = { allowed: 0, audit: 1, unknown: 2, denied: 3 };
export const EGRESS_VERDICTS: readonly EgressVerdict[] = ['allowed', 'audit', 'unknown', 'denied'];

export interface EgressCell {
  verdict: CellVerdict;
  /** One sentence: why this verdict. */
  reason: string;
  /** The deciding rule in words; absent when no rule decided (e.g. not on the path). */
  rule?: string;
}

export interface EgressRow {
  /** The map edge (`src|dst|port|PROTO`): `/map?select=<edgeId>`. */
  edgeId: string;
  /** `namespace/name` of the client workload. */
  workload: string;
  namespace: string;
  /** The DNS name of the internet peer, or its address when Cilium knew no name. */
  destination: string;
  destinationKind: 'fqdn' | 'ip';
  /** Internet addresses seen on this edge in the flows still in memory, newest first, capped. */
  addresses: string[];
  port: number;
  protocol: string;
  counts: VerdictCounts;
  total: number;
  firstSeen: number;
  lastSeen: number;
  nsg: EgressCell;
  policy: EgressCell;
  firewall: EgressCell;
  /** Denied if any layer denies, unknown if one cannot tell, audit if policy only audits, else allowed (open). */
  verdict: EgressVerdict;
  /** The layer whose verdict is the row's verdict (the first on the path); null when every layer allows or nothing could be evaluated. */
  decidedBy: EgressLayer | null;
  /** The verdict in one sentence, naming the deciding layer and rule. */
  decision: string;
  /** What the table should add: the evaluation was built without a flow, flows never left the cluster, ... */
  notes: string[];
}

export interface EgressSummary {
  workloads: number;
  destinations: number;
  /** Rows allowed by every layer on the path. */
  open: number;
  byVerdict: Record<EgressVerdict, number>;
}

export interface EgressInventory {
  rows: EgressRow[];
  /** Internet edges in the graph; more than `rows.length` when capped. */
  totalEdges: number;
  capped: boolean;
  maxRows: number;
  summary: EgressSummary;
  /** Namespaces of the listed workloads, sorted (for the filter). */
  namespaces: string[];
  /** Which data the verdicts were computed with: without it the cells say unknown, and `notes` say why. */
  sources: { cluster: boolean; azure: boolean };
  notes: string[];
  generatedAt: number;
}

/** The newest flow of an edge still in memory, and the internet addresses seen on it. */
export interface EdgeSample {
  flow: ObservedFlow;
  addresses: string[];
}

export interface EgressInput {
  edges: readonly GraphEdge[];
  /** By edge id: from the flows still in memory. */
  samples: ReadonlyMap<string, EdgeSample>;
  /** A flow made from the edge alone when no flow of it is in memory (a pod of the workload); undefined when none can be. */
  flowFromEdge(edge: GraphEdge): ObservedFlow | undefined;
  /** The three-layer evaluation bound to the current cluster, policy engine and Azure snapshots. */
  evaluate(flow: ObservedFlow): ThreeLayers;
  sources: { cluster: boolean; azure: boolean };
  maxRows?: number;
  now?: number;
}

/** True for a graph edge from a workload in the cluster to an internet peer (`world` or `world:<fqdn>`). */
export function isInternetEgressEdge(e: Pick<GraphEdge, 'source' | 'target'>): boolean {
  // Host, remote-node and the other reserved peers are not workloads: their egress is not a workload's.
  return isWorldNode(e.target) && isWorkloadNode(e.source);
}

// Kept for lib/server/egress-view.ts until it imports it from lib/graph/graph-ids.
export { fqdnOfWorldNode } from '../../graph/graph-ids';

/** Builds the inventory: one row per internet edge (most recently seen first when capped), dangerous rows first. */
export function egressInventory(input: EgressInput): EgressInventory {
  const maxRows = input.maxRows ?? MAX_EGRESS_ROWS;
  const internet = input.edges.filter(isInternetEgressEdge);
  // The cap bounds the evaluations, so it applies before them: keep the most recently active edges.
  const kept = internet.length > maxRows ? [...internet].sort((a, b) => b.lastSeen - a.lastSeen || compareText(a.id, b.id)).slice(0, maxRows) : internet;
  const rows = kept.map((e) => rowOf(e, input)).sort(compareRows);
  const notes: string[] = [];
  if (!input.sources.cluster) notes.push('No cluster policy data is loaded: the network policy verdicts are unknown.');
  if (!input.sources.azure) notes.push('No Azure network data is loaded: the NSG and firewall verdicts are unknown.');
  if (kept.length < internet.length) notes.push(`Showing the ${kept.length} most recently seen of ${internet.length} internet connections.`);
  return {
    rows,
    totalEdges: internet.length,
    capped: kept.length < internet.length,
    maxRows,
    summary: summarize(rows),
    namespaces: [...new Set(rows.map((r) => r.namespace))].sort(compareText),
    sources: input.sources,
    notes,
    generatedAt: input.now ?? Date.now(),
  };
}

function rowOf(edge: GraphEdge, input: EgressInput): EgressRow {
  const fqdn = fqdnOfWorldNode(edge.target);
  const sample = input.samples.get(edge.id);
  const addresses = (sample?.addresses ?? []).slice(0, MAX_ADDRESSES_PER_ROW);
  const notes: string[] = [];
  // The edge is named by its DNS name: evaluate that name even if the sampled flow carried several.
  const flow = sample ? { ...sample.flow, ...(fqdn ? { fqdn } : {}) } : input.flowFromEdge(edge);
  if (!sample && flow) notes.push('no flow of this connection is still in memory: evaluated for a pod of the workload');
  if (!fqdn && addresses.length > 1) notes.push(`several addresses without a DNS name: evaluated for ${addresses[0]}`);
  const passed = edge.counts.forwarded + edge.counts.audit + edge.counts.other;
  if (passed === 0 && edge.counts.dropped > 0) notes.push('every observed flow was dropped in the cluster: none reached the NSG or the firewall');
  const base = {
    edgeId: edge.id,
    workload: edge.source,
    namespace: namespaceOfNode(edge.source) ?? '',
    destination: fqdn ?? addresses[0] ?? 'unknown address',
    destinationKind: fqdn ? ('fqdn' as const) : ('ip' as const),
    addresses,
    port: edge.port,
    protocol: edge.protocol,
    counts: { ...edge.counts },
    total: edge.total,
    firstSeen: edge.firstSeen,
    lastSeen: edge.lastSeen,
  };
  if (!flow) {
    const reason = 'no flow of this connection is in memory and no pod of the workload is known to evaluate from';
    const cell: EgressCell = { verdict: 'unknown', reason };
    return { ...base, nsg: cell, policy: cell, firewall: cell, verdict: 'unknown', decidedBy: null, decision: `unknown: ${reason}`, notes };
  }
  const layers = input.evaluate(flow);
  const { decidedBy, decision } = decide(layers);
  return { ...base, nsg: cellOf(layers.nsg), policy: cellOf(layers.policy), firewall: cellOf(layers.firewall), verdict: layers.verdict, decidedBy, decision, notes };
}

function cellOf(c: LayerCell): EgressCell {
  return { verdict: c.verdict, reason: c.reason, ...(c.rule ? { rule: c.rule } : {}) };
}

/** Which layer the combined verdict comes from: the first on the path with that verdict. */
export function decide(l: ThreeLayers): { decidedBy: EgressLayer | null; decision: string } {
  const wanted: CellVerdict | null = l.verdict === 'allowed' ? null : l.verdict;
  if (!wanted) return { decidedBy: null, decision: 'open: every layer on the path allows it' };
  const layer = EGRESS_PATH.find((k) => l[k].verdict === wanted)!;
  const cell = l[layer];
  const name = LAYER_NAMES[layer];
  const by = cell.rule ? `${name} (${cell.rule})` : `${name}: ${cell.reason}`;
  if (wanted === 'denied') return { decidedBy: layer, decision: `denied by ${by}` };
  if (wanted === 'audit') return { decidedBy: layer, decision: `gets out now; ${AUDIT_PHRASE} by ${by} (audit mode)` };
  return { decidedBy: layer, decision: `unknown: ${name} cannot tell (${cell.reason})` };
}

function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Verdict rank, then workload, destination, port, protocol: the same table on every refresh. */
function compareRows(a: EgressRow, b: EgressRow): number {
  return (
    VERDICT_RANK[a.verdict] - VERDICT_RANK[b.verdict] ||
    compareText(a.workload, b.workload) ||
    compareText(a.destination, b.destination) ||
    a.port - b.port ||
    compareText(a.protocol, b.protocol) ||
    compareText(a.edgeId, b.edgeId)
  );
}

/** The counts at the top of the page. */
export function summarize(rows: readonly EgressRow[]): EgressSummary {
  const byVerdict: Record<EgressVerdict, number> = { allowed: 0, audit: 0, unknown: 0, denied: 0 };
  for (const r of rows) byVerdict[r.verdict]++;
  return {
    workloads: new Set(rows.map((r) => r.workload)).size,
    destinations: new Set(rows.map((r) => r.destination)).size,
    open: byVerdict.allowed,
    byVerdict,
  };
}

export interface EgressFilter {
  namespace?: string;
  verdict?: EgressVerdict;
  /** Case-insensitive substring of the workload, the destination or one of its addresses. */
  text?: string;
}

/** Rows matching every given filter; the text is matched as a plain substring (never a RegExp). */
export function filterEgressRows(rows: readonly EgressRow[], f: EgressFilter): EgressRow[] {
  const text = f.text?.trim().slice(0, MAX_SEARCH_TEXT).toLowerCase() ?? '';
  return rows.filter(
    (r) =>
      (!f.namespace || r.namespace === f.namespace) &&
      (!f.verdict || r.verdict === f.verdict) &&
      (!text || r.workload.toLowerCase().includes(text) || r.destination.toLowerCase().includes(text) || r.addresses.some((a) => a.includes(text))),
  );
}

const CSV_COLUMNS = [
  'workload',
  'destination',
  'port',
  'protocol',
  'forwarded',
  'dropped',
  'first seen',
  'last seen',
  'nsg',
  'nsg rule',
  'network policy',
  'network policy rule',
  'firewall',
  'firewall rule',
  'verdict',
  'decided by',
] as const;

export { csvCell };

/** The rows as CSV (header first, CRLF line ends), times in ISO 8601. */
export function egressCsv(rows: readonly EgressRow[]): string {
  const iso = (t: number) => (Number.isFinite(t) && t > 0 ? new Date(t).toISOString() : '');
  const lines = [CSV_COLUMNS.map(csvCell).join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.workload,
        r.destination,
        r.port,
        r.protocol,
        r.counts.forwarded,
        r.counts.dropped,
        iso(r.firstSeen),
        iso(r.lastSeen),
        r.nsg.verdict,
        r.nsg.rule ?? '',
        r.policy.verdict,
        r.policy.rule ?? '',
        r.firewall.verdict,
        r.firewall.rule ?? '',
        r.verdict,
        r.decidedBy ? LAYER_NAMES[r.decidedBy] : 'every layer allows',
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\r\n')}\r\n`;
}
