/**
 * The flow history's traffic query (queries.ts `trafficQuery`, read through FlowStore.traffic) on a
 * real embedded store: flows folded into the distinct connections a what-if replays. It must agree
 * with lib/what-if/observed-traffic.ts `foldFlows`, which folds flows held in memory or read from a
 * file: a replay over the history and one over the same flows in a file must judge the same
 * connections. Grouping follows Cilium identities (docs.cilium.io "Policy Language": pods with the
 * same labels in one namespace share an identity and a verdict; peers outside the cluster are matched
 * by address), replies pass with their connection (stateful enforcement), and HTTP rules match the
 * path without the query string (docs.cilium.io "Layer 7 Examples").
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { demoScenario } from '../demo/scenario';
import { FlowGenerator } from '../demo/flow-generator';
import type { FlowRecord } from '../flows/flow-record';
import { flow, pod, reserved, world } from '../testing/flow-fixtures';
import { foldFlows, type TrafficConnection } from '../what-if/observed-traffic';
import { openFlowStore, type ManagedFlowStore } from './open-store';
import { MAX_TRAFFIC_ROWS, trafficQuery } from './queries';

/** Three days ago on the hour (inside the store's retention). */
const T0 = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3 * 86_400_000;
const MIN = 60_000;

const frontendA = pod('shop', 'frontend-6d8f9c7b5-abcde', { ip: '10.244.1.10' });
const frontendB = pod('shop', 'frontend-6d8f9c7b5-fghij', { ip: '10.244.1.11' });
const api = pod('shop', 'api-7f9d8c6b4-klmno', { ip: '10.244.1.20', workloads: [{ name: 'api', kind: 'Deployment' }], labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=shop'] });
// Other labels: another Cilium security identity.
const apiCanary = pod('shop', 'api-7f9d8c6b4-pqrst', { ip: '10.244.1.21', identity: 20_001, workloads: [{ name: 'api', kind: 'Deployment' }], labels: ['k8s:app=api', 'k8s:io.kubernetes.pod.namespace=shop', 'k8s:track=canary'] });
const db = pod('data', 'postgres-0', { ip: '10.244.2.5', workloads: [{ name: 'postgres', kind: 'StatefulSet' }] });
const coredns = pod('kube-system', 'coredns-5d78c9869d-xyz12', { ip: '10.244.0.3', labels: ['k8s:k8s-app=kube-dns', 'k8s:io.kubernetes.pod.namespace=kube-system'] });
const stripe1 = world('api.stripe.com', '54.187.174.169');
const stripe2 = world('api.stripe.com', '54.187.174.170');
const http = (method: string, url: string): FlowRecord['l7'] => ({ type: 'REQUEST', latencyNs: 0, http: { method, url, code: 0, protocol: 'HTTP/1.1', headers: [] } });
const dnsReq = (query: string): FlowRecord['l7'] => ({ type: 'REQUEST', latencyNs: 0, dns: { query, ips: [], ttl: 0, cnames: [], rcode: 0, qtypes: ['A'], rrtypes: [] } });

/** Hand-made traffic over 40 minutes; every count below is computed from this list. */
function knownTraffic(): FlowRecord[] {
  const out: FlowRecord[] = [];
  for (let i = 0; i < 400; i++) {
    const t = T0 + i * 6_000;
    const from = i % 2 ? frontendA : frontendB;
    switch (i % 10) {
      case 0:
        out.push(flow(from, { ...api, port: 8080 }, { time: t, uuid: `get-${i}`, l7: http('GET', `http://api:8080/api/orders?id=${i}`), type: 'L7', node: `aks/node-${i % 3}` }));
        break;
      case 1:
        // The reply of a request: never replayed on its own.
        out.push(flow({ ...api, port: 8080 }, { ...from, port: 40001 }, { time: t, uuid: `reply-${i}`, isReply: true, direction: 'INGRESS' }));
        break;
      case 2:
        out.push(flow(from, { ...api, port: 8080 }, { time: t, uuid: `post-${i}`, l7: http('POST', 'http://api:8080/api/orders#frag'), type: 'L7' }));
        break;
      case 3:
        out.push(flow(api, { ...db, port: 5432 }, { time: t, uuid: `db-${i}`, verdict: i % 20 === 3 ? 'DROPPED' : 'FORWARDED' }));
        break;
      case 4:
        out.push(flow(apiCanary, { ...db, port: 5432 }, { time: t, uuid: `canary-${i}`, verdict: 'AUDIT' }));
        break;
      case 5:
        out.push(flow(api, { ...(i % 20 === 5 ? stripe1 : stripe2), port: 443 }, { time: t, uuid: `stripe-${i}` }));
        break;
      case 6:
        out.push(flow(from, { ...coredns, port: 53 }, { time: t, uuid: `dns-${i}`, protocol: 'UDP', l7: dnsReq('api.stripe.com.'), verdict: i % 30 === 6 ? 'ERROR' : 'FORWARDED' }));
        break;
      case 7:
        out.push(flow({ ...reserved('host', '10.224.0.4') }, { ...api, port: 8080 }, { time: t, uuid: `probe-${i}` }));
        break;
      case 8:
        out.push(flow({ ...world('', '203.0.113.42') }, { ...api, port: 8080 }, { time: t, uuid: `world-${i}`, verdict: 'DROPPED', isReply: null }));
        break;
      case 9:
        out.push(flow(from, { ...db, port: 5432 }, { time: t, uuid: `trace-${i}`, verdict: 'TRACED' }));
        break;
    }
  }
  return out;
}

/** A connection's identity across both folds: who, to whom, port, protocol and L7 request. */
const keyOf = (c: TrafficConnection) =>
  [c.source.node, [...c.source.labels].sort().join(','), c.source.pod ? '' : c.source.ip, c.destination.node, [...c.destination.labels].sort().join(','), c.destination.pod ? '' : c.destination.ip, c.port, c.protocol, c.dnsQuery ?? '', c.httpMethod ?? '', c.httpPath ?? ''].join('|');

/** A connection with what may legitimately differ between the folds made canonical: which pod is the example, the order of names and labels. */
function canonical(c: TrafficConnection) {
  const side = (e: TrafficConnection['source']) => ({ ...e, pod: e.pod ? '(a pod)' : '', ip: e.pod ? '(a pod ip)' : e.ip, labels: [...e.labels].sort(), names: [...e.names].sort() });
  return { ...c, source: side(c.source), destination: side(c.destination) };
}

function byKey(list: TrafficConnection[]): Map<string, TrafficConnection> {
  const m = new Map<string, TrafficConnection>();
  for (const c of list) {
    expect(m.has(keyOf(c)), `one connection per key: ${keyOf(c)}`).toBe(false);
    m.set(keyOf(c), c);
  }
  return m;
}

describe('the history folds a window into what-if connections', () => {
  const flows = knownTraffic();
  // Realistic traffic too: the demo's flows (L7 and DNS proxy events, replies, fractional times), after ours.
  const demo = new FlowGenerator(demoScenario(), 11).generate(2_000, T0 + 60 * MIN, 500);
  let dir: string;
  let store: ManagedFlowStore;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'flowsight-traffic-'));
    store = await openFlowStore({ kind: 'chdb', dir, retention: { days: 3650, maxBytes: 1e12, rollupAfterMinutes: null } });
    store.append(flows.slice(0, 150));
    store.append(flows.slice(150));
    store.append(demo);
    await store.flush();
  }, 60_000);

  afterAll(async () => {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const known = { since: T0, until: T0 + 50 * MIN };

  it('groups pods by identity (workload and labels), peers outside the cluster by address, and leaves replies out', async () => {
    const { connections, truncated } = await store.traffic({ range: known });
    expect(truncated).toBe(false);
    const requests = flows.filter((f) => f.isReply !== true);
    expect(connections.reduce((n, c) => n + c.flows, 0)).toBe(requests.length);
    // Replies (api -> frontend) never appear as a connection of their own.
    expect(connections.some((c) => c.source.node === 'shop/api' && c.destination.node === 'shop/frontend')).toBe(false);
    const lines = connections.map((c) => `${c.source.node}${c.source.labels.includes('k8s:track=canary') ? '(canary)' : ''} -> ${c.destination.pod ? c.destination.node : c.destination.ip}:${c.port}/${c.protocol} ${c.httpMethod ?? ''}${c.dnsQuery ?? ''}`.trim());
    expect(lines.sort()).toEqual(
      [
        // Both frontend pods (same labels) are one connection per request.
        'shop/frontend -> shop/api:8080/TCP GET',
        'shop/frontend -> shop/api:8080/TCP POST',
        'shop/api -> data/postgres:5432/TCP',
        // The canary has another label: another identity.
        'shop/api(canary) -> data/postgres:5432/TCP',
        // Two addresses of one name: two connections.
        'shop/api -> 54.187.174.169:443/TCP',
        'shop/api -> 54.187.174.170:443/TCP',
        'shop/frontend -> kube-system/coredns:53/UDP api.stripe.com.',
        'host -> shop/api:8080/TCP',
        'world -> shop/api:8080/TCP',
        'shop/frontend -> data/postgres:5432/TCP',
      ].sort(),
    );
  });

  it('counts flows per verdict, first and last seen, and the newest flow as the example', async () => {
    const { connections } = await store.traffic({ range: known });
    const db = connections.find((c) => c.source.node === 'shop/api' && c.destination.node === 'data/postgres' && !c.source.labels.includes('k8s:track=canary'))!;
    const dbFlows = flows.filter((f) => f.uuid.startsWith('db-'));
    expect(db.flows).toBe(dbFlows.length);
    expect(db.verdicts).toEqual({ forwarded: dbFlows.filter((f) => f.verdict === 'FORWARDED').length, dropped: dbFlows.filter((f) => f.verdict === 'DROPPED').length, audit: 0, error: 0, other: 0 });
    expect(db.verdicts.dropped).toBeGreaterThan(0);
    expect(db.firstSeen).toBe(dbFlows[0].time);
    expect(db.lastSeen).toBe(dbFlows[dbFlows.length - 1].time);
    expect(db.exampleUuid).toBe(dbFlows[dbFlows.length - 1].uuid);
    const canary = connections.find((c) => c.source.labels.includes('k8s:track=canary'))!;
    expect(canary.verdicts.audit).toBe(canary.flows);
    const traced = connections.find((c) => c.source.node === 'shop/frontend' && c.destination.node === 'data/postgres')!;
    expect(traced.verdicts).toMatchObject({ forwarded: 0, other: traced.flows });
    const dns = connections.find((c) => c.dnsQuery)!;
    expect(dns.verdicts.error).toBe(flows.filter((f) => f.uuid.startsWith('dns-') && f.verdict === 'ERROR').length);
    expect(dns.verdicts.error).toBeGreaterThan(0);
    const get = connections.find((c) => c.httpMethod === 'GET')!;
    const gets = flows.filter((f) => f.uuid.startsWith('get-'));
    expect(get.hubbleNode).toBe(gets[gets.length - 1].node);
  });

  it('keeps the HTTP path without query string or fragment (one connection for every ?id=)', async () => {
    const { connections } = await store.traffic({ range: known });
    const http = connections.filter((c) => c.httpMethod).map((c) => [c.httpMethod, c.httpPath, c.flows]);
    expect(http.sort()).toEqual([
      ['GET', '/api/orders', flows.filter((f) => f.uuid.startsWith('get-')).length],
      ['POST', '/api/orders', flows.filter((f) => f.uuid.startsWith('post-')).length],
    ]);
  });

  it('keeps the names of an address and the identity of each side', async () => {
    const { connections } = await store.traffic({ range: known });
    const s = connections.find((c) => c.destination.ip === '54.187.174.169')!;
    expect(s.destination).toMatchObject({ names: ['api.stripe.com'], node: 'world:api.stripe.com', nodeKind: 'world', identity: 2, pod: '', namespace: '' });
    expect(s.source).toMatchObject({ namespace: 'shop', workload: 'api', workloadKind: 'Deployment', node: 'shop/api', nodeKind: 'workload' });
  });

  it('narrows by the window (until exclusive) and by a scope condition', async () => {
    const since = T0 + 10 * MIN;
    const until = T0 + 20 * MIN;
    const { connections } = await store.traffic({ range: { since, until } });
    expect(connections.reduce((n, c) => n + c.flows, 0)).toBe(flows.filter((f) => f.isReply !== true && f.time >= since && f.time < until).length);
    const scoped = await store.traffic({ range: known, condition: { where: '(src_ns IN ({s_ns0:String}) OR dst_ns IN ({s_ns0:String}))', params: { s_ns0: 'data' } } });
    expect(scoped.connections.length).toBeGreaterThan(0);
    expect(scoped.connections.every((c) => c.source.namespace === 'data' || c.destination.namespace === 'data')).toBe(true);
    expect(scoped.connections.map((c) => c.destination.node).sort()).toEqual(['data/postgres', 'data/postgres', 'data/postgres']);
    const none = await store.traffic({ range: known, condition: { where: '0', params: {} } });
    expect(none).toEqual({ connections: [], truncated: false });
  });

  it('keeps the most frequent connections under `max` and says it truncated', async () => {
    const all = (await store.traffic({ range: known })).connections;
    const top = await store.traffic({ range: known, max: 3 });
    expect(top.truncated).toBe(true);
    expect(top.connections).toHaveLength(3);
    const counts = all.map((c) => c.flows).sort((a, b) => b - a);
    expect(top.connections.map((c) => c.flows)).toEqual(counts.slice(0, 3));
    const exact = await store.traffic({ range: known, max: all.length });
    expect(exact.truncated).toBe(false);
    expect(exact.connections).toHaveLength(all.length);
  });

  it('binds the window and the cap as parameters and never reads more than MAX_TRAFFIC_ROWS + 1 rows', () => {
    const q = trafficQuery({ since: 1, until: 2 }, { where: 'src_ns = {p0:String}', params: { p0: "x' OR 1=1" } }, 10 ** 9);
    expect(q.sql).not.toContain("x' OR 1=1");
    expect(q.params.h_max_rows).toBe(MAX_TRAFFIC_ROWS + 1);
    expect(q.sql).toContain('is_reply != 1');
  });

  it('agrees with foldFlows over the same flows (hand-made and demo traffic)', async () => {
    for (const [name, list, range] of [
      ['known', flows, known],
      ['demo', demo, { since: T0 + 60 * MIN, until: T0 + 24 * 60 * MIN }],
    ] as const) {
      const stored = byKey((await store.traffic({ range })).connections);
      const folded = foldFlows(list, range);
      const memory = byKey(folded.connections);
      expect([...stored.keys()].sort(), name).toEqual([...memory.keys()].sort());
      expect(stored.size, name).toBeGreaterThan(5);
      for (const [k, c] of memory) expect(canonical(stored.get(k)!), `${name}: ${k}`).toEqual(canonical(c));
      expect(folded.flows).toBe([...stored.values()].reduce((n, c) => n + c.flows, 0));
    }
  });
});
