/**
 * The observer API against the real embedded store (chdb in its worker thread), filled with known
 * flows and queried with the project's own relay client: what the in-memory double shows, checked
 * on the engine that runs in production (µs timestamps, keyset cursors, SQL time ranges).
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FlowRecord } from '../flows/flow-record';
import { openFlowStore, type ManagedFlowStore } from '../history/open-store';
import { compileFilters, type FlowFilter } from '../hubble/flow-filter';
import { RelayClient, type GetFlowsParams } from '../hubble/relay-client';
import { startObserverServer, type ObserverServer } from './observer-server';
import { knownFlows, liveFlow, quietLogger, TestLiveFeed } from './testing/observer-fixtures';

const flows = knownFlows(1500);
let dir: string;
let store: ManagedFlowStore;
let server: ObserverServer;
let client: RelayClient;
const live = new TestLiveFeed();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'flowsight-observer-'));
  store = await openFlowStore({ kind: 'chdb', dir, retention: { days: 7, maxBytes: 1024 ** 3, rollupAfterMinutes: null } });
  store.append(flows);
  await store.flush();
  await store.refreshStatus();
  // Small pages and buffer: paging, adaptive windows and the two-pass last-N all run on the engine.
  server = await startObserverServer({
    port: 0, host: '127.0.0.1', store, live, logger: quietLogger, nodeName: 'flowsight-test', version: 'test', maxConcurrentCalls: 4,
    limits: { pageSize: 100, lastBuffer: 50 },
  });
  client = new RelayClient({ address: `127.0.0.1:${server.port}` });
}, 60_000);

afterAll(async () => {
  client?.close();
  await server?.close();
  await store?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}, 60_000);

function fetchFlows(params: GetFlowsParams): Promise<FlowRecord[]> {
  return new Promise((resolve, reject) => {
    const out: FlowRecord[] = [];
    client.getFlows(params, { onFlow: (f) => out.push(f), onEnd: (err) => (err ? reject(err) : resolve(out)) });
  });
}

const uuids = (list: readonly FlowRecord[]) => list.map((f) => f.uuid);

describe('the observer API on the embedded chdb store', () => {
  it('serves a since/until window exactly, oldest first, with the flows as stored', async () => {
    const got = await fetchFlows({ since: new Date(flows[300].time), until: new Date(flows[900].time) });
    expect(uuids(got)).toEqual(uuids(flows.slice(300, 901)));
    const sample = got[17];
    const want = flows[317];
    expect({ time: sample.time, verdict: sample.verdict, src: sample.source.pod, dst: sample.destination.names, node: sample.node }).toEqual({
      time: want.time, verdict: want.verdict, src: want.source.pod, dst: want.destination.names, node: want.node,
    });
  });

  it('serves `number` (newest N, oldest first) in one pass and in two', async () => {
    expect(uuids(await fetchFlows({ number: 30 }))).toEqual(uuids(flows.slice(-30)));
    expect(uuids(await fetchFlows({ number: 420 }))).toEqual(uuids(flows.slice(-420)));
  });

  it('serves `first` from since', async () => {
    expect(uuids(await fetchFlows({ number: 25, first: true, since: new Date(flows[1000].time) }))).toEqual(uuids(flows.slice(1000, 1025)));
  });

  it('filters with Hubble semantics on what the store returns', async () => {
    const allow: FlowFilter[] = [{ source_pod: ['payments/'], verdict: ['DROPPED'] }, { destination_fqdn: ['api.stripe.com'] }];
    const deny: FlowFilter[] = [{ node_name: ['aks/node-0'] }];
    const want = flows.filter(compileFilters(allow, deny));
    expect(want.length).toBeGreaterThan(50);
    expect(uuids(await fetchFlows({ since: new Date(flows[0].time), allow, deny }))).toEqual(uuids(want));
    expect(uuids(await fetchFlows({ number: 60, allow, deny }))).toEqual(uuids(want.slice(-60)));
  });

  it('gives the store the verdict prefilter as bound SQL and gets the same flows', async () => {
    const allow: FlowFilter[] = [{ verdict: ['DROPPED', 'ERROR'] }];
    const deny: FlowFilter[] = [{ source_pod: ['payments/'] }];
    const want = flows.filter(compileFilters(allow, deny));
    expect(want.length).toBeGreaterThan(100);
    expect(uuids(await fetchFlows({ since: new Date(flows[0].time), allow, deny }))).toEqual(uuids(want));
    expect(uuids(await fetchFlows({ number: 70, allow, deny }))).toEqual(uuids(want.slice(-70)));
  });

  it('follows: the last N, a flow still in the store\'s queue, then live flows, each once', async () => {
    const t = flows[flows.length - 1].time;
    const queued = liveFlow('queued-on-chdb', t + 5);
    store.append([queued]);
    const received: string[] = [];
    const stream = client.getFlows({ follow: true, since: new Date(flows[1495].time) }, { onFlow: (f) => received.push(f.uuid), onEnd: () => {} });
    try {
      const deadline = Date.now() + 20_000;
      while (received.length < 6 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(received).toEqual([...uuids(flows.slice(1495)), 'queued-on-chdb']);
      live.push([queued, liveFlow('live-on-chdb', Date.now())]);
      while (received.length < 7 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 50));
      expect(received.slice(6)).toEqual(['live-on-chdb']);
    } finally {
      stream.cancel();
    }
  });

  it('reports the stored count in ServerStatus', async () => {
    await store.refreshStatus();
    const s = await client.serverStatus();
    expect(s.numFlows).toBe(flows.length + 1);
    expect(s.maxFlows).toBeGreaterThan(s.numFlows);
    expect(s.numConnectedNodes).toBe(1);
  });
});
