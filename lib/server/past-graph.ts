/**
 * The map of a past window: the history's per-edge aggregates folded into the live map's graph
 * shape, each edge with its verdict over every layer (the firewall's and the NSG's too), so a past
 * window never shows green what the network denies.
 */

import type { FlowStore, TimeRange } from '../history/flow-store';
import { graphOfEdgeAggregates } from '../graph/history-graph';
import type { GraphSnapshot } from '../graph/types';
import { builtFlowOfEdge, observedFlowOf, podByWorkload } from './azure-view';
import { annotatePastEdges } from './edge-paths';
import type { Runtime } from './runtime';

/**
 * Each edge is evaluated for its newest live flow when the live map has one (the same connection,
 * recent addresses), else for a connection built from today's pods of its workloads.
 */
export async function pastGraph(store: FlowStore, range: TimeRange, rt: Runtime, signal?: AbortSignal): Promise<GraphSnapshot> {
  const graph = graphOfEdgeAggregates(await store.edges({ range }, signal));
  const azure = await rt.clusterAzure();
  const cluster = await rt.posture().then(
    (p) => p.source.snapshot(),
    () => undefined,
  );
  const pods = podByWorkload(cluster);
  annotatePastEdges(graph, { azure, cluster }, (e) => {
    const recent = rt.edgeFlows.latest(e.id);
    return recent ? observedFlowOf(recent) : builtFlowOfEdge(e, pods);
  });
  return graph;
}
