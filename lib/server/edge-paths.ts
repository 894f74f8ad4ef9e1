/**
 * Adds to every graph edge the verdict over all layers on its path (`GraphEdge.path`): the hub
 * feeds it one flow per new edge at ingest and hands it each delta before fan-out, so the browser
 * gets edges already coloured by the layer that decides them — never green while the Azure
 * Firewall denies them.
 *
 * The Azure cells of an edge depend only on its connection and on the cluster and Azure
 * snapshots, so they are evaluated once per edge and snapshot pair and kept; the combined status
 * (which also depends on the live counts) is recomputed cheaply on every delta. Evaluation runs
 * on the hub's tick under a time budget: edges left over are sent again on a later tick.
 */

import type { AzureSnapshot } from '../azure/types';
import type { FlowRecord } from '../flows/flow-record';
import type { GraphDelta, GraphEdge, GraphNode, GraphSnapshot } from '../graph/types';
import type { ClusterSnapshot } from '../k8s/types';
import { edgePath, type AzureCells } from '../layers/edge-path';
import { threeLayers, type ObservedFlow } from '../layers/three-layers';

export interface EdgePathInputs {
  cluster?: ClusterSnapshot;
  /** Absent when no Azure source describes this cluster: the Azure cells are then unknown. */
  azure?: AzureSnapshot;
}

/** What the annotator needs of the graph: node names for world peers, and a way to resend edges. */
export interface AnnotatedGraph {
  node(id: string): GraphNode | undefined;
  edge(id: string): Pick<GraphEdge, 'target'> | undefined;
  markDirty(edgeId: string): void;
  markAllDirty(): void;
}

/** Evaluation time per hub tick by default: a tenth of the loop (the tick is 100 ms). */
export const DEFAULT_EDGE_PATH_BUDGET_MS = 10;

export interface EdgePathOptions {
  /** Evaluation time per tick; the rest waits for the next tick. */
  budgetMs?: number;
  now?: () => number;
}

/** The FlowRecord fields the three-layer evaluation reads, copied so the record itself is not retained. */
function observedFlow(f: FlowRecord): ObservedFlow {
  const ep = (e: FlowRecord['source']) => ({ ip: e.ip, port: e.port, namespace: e.namespace, pod: e.pod, names: e.names });
  return { source: ep(f.source), destination: ep(f.destination), protocol: f.protocol, isReply: f.isReply, node: f.node, direction: f.direction };
}

export class EdgePathAnnotator {
  /** One observed flow per edge: the connection the Azure layers are evaluated for. */
  private readonly flows = new Map<string, ObservedFlow>();
  private readonly cells = new Map<string, AzureCells>();
  private readonly pending = new Set<string>();
  private inputs: EdgePathInputs | undefined;
  private readonly budgetMs: number;
  private readonly now: () => number;
  /** Evaluations run so far (for tests and status). */
  evaluations = 0;

  constructor(
    private readonly readInputs: () => EdgePathInputs | undefined,
    opts: EdgePathOptions = {},
  ) {
    this.budgetMs = opts.budgetMs ?? DEFAULT_EDGE_PATH_BUDGET_MS;
    this.now = opts.now ?? (() => performance.now());
  }

  /** Ingest hot path: remembers the first flow of each edge (one map lookup per flow). */
  noteFlow(edgeId: string, flow: FlowRecord): void {
    if (!this.flows.has(edgeId)) this.flows.set(edgeId, observedFlow(flow));
  }

  /**
   * Sets `path` on the delta's edges. Edges not evaluated within the budget go out with Cilium's
   * verdict and wait in a backlog; once evaluated on a later tick they are marked dirty, so a delta
   * carries each of them once more, with its path. New cluster or Azure snapshots re-evaluate every edge.
   */
  decorate(delta: GraphDelta | null, graph: AnnotatedGraph): void {
    for (const id of delta?.removeEdges ?? []) {
      this.flows.delete(id);
      this.cells.delete(id);
      this.pending.delete(id);
    }
    const inputs = this.readInputs();
    if (!inputs) return;
    if (!this.inputs || inputs.azure !== this.inputs.azure || inputs.cluster !== this.inputs.cluster) {
      this.inputs = inputs;
      this.cells.clear();
      graph.markAllDirty();
    }
    const deadline = this.now() + this.budgetMs;
    for (const e of delta?.upsertEdges ?? []) {
      let cells = this.cells.get(e.id);
      if (!cells) {
        const flow = this.flows.get(e.id);
        // No flow of the edge seen yet (it predates this annotator): its next flow brings it back here.
        if (!flow) continue;
        if (this.now() > deadline) {
          // Sent now with Cilium's verdict; evaluated on a later tick and sent again then.
          this.pending.add(e.id);
          continue;
        }
        cells = this.evaluate(e, flow, graph, inputs);
        this.cells.set(e.id, cells);
        this.pending.delete(e.id);
      }
      e.path = edgePath(e, cells);
    }
    // Edges left over by earlier ticks, as the budget allows: the next delta carries them with their path.
    for (const id of this.pending) {
      if (this.now() > deadline) break;
      this.pending.delete(id);
      const flow = this.flows.get(id);
      if (!flow || this.cells.has(id)) continue;
      this.cells.set(id, this.evaluate(id, flow, graph, inputs));
      graph.markDirty(id);
    }
  }

  /** Edges waiting for evaluation (over an earlier tick's budget). */
  get backlog(): number {
    return this.pending.size;
  }

  /** Sets `path` on snapshot edges already evaluated (a snapshot never waits for evaluation); `from`/`to`: a range of them. */
  decorateSnapshot(edges: GraphEdge[], from = 0, to = edges.length): void {
    for (let i = from; i < Math.min(to, edges.length); i++) {
      const e = edges[i];
      const cells = this.cells.get(e.id);
      if (cells) e.path = edgePath(e, cells);
    }
  }

  private evaluate(e: Pick<GraphEdge, 'target'> | string, flow: ObservedFlow, graph: AnnotatedGraph, inputs: EdgePathInputs): AzureCells {
    this.evaluations++;
    const target = typeof e === 'string' ? graph.edge(e)?.target : e.target;
    return azureCellsOf(flow, target ? graph.node(target)?.dnsName : undefined, inputs);
  }
}

/** The NSG and firewall verdicts of one connection (unknown when no Azure source describes the cluster). */
export function azureCellsOf(flow: ObservedFlow, dnsName: string | undefined, inputs: EdgePathInputs): AzureCells {
  if (!inputs.azure) {
    const unknown = { verdict: 'unknown' as const, reason: 'no Azure source is configured for this cluster (FLOWSIGHT_AZURE_DIR or FLOWSIGHT_AZURE_SUBSCRIPTION)' };
    return { nsg: unknown, firewall: unknown };
  }
  const layers = threeLayers(dnsName ? { ...flow, fqdn: dnsName } : flow, { cluster: inputs.cluster, azure: inputs.azure });
  return { nsg: layers.nsg, firewall: layers.firewall };
}

/**
 * Gives every edge of a graph drawn from the history (the map of a past window) its verdict over
 * all layers, as the live map's edges have it: a past edge the firewall denies is red, never green.
 * Each edge is evaluated for a representative connection (`flowOf`), against today's cluster and
 * Azure snapshots. An edge beyond the time budget, or with no connection to evaluate, says its NSG
 * and firewall verdicts are unknown (never "allowed by every layer"); the count is returned.
 */
export function annotatePastEdges(snapshot: GraphSnapshot, inputs: EdgePathInputs, flowOf: (edge: GraphEdge) => ObservedFlow | undefined, opts: EdgePathOptions = {}): { unevaluated: number } {
  const now = opts.now ?? (() => performance.now());
  const deadline = now() + (opts.budgetMs ?? 1500);
  const dnsNames = new Map(snapshot.nodes.map((n) => [n.id, n.dnsName]));
  let unevaluated = 0;
  for (const e of snapshot.edges) {
    const flow = now() <= deadline ? flowOf(e) : undefined;
    if (!flow) unevaluated++;
    e.path = edgePath(e, flow ? azureCellsOf(flow, dnsNames.get(e.target) || undefined, inputs) : undefined);
  }
  return { unevaluated };
}
