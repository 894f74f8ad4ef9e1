import { describe, expect, it } from 'vitest';
import { RESERVED_IDENTITY, emptyEndpoint, type FlowRecord } from '../flows/flow-record';
import { describeConnection, ObservedConnections, peerRefOf } from './observed-connections';

const flow = (o: Partial<FlowRecord> & Pick<FlowRecord, 'uuid'>): FlowRecord => ({
  time: 1, verdict: 'FORWARDED', dropReason: '', direction: 'EGRESS', isReply: false, protocol: 'TCP', tcpFlags: [],
  source: { ...emptyEndpoint(), namespace: 'shop', pod: 'web-7d9f-abcde', ip: '10.244.0.4', workloads: [{ name: 'web', kind: 'Deployment' }] },
  destination: { ...emptyEndpoint(), ip: '1.2.3.4', port: 443, identity: RESERVED_IDENTITY.world, labels: ['reserved:world'], names: ['Example.org.'] },
  node: 'aks/aks-nodepool1-0', type: 'L3_L4', eventType: 5, egressAllowedBy: [], ingressAllowedBy: [], egressDeniedBy: [], ingressDeniedBy: [], summary: '',
  ...o,
});

describe('ObservedConnections', () => {
  it('one entry per workload, destination, port and protocol; internet peers by DNS name', () => {
    const c = new ObservedConnections().addAll([flow({ uuid: 'a' }), flow({ uuid: 'b', time: 5 }), flow({ uuid: 'c', verdict: 'DROPPED' })]);
    const [only, ...rest] = c.snapshot().connections;
    expect(rest).toEqual([]);
    expect(only).toMatchObject({ source: { kind: 'pod', namespace: 'shop', workload: 'web' }, destination: { kind: 'world', ip: '1.2.3.4', name: 'example.org' }, port: 443, passed: 2, dropped: 1, sampleUuids: ['a', 'b', 'c'], sourceNode: 'aks/aks-nodepool1-0', firstSeen: 1, lastSeen: 5 });
    expect(describeConnection(only)).toBe('shop/web -> example.org:443/TCP');
    expect(peerRefOf(only.source)).toEqual({ pod: 'shop/web-7d9f-abcde' });
  });

  it('replies belong to the connection they answer and are skipped; reserved peers keep their entity', () => {
    const c = new ObservedConnections().addAll([
      flow({ uuid: 'r', isReply: true }),
      flow({ uuid: 'k', destination: { ...emptyEndpoint(), ip: '20.50.12.7', port: 443, identity: RESERVED_IDENTITY.kubeApiserver, labels: ['reserved:kube-apiserver'] } }),
    ]);
    const list = c.snapshot().connections;
    expect(list).toHaveLength(1);
    expect(peerRefOf(list[0].destination)).toEqual({ entity: 'kube-apiserver', ip: '20.50.12.7' });
  });

  it('keys a pod by its namespace and workload even when endpoints share one labels array (no stale key)', () => {
    const labels = Object.freeze(['k8s:app=web']) as string[];
    const src = (namespace: string, workload: string, pod: string) => ({ ...emptyEndpoint(), namespace, pod, ip: '10.244.0.4', labels, workloads: workload ? [{ name: workload, kind: 'Deployment' }] : [] });
    const c = new ObservedConnections().addAll([
      flow({ uuid: 'a', source: src('shop', 'web', 'web-1') }),
      flow({ uuid: 'b', source: src('shop', 'api', 'api-1') }),
      flow({ uuid: 'c', source: src('billing', 'api', 'api-1') }),
      flow({ uuid: 'd', source: src('shop', '', 'bare-pod') }),
      flow({ uuid: 'e', source: src('shop', 'web', 'web-2') }),
    ]);
    expect(c.snapshot().connections.map((x) => [describeConnection(x), x.sampleUuids])).toEqual([
      ['shop/web -> example.org:443/TCP', ['a', 'e']],
      ['shop/api -> example.org:443/TCP', ['b']],
      ['billing/api -> example.org:443/TCP', ['c']],
      ['shop/bare-pod -> example.org:443/TCP', ['d']],
    ]);
  });

  it('is bounded: connections past the cap are counted, not kept', () => {
    const c = new ObservedConnections({ maxKeys: 2 });
    for (let port = 1; port <= 5; port++) c.add(flow({ uuid: `p${port}`, destination: { ...emptyEndpoint(), ip: '1.2.3.4', port, identity: RESERVED_IDENTITY.world } }));
    expect(c.size).toBe(2);
    expect(c.snapshot().dropped).toBe(3);
  });
});
