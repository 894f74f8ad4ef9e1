import { describe, expect, it } from 'vitest';
import { FlowSummary } from './flow-summary';
import { RESERVED_IDENTITY, emptyEndpoint, type FlowRecord } from '../flows/flow-record';
import { FlowGraph } from '../graph/flow-graph';
import { edgeIdOf } from '../graph/graph-ids';

const flow = (over: Partial<FlowRecord> & { uuid: string }): FlowRecord => ({
  time: 1000, verdict: 'FORWARDED', dropReason: '', direction: 'EGRESS', isReply: false, protocol: 'TCP', tcpFlags: [],
  source: { ...emptyEndpoint(), namespace: 'legacy', pod: 'app-1', workloads: [{ name: 'app', kind: 'Deployment' }], ip: '10.0.0.1' },
  destination: { ...emptyEndpoint(), ip: '140.82.121.6', port: 443, identity: RESERVED_IDENTITY.world, names: ['api.github.com'] },
  node: '', type: 'L3_L4', eventType: 5, egressAllowedBy: [], ingressAllowedBy: [], egressDeniedBy: [], ingressDeniedBy: [], summary: '', ...over,
});

describe('FlowSummary', () => {
  it('counts world egress per workload, DNS drops, audited paths and learns DNS answers', () => {
    const s = new FlowSummary({ samplesPerKey: 2 });
    s.add(flow({ uuid: 'a' }));
    s.add(flow({ uuid: 'b', time: 2000 }));
    s.add(flow({ uuid: 'c', time: 3000 }));
    s.add(flow({ uuid: 'reply', isReply: true }));
    s.add(flow({ uuid: 'd', verdict: 'DROPPED', protocol: 'UDP', destination: { ...emptyEndpoint(), ip: '10.0.0.53', port: 53, namespace: 'kube-system', pod: 'coredns-1', workloads: [{ name: 'coredns', kind: 'Deployment' }] } }));
    s.add(flow({ uuid: 'e', verdict: 'AUDIT' }));
    s.add(flow({ uuid: 'f', type: 'L7', destination: { ...emptyEndpoint(), ip: '10.0.0.53', port: 53, namespace: 'kube-system', pod: 'coredns-1' }, l7: { type: 'RESPONSE', latencyNs: 0, dns: { query: 'pypi.org.', ips: ['151.101.0.223'], ttl: 60, cnames: [], rcode: 0, qtypes: [], rrtypes: [] } } }));
    const snap = s.snapshot();
    expect(snap.flowsSeen).toBe(7);
    expect(snap.worldEgress).toEqual([{ source: 'legacy/app', destinations: ['api.github.com'], count: 4, sampleUuids: ['a', 'b'], firstSeen: 1000, lastSeen: 3000 }]);
    expect(snap.dnsDrops).toEqual([expect.objectContaining({ source: 'legacy/app', count: 1, sampleUuids: ['d'] })]);
    expect(snap.audited).toEqual([expect.objectContaining({ source: 'legacy/app', destination: 'world:api.github.com', port: 443, protocol: 'TCP', count: 1 })]);
    expect(snap.dnsAnswers).toEqual({ 'api.github.com': ['140.82.121.6'], 'pypi.org': ['151.101.0.223'] });
  });

  it('is bounded: keys past the cap are counted as dropped', () => {
    const s = new FlowSummary({ maxKeys: 1 });
    s.add(flow({ uuid: 'a' }));
    s.add(flow({ uuid: 'b', source: { ...emptyEndpoint(), namespace: 'other', pod: 'x' }, destination: { ...emptyEndpoint(), ip: '1.1.1.1', identity: RESERVED_IDENTITY.world } }));
    const snap = s.snapshot();
    expect(snap.worldEgress).toHaveLength(1);
    expect(snap.dropped).toBe(1);
  });

  it('names workloads and peers by the node ids the graph gives the same flows', () => {
    const bare = { ...emptyEndpoint(), namespace: 'shop', pod: 'debug-7f9c6d8b5-abcde', ip: '10.0.0.9' };
    const flows = [
      // A pod Cilium reports no workload for: the graph names its node after the pod name's stem.
      flow({ uuid: 'w', source: bare }),
      flow({ uuid: 'd', verdict: 'DROPPED', protocol: 'UDP', source: bare, destination: { ...emptyEndpoint(), ip: '10.0.0.53', port: 53, namespace: 'kube-system', pod: 'coredns-1', workloads: [{ name: 'coredns', kind: 'Deployment' }] } }),
      flow({ uuid: 'a1', verdict: 'AUDIT', destination: { ...emptyEndpoint(), ip: '140.82.121.6', port: 443, identity: RESERVED_IDENTITY.world, names: ['API.GitHub.com.'] } }),
      flow({ uuid: 'a2', verdict: 'AUDIT', destination: { ...emptyEndpoint(), ip: '1.1.1.1', port: 443, identity: RESERVED_IDENTITY.world } }),
      flow({ uuid: 'a3', verdict: 'AUDIT', destination: { ...emptyEndpoint(), ip: '10.224.0.4', port: 10250, identity: RESERVED_IDENTITY.host } }),
      flow({ uuid: 'a4', verdict: 'AUDIT', destination: { ...emptyEndpoint(), ip: '10.9.9.9', port: 8080 } }),
    ];
    const snap = new FlowSummary().addAll(flows).snapshot();
    const graph = new FlowGraph();
    for (const f of flows) graph.add(f);
    const nodes = new Set(graph.snapshot().nodes.map((n) => n.id));
    expect(snap.worldEgress.map((w) => w.source)).toContain('shop/debug');
    expect(snap.dnsDrops.map((d) => d.source)).toEqual(['shop/debug']);
    for (const s of [...snap.worldEgress, ...snap.dnsDrops]) expect(nodes.has(s.source), s.source).toBe(true);
    expect(snap.audited.map((a) => a.destination).sort()).toEqual(['host', 'unknown:10.9.9.9', 'world', 'world:api.github.com']);
    // Each audited path is an edge of the graph: a finding's link selects what the map draws.
    const edges = new Set(flows.filter((f) => f.verdict === 'AUDIT').map((f) => FlowGraph.edgeIdOf(f)));
    for (const a of snap.audited) expect(edges.has(edgeIdOf(a.source, a.destination, a.port, a.protocol)), a.destination).toBe(true);
  });

  it('an AUDIT path keeps what says who would deny it: the connection, where Cilium saw it, its denied-by refs; a world source counts too', () => {
    const world = { ...emptyEndpoint(), ip: '203.0.113.7', port: 51000, identity: RESERVED_IDENTITY.world, labels: ['reserved:world'] };
    const api = { ...emptyEndpoint(), namespace: 'shop', pod: 'api-1', ip: '10.0.0.7', port: 8443, workloads: [{ name: 'api', kind: 'Deployment' }] };
    const trial = { kind: 'CiliumNetworkPolicy', namespace: 'shop', name: 'trial' };
    const snap = new FlowSummary()
      .addAll([
        flow({ uuid: 'x1', verdict: 'AUDIT', direction: 'INGRESS', source: world, destination: api }),
        flow({ uuid: 'x2', verdict: 'AUDIT', direction: 'INGRESS', source: world, destination: api, ingressDeniedBy: [trial] }),
      ])
      .snapshot();
    expect(snap.audited).toEqual([
      expect.objectContaining({
        source: 'world',
        destination: 'shop/api',
        count: 2,
        direction: 'INGRESS',
        connection: expect.objectContaining({ from: { ip: '203.0.113.7' }, to: { pod: 'shop/api-1' }, port: 8443, protocol: 'TCP' }),
        reported: { direction: 'ingress', cause: 'reported', policies: [trial] },
      }),
    ]);
  });
});

