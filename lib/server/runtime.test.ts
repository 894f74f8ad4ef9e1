import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoAzureSnapshot } from '../azure/demo';
import type { AzureSource } from '../azure/types';
import { demoScenario } from '../demo/scenario';
import type { ClusterSource } from '../k8s/cluster-source';
import { DemoSource } from '../k8s/demo-source';
import { demoFlows } from '../posture/testing/demo-flows';
import { RelayClient } from '../hubble/relay-client';
import type { Config } from './config';
import { Hub } from './hub';
import { createLogger } from './logger';
import { currentPolicyCatalog, currentPostureReport, explainNow } from './posture-api';
import { Runtime, type RuntimeOptions } from './runtime';

const TOKEN = 'correct-horse-battery-staple-0123456789';

/** JSON lines a runtime's logger wrote. */
function capture() {
  const lines: Record<string, unknown>[] = [];
  const raw: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      raw.push(String(chunk));
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, raw, logger: createLogger('debug', sink) };
}

/** A hub that does not connect anywhere: the test ingests and ticks by hand. */
function handFedHub(config: Config): Hub {
  const hub = new Hub(config);
  hub.start = async () => undefined;
  return hub;
}

const runtimes: Runtime[] = [];
function runtimeOf(options: RuntimeOptions): Runtime {
  // History is off unless a test turns it on: the default store would write into ./data.
  const rt = new Runtime({ ...options, env: { FLOWSIGHT_HISTORY: 'off', ...options.env } });
  runtimes.push(rt);
  return rt;
}
afterEach(async () => {
  for (const rt of runtimes.splice(0)) await rt.stop();
});

async function until(check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('Runtime: configuration and logs', () => {
  it('logs a start-up summary with the settings and never the token', async () => {
    const { lines, raw, logger } = capture();
    const rt = runtimeOf({ env: { FLOWSIGHT_HOST: '0.0.0.0', FLOWSIGHT_AUTH_TOKEN: TOKEN, FLOWSIGHT_DATAPATH: 'cilium' }, logger, createHub: handFedHub });
    await rt.boot();
    const start = lines.find((l) => l.msg === 'flowsight starting')!;
    expect(start.config).toMatchObject({ relay: { mode: 'demo', tls: false }, listen: { host: '0.0.0.0', port: 3000 }, authRequired: true, datapath: 'cilium', azure: { source: 'demo' } });
    expect(raw.join('')).not.toContain(TOKEN);
    // The token the access checks use is the validated one from the same configuration.
    expect(rt.auth().token).toBe(TOKEN);
  });

  it('reports an invalid configuration, every problem named, and starts nothing', async () => {
    const { lines, logger } = capture();
    const createHub = vi.fn(handFedHub);
    const rt = runtimeOf({ env: { FLOWSIGHT_AUTH_TOKEN: 'short', FLOWSIGHT_LOG_LEVEL: 'loud' }, logger, createHub });
    await expect(rt.boot()).rejects.toMatchObject({ name: 'ConfigError' });
    const fatal = lines.find((l) => l.msg === 'invalid configuration')!;
    expect((fatal.problems as { variable: string }[]).map((p) => p.variable).sort()).toEqual(['FLOWSIGHT_AUTH_TOKEN', 'FLOWSIGHT_LOG_LEVEL']);
    expect(JSON.stringify(fatal)).not.toContain('short');
    expect(createHub).not.toHaveBeenCalled();
  });

  it('logs the relay subscription: connecting, then each retry with its reason', async () => {
    const { lines, logger } = capture();
    // Nothing listens on port 1: every call fails at once and is retried.
    const rt = runtimeOf({ env: { FLOWSIGHT_RELAY: '127.0.0.1:1' }, logger });
    await rt.hub();
    await until(() => lines.filter((l) => l.msg === 'relay connection lost: retrying').length >= 2);
    const relay = lines.filter((l) => l.component === 'relay');
    expect(relay[0]).toMatchObject({ relay: '127.0.0.1:1', state: 'connecting' });
    const retry = relay.find((l) => l.state === 'retrying')!;
    expect(retry).toMatchObject({ level: 40, fault: 'error', reconnects: 1 });
    expect(retry.error).toMatch(/^relay /);
  });
});

describe('Runtime: parts start independently, and a failed start is not kept', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-runtime-'));
    await writeFile(path.join(dir, 'p.yaml'), 'kind: NetworkPolicy\nmetadata: {name: deny, namespace: shop}\nspec: {podSelector: {}}\n');
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('a cluster source whose start fails is started again by the next caller; the hub and Azure are unaffected', async () => {
    const { logger, lines } = capture();
    let starts = 0;
    const createClusterSource = (): ClusterSource => {
      const source = new DemoSource();
      if (++starts === 1) source.start = () => Promise.reject(new Error('API server unreachable'));
      return source;
    };
    const rt = runtimeOf({ logger, createHub: handFedHub, createClusterSource });
    await expect(rt.posture()).rejects.toThrow('API server unreachable');
    await expect(rt.hub()).resolves.toBeInstanceOf(Hub);
    await expect(rt.azure()).resolves.toBeTruthy();
    const service = await rt.posture();
    expect(service.source.snapshot().pods.length).toBeGreaterThan(0);
    expect(starts).toBe(2);
    expect(lines.some((l) => l.component === 'cluster' && l.msg === 'cluster source did not start')).toBe(true);
  });

  it('a failed first Azure load is loaded again by the next caller', async () => {
    const load = vi.fn<AzureSource['load']>().mockRejectedValueOnce(new Error('ARM unreachable')).mockResolvedValue(demoAzureSnapshot());
    const rt = runtimeOf({ logger: capture().logger, createAzureSource: () => ({ kind: 'demo', load }) });
    await expect(rt.azure()).rejects.toThrow('ARM unreachable');
    const azure = await rt.azure();
    expect(azure.snapshot().source).toBe('demo');
    expect(load).toHaveBeenCalledTimes(2);
  });

  it('builds the Azure source from the configuration: FLOWSIGHT_AZURE_DIR is the az exports directory', async () => {
    const rt = runtimeOf({ env: { FLOWSIGHT_AZURE_DIR: dir }, logger: capture().logger });
    const azure = await rt.azure();
    expect(azure.source.kind).toBe('files');
    expect(azure.snapshot().origin).toContain(dir);
  });

  it('starts on a manifests path that is missing: the posture routes answer, with the source error', async () => {
    const missing = path.join(dir, 'not-there');
    const rt = runtimeOf({ env: { FLOWSIGHT_MANIFESTS: missing }, logger: capture().logger, createHub: handFedHub });
    const report = await currentPostureReport(rt);
    expect(report.source.errors).toEqual([expect.objectContaining({ code: 'file-unreadable', where: { file: missing } })]);
    const catalog = await currentPolicyCatalog({} as never, 'all', rt);
    expect(catalog.source.errors[0].text).toMatch(/not-there.*ENOENT/);
  });
});

describe('Runtime: the hub pushes flows to posture and the edge lookups', () => {
  const flows = demoFlows(demoScenario(), 2);

  it('posture is fed from the hub (flows before it started included, once), and the firewall reaches its findings', async () => {
    const rt = runtimeOf({ logger: capture().logger, createHub: handFedHub });
    const hub = await rt.hub();
    const half = Math.floor(flows.length / 2);
    for (const f of flows.slice(0, half)) hub.ingest(f);
    hub.tick();
    const { posture } = await rt.posture();
    expect(posture.observedFlows().count).toBe(half);
    for (const f of flows.slice(half)) hub.ingest(f);
    expect(posture.observedFlows().count).toBe(half); // pushed at the tick, not per flow
    hub.tick();
    expect(posture.observedFlows().count).toBe(flows.length);
    const report = await currentPostureReport(rt);
    expect(report.basis).toMatchObject({ observedFlows: flows.length, azure: true });
    expect(report.findings.map((f) => f.title)).toContainEqual(expect.stringContaining('Azure Firewall denied pypi.org'));
  });

  it('explain and the world observations use each edge newest flow from the feed', async () => {
    const rt = runtimeOf({ logger: capture().logger, createHub: handFedHub });
    const hub = await rt.hub();
    for (const f of flows) hub.ingest(f);
    hub.tick();
    const edge = 'legacy/legacy-app|world:pypi.org|443|TCP';
    const newest = flows.filter((f) => f.destination.names[0] === 'pypi.org').at(-1)!;
    expect(rt.edgeFlows.latest(edge)?.uuid).toBe(newest.uuid);
    const explained = await explainNow({ kind: 'edge', edge }, rt);
    expect(explained.ok && explained.explanation.sample).toEqual({ uuid: newest.uuid, time: newest.time });
    const { worldObservations } = await import('./azure-view');
    const pypi = worldObservations(hub, rt.edgeFlows, undefined).find((o) => o.fqdn === 'pypi.org');
    expect(pypi?.destinationIp).toBe(newest.destination.ip);
  });
});

describe('Runtime: the flow history', () => {
  // Recent times: the store's retention deletes flows older than 7 days.
  const base = Date.now() - 60_000;
  const flows = demoFlows(demoScenario(), 3).map((f, i) => ({ ...f, time: base + i }));
  let dataDir = '';
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-runtime-history-'));
  });
  afterAll(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  it('stores every flow the hub ingests, flows from before it opened included, under FLOWSIGHT_DATA_DIR', async () => {
    const rt = runtimeOf({ logger: capture().logger, createHub: handFedHub, env: { FLOWSIGHT_HISTORY: 'on', FLOWSIGHT_DATA_DIR: dataDir } });
    const hub = await rt.hub();
    const half = Math.floor(flows.length / 2);
    for (const f of flows.slice(0, half)) hub.ingest(f);
    hub.tick();
    const store = (await rt.history())!;
    expect(store.status()).toMatchObject({ engine: 'chdb', ready: true, location: path.join(dataDir, 'history') });
    for (const f of flows.slice(half)) hub.ingest(f);
    hub.tick();
    await store.flush();
    const page = await store.search({ range: {}, limit: flows.length + 10 });
    expect(new Set(page.flows.map((f) => f.uuid))).toEqual(new Set(flows.map((f) => f.uuid)));
  });

  it('a read-only replica (FLOWSIGHT_HISTORY_WRITE=off) searches the history but writes nothing', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-runtime-readonly-'));
    const rt = runtimeOf({ logger: capture().logger, createHub: handFedHub, env: { FLOWSIGHT_HISTORY: 'on', FLOWSIGHT_DATA_DIR: dir, FLOWSIGHT_HISTORY_WRITE: 'off' } });
    try {
      const hub = await rt.hub();
      const store = (await rt.history())!;
      for (const f of flows) hub.ingest(f);
      hub.tick();
      await store.flush();
      expect(store.status().writtenFlows).toBe(0);
      expect((await store.search({ range: {}, limit: 10 })).flows).toEqual([]);
    } finally {
      await rt.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('serves the history over Cilium\'s observer API on FLOWSIGHT_OBSERVER_PORT', async () => {
    const port = await new Promise<number>((resolve) => {
      const srv = net.createServer().listen(0, '127.0.0.1', () => {
        const p = (srv.address() as net.AddressInfo).port;
        srv.close(() => resolve(p));
      });
    });
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-runtime-observer-'));
    const rt = runtimeOf({ logger: capture().logger, createHub: handFedHub, env: { FLOWSIGHT_HISTORY: 'on', FLOWSIGHT_DATA_DIR: dir, FLOWSIGHT_OBSERVER_PORT: String(port) } });
    try {
      const hub = await rt.hub();
      const store = (await rt.history())!;
      for (const f of flows) hub.ingest(f);
      hub.tick();
      await store.flush();
      const server = (await rt.observer())!;
      expect(server.port).toBe(port);
      const client = new RelayClient({ address: `127.0.0.1:${port}` });
      try {
        await until(() => store.status().storedFlows >= flows.length, 15_000).catch(() => undefined);
        const status = await client.serverStatus();
        expect(status.version).toContain('flowsight');
        expect(status.numFlows).toBeGreaterThan(0);
      } finally {
        client.close();
      }
    } finally {
      await rt.stop();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('is null when FLOWSIGHT_HISTORY=off, and a store that cannot open is retried after a while', async () => {
    const off = runtimeOf({ logger: capture().logger, createHub: handFedHub });
    expect(await off.history()).toBeNull();
    let attempts = 0;
    const rt = runtimeOf({
      logger: capture().logger,
      createHub: handFedHub,
      env: { FLOWSIGHT_HISTORY: 'on', FLOWSIGHT_DATA_DIR: dataDir },
      createHistory: async () => {
        attempts++;
        throw new Error('disk on fire');
      },
    });
    await expect(rt.history()).rejects.toThrow('disk on fire');
    await expect(rt.history()).rejects.toThrow('disk on fire');
    expect(attempts).toBe(1); // not again at once: every status poll would start an engine
    const soon = runtimeOf({
      logger: capture().logger,
      createHub: handFedHub,
      historyRetryMs: 0,
      env: { FLOWSIGHT_HISTORY: 'on', FLOWSIGHT_DATA_DIR: dataDir },
      createHistory: async () => {
        attempts++;
        throw new Error('disk on fire');
      },
    });
    await expect(soon.history()).rejects.toThrow('disk on fire');
    await expect(soon.history()).rejects.toThrow('disk on fire');
    expect(attempts).toBe(3);
    expect(rt.historyFailure(new Error('disk on fire'))).toMatchObject({ ready: false, error: 'disk on fire' });
  });
});

describe('Runtime: Azure data only where it describes the cluster', () => {
  it('a real relay with no Azure settings gets no Azure verdicts: unknown layers, not the demo network', async () => {
    const rt = runtimeOf({ env: { FLOWSIGHT_RELAY: '127.0.0.1:1' }, logger: capture().logger, createHub: handFedHub });
    expect((await rt.azure()).source.kind).toBe('demo'); // loaded, as the /azure page needs a model
    expect(await rt.clusterAzure()).toBeUndefined();
    const { layersOf, azurePageData, NO_AZURE_SOURCE } = await import('./azure-view');
    const layers = await layersOf(
      { source: { ip: '10.244.2.27', port: 40000 }, destination: { ip: '151.101.0.223', port: 443, names: ['pypi.org.'] }, protocol: 'TCP', isReply: false },
      {},
      rt,
    );
    // On the demo relay the demo firewall denies pypi.org; here nothing is known about the firewall.
    expect(layers.firewall.verdict).toBe('unknown');
    expect(layers.nsg.verdict).toBe('unknown');
    const page = await azurePageData(rt);
    expect(page.source.origin).toBe(NO_AZURE_SOURCE);
    expect(page.counts.firewalls).toBe(0);
  });

  it('the demo relay uses the demo Azure network, and configured Azure data is used for any relay', async () => {
    const demo = runtimeOf({ logger: capture().logger, createHub: handFedHub });
    expect((await demo.clusterAzure())?.source).toBe('demo');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-azure-'));
    try {
      const real = runtimeOf({ env: { FLOWSIGHT_RELAY: '127.0.0.1:1', FLOWSIGHT_AZURE_DIR: dir }, logger: capture().logger, createHub: handFedHub });
      expect((await real.clusterAzure())?.source).toBe('files');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
