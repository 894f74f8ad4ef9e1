import { describe, expect, it } from 'vitest';
import { FlowSummary } from './flow-summary';
import { RESERVED_IDENTITY, emptyEndpoint, type FlowRecord } from '../flows/flow-record';

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
});
