/**
 * How fast the server gives map edges their verdict over every layer (EdgePathAnnotator): 20,000
 * internet edges (the graph's edge cap) from the demo cluster's pods to distinct destinations,
 * evaluated against the demo Azure network (NSGs, UDR to the firewall, firewall policy, service tags).
 * Reports evaluations per second and how many hub ticks (HUB_TICK_MS, DEFAULT_EDGE_PATH_BUDGET_MS budget each) it takes to
 * colour all of them. Last line: JSON.
 */
import { demoAzureSnapshot } from '../lib/azure/demo';
import { emptyEndpoint, type FlowRecord } from '../lib/flows/flow-record';
import { flow, world } from '../lib/testing/flow-fixtures';
import { FlowGraph } from '../lib/graph/flow-graph';
import { demoSnapshot } from '../lib/k8s/demo-source';
import { DEFAULT_EDGE_PATH_BUDGET_MS, EdgePathAnnotator } from '../lib/server/edge-paths';
import { HUB_TICK_MS } from '../lib/server/hub';

const EDGES = Number(process.env.EDGES ?? 20_000);
const cluster = demoSnapshot().snapshot;
const azure = demoAzureSnapshot();
const pods = cluster.pods.filter((p) => p.ip && !p.hostNetwork);

function flowTo(i: number): FlowRecord {
  const p = pods[i % pods.length];
  const ip = `20.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;
  const source = { ...emptyEndpoint(), ip: p.ip!, port: 40000, namespace: p.namespace, pod: p.name, labels: [`k8s:app=${p.labels.app ?? p.name}`] };
  return flow(source, world(`svc-${i}.example.com`, ip), { direction: 'EGRESS', node: `aks-prod-weu/${p.node ?? ''}`, destination: { ...world(`svc-${i}.example.com`, ip), port: 443 } });
}

const graph = new FlowGraph({ maxEdges: EDGES + 10 });
const annotator = new EdgePathAnnotator(() => ({ cluster, azure }), { budgetMs: DEFAULT_EDGE_PATH_BUDGET_MS });
for (let i = 0; i < EDGES; i++) {
  const f = flowTo(i);
  annotator.noteFlow(graph.add(f), f);
}
annotator.decorate(null, graph); // inputs seen
let ticks = 0;
let coloured = 0;
const t0 = performance.now();
while (coloured < graph.size.edges && ticks < 10_000) {
  const delta = graph.takeDelta();
  annotator.decorate(delta, graph);
  coloured += delta?.upsertEdges.filter((e) => e.path).length ?? 0;
  ticks++;
}
const ms = performance.now() - t0;
const evaluationsPerSec = Math.round(annotator.evaluations / (ms / 1000));
console.log(`${annotator.evaluations} edges evaluated in ${ms.toFixed(0)} ms over ${ticks} ticks of ${DEFAULT_EDGE_PATH_BUDGET_MS} ms budget (${evaluationsPerSec.toLocaleString('en-US')}/s)`);
console.log(JSON.stringify({ edges: graph.size.edges, evaluationsPerSec, totalMs: Math.round(ms), ticks, secondsToColourAll: Math.round((ticks * HUB_TICK_MS) / 100) / 10, heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576) }));
