import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import type { EdgeAggregate } from '../history/flow-store';
import { FLOW_COLUMN_NAMES, flowToRow } from '../history/schema';
import { flow, pod, reserved, world } from '../testing/flow-fixtures';
import { FlowGraph } from './flow-graph';
import { graphOfEdgeAggregates, livePolicyName } from './history-graph';
import type { GraphEdge, GraphNode, GraphSnapshot } from './types';

const MINUTE = 60_000;
const T0 = 1_795_000_020_000;

const frontend1 = pod('production', 'frontend-7d9f8b6c4-x7k2p');
const frontend2 = pod('production', 'frontend-7d9f8b6c4-m4q9z');
const api = pod('production', 'api-server-5f6d7c8b9-b8w3n', { port: 8080 });
const postgres = pod('production', 'postgres-0', { port: 5432 });
const legacy = pod('legacy', 'legacy-app-6c7d8e9f0-q2w3e');
const coredns = pod('kube-system', 'coredns-6d8c5f9b7d-x7k2p', { port: 53, labels: ['k8s:k8s-app=kube-dns'] });
const policy = (name: string, namespace = 'production') => ({ kind: 'CiliumNetworkPolicy', namespace, name });

/**
 * What the store's roll-up (the materialized view in schema.ts) keeps of these flows: one row per
 * minute, edge, verdict and drop reason, computed from the stored columns (flowToRow), replies
 * swapped onto the connection they answer.
 */
function rollUp(flows: readonly FlowRecord[]): EdgeAggregate[] {
  const rows = new Map<string, EdgeAggregate>();
  for (const f of flows) {
    const raw = flowToRow(f);
    const c = Object.fromEntries(FLOW_COLUMN_NAMES.map((n, i) => [n, raw[i]])) as Record<string, never>;
    const reply = c.is_reply === 1;
    const [s, d] = reply ? ['dst', 'src'] : ['src', 'dst'];
    const side = (p: string, col: string) => c[`${p}_${col}`] as string;
    const minute = Math.floor(f.time / MINUTE) * MINUTE;
    const port = (reply ? c.src_port : c.dst_port) as number;
    const key = [minute, side(s, 'node'), side(d, 'node'), port, f.protocol, f.verdict, f.dropReason].join('\u0000');
    let r = rows.get(key);
    if (!r) {
      r = {
        source: side(s, 'node'),
        target: side(d, 'node'),
        port,
        protocol: f.protocol,
        verdict: f.verdict,
        dropReason: f.dropReason,
        sourceNamespace: side(s, 'ns'),
        targetNamespace: side(d, 'ns'),
        sourceKind: side(s, 'node_kind'),
        targetKind: side(d, 'node_kind'),
        sourceLabel: side(s, 'workload'),
        targetLabel: side(d, 'workload'),
        sourceWorkloadKind: side(s, 'workload_kind'),
        targetWorkloadKind: side(d, 'workload_kind'),
        sourceApp: side(s, 'app'),
        targetApp: side(d, 'app'),
        sourcePods: [],
        targetPods: [],
        flows: 0,
        replies: 0,
        l7: { http: 0, dns: 0, kafka: 0 },
        allowedBy: [],
        deniedBy: [],
        firstSeen: f.time,
        lastSeen: f.time,
      };
      rows.set(key, r);
    }
    // groupUniqArrayArray keeps '' (a peer outside the cluster has no pod) as the view does.
    if (!r.sourcePods.includes(side(s, 'pod')) && r.sourcePods.length < 20) r.sourcePods.push(side(s, 'pod'));
    if (!r.targetPods.includes(side(d, 'pod')) && r.targetPods.length < 20) r.targetPods.push(side(d, 'pod'));
    r.flows++;
    if (reply) r.replies++;
    if (c.http_method !== '' || c.http_code !== 0) r.l7.http++;
    if (c.dns_query !== '') r.l7.dns++;
    if (c.kafka_api_key !== '') r.l7.kafka++;
    for (const p of [...(c.egress_allowed_by as string[]), ...(c.ingress_allowed_by as string[])]) if (!r.allowedBy.includes(p)) r.allowedBy.push(p);
    for (const p of [...(c.egress_denied_by as string[]), ...(c.ingress_denied_by as string[])]) if (!r.deniedBy.includes(p)) r.deniedBy.push(p);
    r.firstSeen = Math.min(r.firstSeen, f.time);
    r.lastSeen = Math.max(r.lastSeen, f.time);
  }
  return [...rows.values()];
}

function liveGraph(flows: readonly FlowRecord[]): GraphSnapshot {
  const g = new FlowGraph({ windowMs: 24 * 60 * MINUTE });
  for (const f of flows) g.add(f);
  g.takeDelta();
  return g.snapshot();
}

/** Pod lists are sets (which pods are listed first depends on arrival order): compare them sorted. */
const comparableNode = (n: GraphNode) => ({ ...n, pods: [...n.pods].sort() });
const comparableEdge = (e: GraphEdge) => ({ ...e, allowedBy: [...e.allowedBy].sort(), deniedBy: [...e.deniedBy].sort() });
const byId = <T extends { id: string }>(a: T, b: T) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);

/** Flows spread over five minutes: replicas, replies, drops with reasons, audit, L7, policies, peers outside the cluster. */
function incident(): FlowRecord[] {
  const out: FlowRecord[] = [];
  let t = T0;
  const at = (f: FlowRecord) => out.push({ ...f, time: (t += 7_919) });
  for (let i = 0; i < 40; i++) {
    at(flow(i % 2 ? frontend1 : frontend2, api, { egressAllowedBy: [policy('frontend-egress')], l7: i % 4 === 0 ? { type: 'RESPONSE', latencyNs: 1, http: { method: 'GET', url: '/api', code: 200, protocol: 'HTTP/1.1', headers: [] } } : undefined }));
    at(flow({ ...api, port: 8080 }, { ...frontend1, port: 41000 + i }, { isReply: true, direction: 'INGRESS' }));
    if (i % 3 === 0) at(flow(api, postgres, { ingressAllowedBy: [policy('db', 'production'), { kind: 'CiliumClusterwideNetworkPolicy', namespace: '', name: 'baseline' }] }));
    if (i % 5 === 0) at(flow(legacy, postgres, { verdict: 'DROPPED', dropReason: 'POLICY_DENIED', ingressDeniedBy: [policy('deny-legacy')] }));
    if (i % 7 === 0) at(flow(legacy, postgres, { verdict: 'FORWARDED' }));
    if (i % 6 === 0) at(flow(frontend1, world('api.github.com'), { destination: { ...world('api.github.com'), port: 443 }, verdict: 'AUDIT' }));
    if (i % 8 === 0) at(flow(api, world(''), { destination: { ...world(''), port: 443 }, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }));
    if (i % 4 === 1) at(flow(reserved('host'), api, { verdict: 'FORWARDED' }));
    if (i % 9 === 0) at(flow(api, coredns, { protocol: 'UDP', l7: { type: 'REQUEST', latencyNs: 0, dns: { query: 'postgres.production.svc.cluster.local.', ips: [], ttl: 0, cnames: [], rcode: 0, qtypes: ['A'], rrtypes: [] } } }));
    if (i === 20) at(flow(reserved('kube-apiserver'), api, { verdict: 'ERROR' }));
  }
  return out;
}

describe('graphOfEdgeAggregates', () => {
  it('draws a past window exactly as the live graph drew the same flows', () => {
    const flows = incident();
    const rows = rollUp(flows);
    // Several minutes and verdicts per edge: the fold has work to do.
    expect(rows.length).toBeGreaterThan(new Set(rows.map((r) => `${r.source}|${r.target}|${r.port}`)).size);
    const past = graphOfEdgeAggregates(rows);
    const live = liveGraph(flows);
    expect(past.edges.map(comparableEdge).sort(byId)).toEqual(live.edges.map(comparableEdge).sort(byId));
    expect(past.nodes.map(comparableNode).sort(byId)).toEqual(live.nodes.map(comparableNode).sort(byId));
  });

  it('folds replies onto the connection they answer', () => {
    const flows = [flow(frontend1, api, { time: T0 }), flow({ ...api, port: 8080 }, { ...frontend1, port: 41000 }, { isReply: true, time: T0 + 1 })];
    const g = graphOfEdgeAggregates(rollUp(flows));
    expect(g.edges).toHaveLength(1);
    expect(g.edges[0]).toMatchObject({ id: 'production/frontend|production/api-server|8080|TCP', total: 2, replies: 1 });
  });

  it('sums counts, replies, L7 and drop reasons across minutes and verdict rows', () => {
    const flows = [
      flow(legacy, postgres, { time: T0, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }),
      flow(legacy, postgres, { time: T0 + MINUTE, verdict: 'DROPPED', dropReason: 'POLICY_DENIED' }),
      flow(legacy, postgres, { time: T0 + 2 * MINUTE, verdict: 'DROPPED', dropReason: 'CT_MAP_INSERTION_FAILED' }),
      flow(legacy, postgres, { time: T0 + 3 * MINUTE, verdict: 'FORWARDED' }),
      flow(legacy, postgres, { time: T0 + 3 * MINUTE + 5, verdict: 'TRACED' }),
    ];
    const rows = rollUp(flows);
    expect(rows).toHaveLength(5);
    const [e] = graphOfEdgeAggregates(rows).edges;
    expect(e.counts).toEqual({ forwarded: 1, dropped: 3, audit: 0, error: 0, other: 1 });
    expect(e.total).toBe(5);
    expect(e.dropReasons).toEqual({ POLICY_DENIED: 2, CT_MAP_INSERTION_FAILED: 1 });
    expect(e.firstSeen).toBe(T0);
    expect(e.lastSeen).toBe(T0 + 3 * MINUTE + 5);
  });

  it('sums rows the store already aggregated over the window', () => {
    const [row] = rollUp([flow(frontend1, api, { time: T0 })]);
    const e = graphOfEdgeAggregates([
      { ...row, flows: 1000, replies: 400, l7: { http: 10, dns: 0, kafka: 0 } },
      { ...row, flows: 234, replies: 100, l7: { http: 5, dns: 0, kafka: 1 }, firstSeen: T0 - MINUTE, lastSeen: T0 + 5 * MINUTE },
    ]).edges[0];
    expect(e).toMatchObject({ total: 1234, replies: 500, l7: { http: 15, dns: 0, kafka: 1 }, firstSeen: T0 - MINUTE, lastSeen: T0 + 5 * MINUTE });
  });

  it.each([
    [['FORWARDED'], 'allowed'],
    [['DROPPED'], 'denied'],
    [['AUDIT'], 'audit'],
    [['FORWARDED', 'DROPPED'], 'mixed'],
    [['AUDIT', 'DROPPED'], 'mixed'],
    [['REDIRECTED', 'DROPPED'], 'mixed'],
    [['FORWARDED', 'AUDIT'], 'audit'],
  ] as const)('verdicts %j make the edge %s', (verdicts, status) => {
    const flows = verdicts.map((verdict, i) => flow(frontend1, api, { verdict, time: T0 + i * MINUTE, dropReason: verdict === 'DROPPED' ? 'POLICY_DENIED' : '' }));
    expect(graphOfEdgeAggregates(rollUp(flows)).edges[0].status).toBe(status);
  });

  it('rebuilds world and host peers as the live map names them, without pods or namespace', () => {
    const flows = [
      flow(frontend1, { ...world('API.GitHub.com.'), port: 443 }, { time: T0 }),
      flow(api, { ...world(''), port: 443 }, { time: T0 + 1 }),
      flow(reserved('host'), api, { time: T0 + 2 }),
      flow(reserved('remote-node'), api, { time: T0 + 3 }),
    ];
    const nodes = new Map(graphOfEdgeAggregates(rollUp(flows)).nodes.map((n) => [n.id, n]));
    expect(nodes.get('world:api.github.com')).toMatchObject({ kind: 'world', label: 'api.github.com', dnsName: 'api.github.com', namespace: '', pods: [], podCount: 0 });
    expect(nodes.get('world')).toMatchObject({ kind: 'world', label: 'world (no DNS name)', dnsName: '', pods: [] });
    expect(nodes.get('host')).toMatchObject({ kind: 'host', label: 'host (node)', namespace: '', pods: [], workloadKind: '' });
    expect(nodes.get('remote-node')).toMatchObject({ kind: 'remote-node', label: 'remote-node' });
    expect(nodes.get('production/frontend')).toMatchObject({ kind: 'workload', namespace: 'production', label: 'frontend', workloadKind: 'Deployment', app: 'frontend', pods: ['frontend-7d9f8b6c4-x7k2p'], podCount: 1 });
  });

  it('counts distinct pods across minutes and lists at most maxPodsListed', () => {
    const flows = Array.from({ length: 6 }, (_, i) => flow(pod('production', `frontend-7d9f8b6c4-p${i}xyz`), api, { time: T0 + i * MINUTE }));
    const node = graphOfEdgeAggregates(rollUp(flows), { maxPodsListed: 4 }).nodes.find((n) => n.id === 'production/frontend')!;
    expect(node.podCount).toBe(6);
    expect(node.pods).toHaveLength(4);
  });

  it('names policies as the live map does (cluster-wide ones without the empty namespace), at most eight', () => {
    expect(livePolicyName('CiliumNetworkPolicy/production/db')).toBe('CiliumNetworkPolicy/production/db');
    expect(livePolicyName('CiliumClusterwideNetworkPolicy//baseline')).toBe('CiliumClusterwideNetworkPolicy/baseline');
    const [row] = rollUp([flow(frontend1, api, { time: T0 })]);
    const names = Array.from({ length: 12 }, (_, i) => `CiliumNetworkPolicy/production/p${i}`);
    const e = graphOfEdgeAggregates([{ ...row, allowedBy: names.slice(0, 6) }, { ...row, allowedBy: names.slice(3) }]).edges[0];
    expect(e.allowedBy).toEqual(names.slice(0, 8));
  });

  it('keeps the most recently seen edges past maxEdges, and only the nodes they join', () => {
    const flows = [flow(legacy, postgres, { time: T0 }), flow(frontend1, api, { time: T0 + MINUTE }), flow(api, postgres, { time: T0 + 2 * MINUTE })];
    const g = graphOfEdgeAggregates(rollUp(flows), { maxEdges: 2 });
    expect(g.edges.map((e) => e.id).sort()).toEqual(['production/api-server|production/postgres|5432|TCP', 'production/frontend|production/api-server|8080|TCP']);
    expect(g.nodes.map((n) => n.id).sort()).toEqual(['production/api-server', 'production/frontend', 'production/postgres']);
  });

  it('is empty for an empty window', () => {
    expect(graphOfEdgeAggregates([])).toEqual({ seq: 0, nodes: [], edges: [] });
  });
});
