/**
 * foldFlows: observed flows folded into the distinct connections a what-if replays. The grouping
 * follows how Cilium decides (docs.cilium.io "Policy Language" / "Identity": pods with the same labels
 * in the same namespace share a security identity, so one verdict; peers outside the cluster are
 * matched by address, CIDR and DNS name), and stateful enforcement (a reply passes with the connection
 * it answers, so replies are never replayed on their own). L7 HTTP rules match the path, never the
 * query string (docs.cilium.io "Layer 7 Examples", HTTP `path` is matched against the URL path).
 */

import { describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { flow, pod, world } from '../testing/flow-fixtures';
import { countVerdict, emptyCounts, foldFlows, observedPassing, urlPath, type TrafficConnection } from './observed-traffic';

const T = 1_795_000_000_000;
const OPEN = { since: null, until: null };
const rs = { workloads: [{ name: 'api', kind: 'Deployment' }] };
const api1 = pod('shop', 'api-7f9d8c6b4-aaaaa', { ...rs, ip: '10.0.0.11', labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=shop'] });
const api2 = pod('shop', 'api-7f9d8c6b4-bbbbb', { ...rs, ip: '10.0.0.12', labels: ['k8s:io.kubernetes.pod.namespace=shop', 'k8s:app=api'] });
// Other labels: another Cilium security identity.
const apiCanary = pod('shop', 'api-7f9d8c6b4-ccccc', { ...rs, ip: '10.0.0.13', identity: 20_001, labels: ['k8s:app=api', 'k8s:track=canary', 'k8s:io.kubernetes.pod.namespace=shop'] });
const db = pod('data', 'postgres-0', { ip: '10.0.1.5', workloads: [{ name: 'postgres', kind: 'StatefulSet' }], port: 5432 });
const http = (method: string, url: string): FlowRecord['l7'] => ({ type: 'REQUEST', latencyNs: 0, http: { method, url, code: 0, protocol: 'HTTP/1.1', headers: [] } });

const one = (flows: FlowRecord[]) => {
  const t = foldFlows(flows, OPEN);
  expect(t.connections).toHaveLength(1);
  return t.connections[0];
};

describe('foldFlows', () => {
  it('leaves replies out (they pass with their connection) and keeps flows whose direction is unknown', () => {
    const req = flow(api1, db, { time: T, uuid: 'req' });
    const reply = flow({ ...db, port: 5432 }, { ...api1, port: 41000 }, { time: T + 1, uuid: 'reply', isReply: true });
    const unknown = flow(api1, db, { time: T + 2, uuid: 'unknown', isReply: null });
    const t = foldFlows([req, reply, unknown], OPEN);
    expect(t.flows).toBe(2);
    expect(t.connections).toHaveLength(1);
    expect(t.connections[0]).toMatchObject({ flows: 2, port: 5432, protocol: 'TCP' });
    expect(t.connections[0].source.pod).toBe('api-7f9d8c6b4-aaaaa');
  });

  it('groups pods of one workload with the same labels (one Cilium identity), whatever their order or address', () => {
    const c = one([flow(api1, db, { time: T }), flow(api2, db, { time: T + 1 })]);
    expect(c.flows).toBe(2);
    expect(c.source.workload).toBe('api');
    expect(c.source.namespace).toBe('shop');
  });

  it('keeps pods with other labels apart (another identity, possibly another verdict)', () => {
    const t = foldFlows([flow(api1, db, { time: T }), flow(apiCanary, db, { time: T + 1 })], OPEN);
    expect(t.connections).toHaveLength(2);
    expect(t.connections.map((c) => c.source.labels.includes('k8s:track=canary')).sort()).toEqual([false, true]);
  });

  it('keeps peers outside the cluster apart by address, and by port and protocol', () => {
    const a = world('api.stripe.com', '54.187.174.169');
    const b = world('api.stripe.com', '54.187.174.170');
    const t = foldFlows(
      [
        flow(api1, { ...a, port: 443 }, { time: T }),
        flow(api2, { ...a, port: 443 }, { time: T + 1 }),
        flow(api1, { ...b, port: 443 }, { time: T + 2 }),
        flow(api1, { ...a, port: 80 }, { time: T + 3 }),
        flow(api1, { ...a, port: 443 }, { time: T + 4, protocol: 'UDP' }),
      ],
      OPEN,
    );
    expect(t.connections.map((c) => `${c.destination.ip}:${c.port}/${c.protocol}=${c.flows}`).sort()).toEqual([
      '54.187.174.169:443/TCP=2',
      '54.187.174.169:443/UDP=1',
      '54.187.174.169:80/TCP=1',
      '54.187.174.170:443/TCP=1',
    ]);
  });

  it('gathers the DNS names seen on any flow of a connection (for toFQDNs)', () => {
    const c = one([
      flow(api1, { ...world('api.stripe.com', '54.187.174.169'), port: 443 }, { time: T }),
      flow(api1, { ...world('', '54.187.174.169'), port: 443 }, { time: T + 1 }),
      flow(api1, { ...world('stripe.com', '54.187.174.169'), port: 443 }, { time: T + 2 }),
    ]);
    expect(c.destination.names).toEqual(['api.stripe.com', 'stripe.com']);
  });

  it('keeps the L7 request: HTTP method and path without query string or fragment, DNS query', () => {
    const dst = { ...db, port: 8080 };
    const t = foldFlows(
      [
        flow(api1, dst, { time: T, l7: http('GET', 'http://orders:8080/api/orders?id=1') }),
        flow(api1, dst, { time: T + 1, l7: http('GET', 'http://orders:8080/api/orders?id=2#top') }),
        flow(api1, dst, { time: T + 2, l7: http('POST', 'http://orders:8080/api/orders') }),
        flow(api1, dst, { time: T + 3 }),
        flow(api1, { ...db, port: 53 }, { time: T + 4, protocol: 'UDP', l7: { type: 'REQUEST', latencyNs: 0, dns: { query: 'api.stripe.com.', ips: [], ttl: 0, cnames: [], rcode: 0, qtypes: ['A'], rrtypes: [] } } }),
      ],
      OPEN,
    );
    const key = (c: TrafficConnection) => `${c.httpMethod ?? '-'} ${c.httpPath ?? '-'} ${c.dnsQuery ?? '-'} ${c.flows}`;
    expect(t.connections.map(key).sort()).toEqual(['- - - 1', '- - api.stripe.com. 1', 'GET /api/orders - 2', 'POST /api/orders - 1']);
    const get = t.connections.find((c) => c.httpMethod === 'GET')!;
    expect(get.httpPath).toBe('/api/orders');
    expect(get).not.toHaveProperty('dnsQuery');
  });

  it('reads the window with since inclusive and until exclusive', () => {
    const flows = [0, 1000, 2000, 3000].map((d) => flow(api1, db, { time: T + d, uuid: `t${d}` }));
    const t = foldFlows(flows, { since: T + 1000, until: T + 3000 });
    expect(t.flows).toBe(2);
    expect(t.connections[0]).toMatchObject({ firstSeen: T + 1000, lastSeen: T + 2000, exampleUuid: 't2000' });
    expect(t.range).toEqual({ since: T + 1000, until: T + 3000 });
    expect(foldFlows(flows, { since: T + 4000, until: null }).connections).toEqual([]);
  });

  it('counts verdicts per connection', () => {
    const c = one(
      (['FORWARDED', 'FORWARDED', 'DROPPED', 'AUDIT', 'ERROR', 'TRACED'] as const).map((verdict, i) => flow(api1, db, { time: T + i, verdict })),
    );
    expect(c.verdicts).toEqual({ forwarded: 2, dropped: 1, audit: 1, error: 1, other: 1 });
    expect(c.flows).toBe(6);
  });

  it('takes the newest flow as the example, whatever the order flows arrive in, and its Hubble node', () => {
    const c = one([
      flow(api1, db, { time: T + 5, uuid: 'middle', node: 'n/b' }),
      flow(api1, db, { time: T + 9, uuid: 'newest', node: 'n/c' }),
      flow(api1, db, { time: T + 1, uuid: 'oldest', node: 'n/a' }),
    ]);
    expect(c).toMatchObject({ exampleUuid: 'newest', hubbleNode: 'n/c', firstSeen: T + 1, lastSeen: T + 9 });
  });

  it('stops adding connections at the cap and says so; known connections still count their flows', () => {
    const flows = [
      flow(api1, db, { time: T }),
      flow(api1, { ...db, port: 9187 }, { time: T + 1 }),
      flow(api1, { ...db, port: 6000 }, { time: T + 2 }),
      flow(api1, db, { time: T + 3 }),
    ];
    const t = foldFlows(flows, OPEN, 2);
    expect(t.truncated).toBe(true);
    expect(t.connections.map((c) => [c.port, c.flows])).toEqual([
      [5432, 2],
      [9187, 1],
    ]);
    // `flows` counts what was folded in: the flow of the connection left out is not replayed.
    expect(t.flows).toBe(t.connections.reduce((n, c) => n + c.flows, 0));
    expect(foldFlows(flows, OPEN, 3).truncated).toBe(false);
  });

  it('names each side by the map node it is drawn as', () => {
    const c = one([flow(api1, { ...world('api.stripe.com', '54.187.174.169'), port: 443 }, { time: T })]);
    expect(c.source).toMatchObject({ node: 'shop/api', nodeKind: 'workload', workload: 'api', workloadKind: 'Deployment' });
    expect(c.destination).toMatchObject({ node: 'world:api.stripe.com', nodeKind: 'world', namespace: '', pod: '', ip: '54.187.174.169', identity: 2 });
  });

  it('derives the workload of a pod Cilium reported none for, as the flow history stores it', () => {
    const bare = pod('shop', 'frontend-6d8f9c7b5-abcde');
    expect(bare.workloads).toEqual([]);
    const c = one([flow(bare, db, { time: T })]);
    expect(c.source).toMatchObject({ workload: 'frontend', workloadKind: 'Deployment', node: 'shop/frontend' });
  });
});

describe('verdict helpers', () => {
  it('a connection passes when any of its flows went through', () => {
    const c = { verdicts: emptyCounts() } as TrafficConnection;
    countVerdict(c.verdicts, 'DROPPED', 3);
    expect(observedPassing(c)).toBe(false);
    countVerdict(c.verdicts, 'AUDIT');
    expect(observedPassing(c)).toBe(true);
    expect(c.verdicts).toEqual({ forwarded: 0, dropped: 3, audit: 1, error: 0, other: 0 });
  });

  it('urlPath drops query and fragment, for absolute and relative URLs', () => {
    expect(urlPath('http://api:8080/api/orders?id=1#x')).toBe('/api/orders');
    expect(urlPath('/api/orders?id=1')).toBe('/api/orders');
    expect(urlPath('')).toBe('');
  });
});
