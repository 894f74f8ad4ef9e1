/**
 * What an evidence report is built from, read off the runtime: the cluster snapshot and its source's
 * status, the Azure network of this cluster, and the range's flows and per-edge aggregates from the
 * history (the recent flows in memory when the history is off). Also the data sources with their last
 * sync times, for the manifest.
 */

import type { ReportScope } from '../views/evidence-report';
import type { GatheredInputs } from './evidence-reports';
import type { ManifestSource } from '../../evidence/manifest';
import type { FlowRecord } from '../../flows/flow-record';
import type { FlowStore, SqlCondition } from '../../history/flow-store';
import { MAX_EDGES } from '../../history/queries';
import { scopeSql } from '../access/access-scope';
import type { Runtime } from '../runtime';

/** A report that cannot be made as asked: answered as problem details before any work starts. */
export class ReportRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Why a report cannot be made without the history (the route says it before streaming, this module if it closed since). */
export const NO_HISTORY = 'an evidence report reads the flow history over its range, and the history is off or not open (FLOWSIGHT_HISTORY, FLOWSIGHT_DATA_DIR)';

/** Flows the findings weigh at most (newest first); the map and the tables count every flow of the range. */
export const MAX_WEIGHED_FLOWS = 100_000;
const PAGE = 5_000;

const isoOrNull = (ms: number | null | undefined) => (ms === null || ms === undefined ? null : new Date(ms).toISOString());

/** The most frequent Cilium cluster name among the flows (Hubble reports it per endpoint); null when none is named. */
function clusterNameOf(flows: readonly FlowRecord[]): string | null {
  const counts = new Map<string, number>();
  for (const f of flows) for (const c of [f.source.cluster, f.destination.cluster]) if (c) counts.set(c, (counts.get(c) ?? 0) + 1);
  let best: string | null = null;
  for (const [name, n] of counts) if (best === null || n > counts.get(best)! || (n === counts.get(best) && name < best)) best = name;
  return best;
}

async function flowsOfStore(store: FlowStore, range: { since: number; until: number }, condition: SqlCondition | null, progress: (done: number) => void, signal?: AbortSignal): Promise<FlowRecord[]> {
  const out: FlowRecord[] = [];
  let cursor: string | undefined;
  while (out.length < MAX_WEIGHED_FLOWS) {
    const page = await store.search({ range, limit: Math.min(PAGE, MAX_WEIGHED_FLOWS - out.length), ...(condition ? { condition } : {}), ...(cursor ? { cursor } : {}) }, signal);
    out.push(...page.flows);
    progress(out.length);
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  return out;
}

export async function gatherEvidenceInputs(rt: Runtime, request: { range: { since: number; until: number }; scope: ReportScope }, progress: (step: string, fraction: number) => void, signal?: AbortSignal): Promise<GatheredInputs> {
  const config = rt.config;
  const { source } = await rt.posture();
  const snapshot = source.snapshot();
  const status = source.status();
  const azure = await rt.clusterAzure();
  const azureService = await rt.azure().catch(() => null);
  // A report covers a time range, and only the history holds one: without it there is nothing to report on.
  const store = await rt.history().catch(() => null);
  if (!store) throw new ReportRefusal(503, 'history-unavailable', NO_HISTORY);
  const { range } = request;

  // A namespace report weighs its namespaces' flows (either end in them), so busy namespaces elsewhere
  // cannot push them out of the flows weighed.
  const condition = request.scope.kind === 'namespaces' ? scopeSql(new Set(request.scope.namespaces)) : null;
  const count = async () => (await rt.historyReads.run(() => store.histogram({ range, buckets: 1, ...(condition ? { condition } : {}) }, signal))).buckets.reduce((n, b) => n + b.forwarded + b.dropped + b.audit + b.error + b.other, 0);
  progress('reading flows for the findings', 0.05);
  const expected = Math.max(1, Math.min(await count(), MAX_WEIGHED_FLOWS));
  const flows = await rt.historyReads.run(() => flowsOfStore(store, range, condition, (n) => progress(`reading flows for the findings (${n} of ${expected})`, 0.05 + 0.25 * Math.min(1, n / expected)), signal));
  // Counted again after the paging: a range that ends now keeps receiving flows, and it holds at least the flows weighed.
  progress('reading the map and the counts of the range', 0.3);
  const inRange = Math.max(await count(), flows.length);
  const edges = await rt.historyReads.run(() => store.edges({ range }, signal));

  const relay = config.relay.mode === 'demo' ? 'demo relay' : config.relay.address;
  const name = clusterNameOf(flows) ?? (config.relay.mode === 'demo' ? 'demo' : relay);
  const stored = store.status();
  const sources: ManifestSource[] = [
    { name: 'cluster', kind: status.kind, origin: status.kind === 'manifests' ? (config.manifests ?? 'manifests') : status.kind === 'live' ? 'Kubernetes API' : 'demo', lastSyncAt: isoOrNull(status.lastSyncAt) },
    // The relay's last sync: the newest flow received from it that the history holds.
    { name: 'relay', kind: config.relay.mode, origin: relay, lastSyncAt: isoOrNull(stored.newest) },
    azureService && azure ? { name: 'azure', kind: azure.source, origin: azure.origin, lastSyncAt: isoOrNull(azureService.loadedAt()) } : { name: 'azure', kind: 'none', origin: 'no Azure network data for this cluster', lastSyncAt: null },
    { name: 'history', kind: stored.engine, origin: stored.location, lastSyncAt: isoOrNull(stored.newest) },
  ];
  return {
    input: {
      range,
      scope: request.scope,
      cluster: { snapshot, status, name },
      relay,
      datapath: { setting: config.datapath, settingName: 'FLOWSIGHT_DATAPATH', hubbleRelay: true },
      ...(azure ? { azure } : {}),
      flows: { records: flows, inRange, from: 'history' },
      edges,
      edgesCapped: edges.length >= MAX_EDGES,
      history: { oldest: stored.oldest, droppedFlows: stored.droppedFlows, paused: stored.paused },
    },
    sources,
  };
}
