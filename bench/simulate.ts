/**
 * What-if benchmark: a policy change replayed over 1M stored flows against 1k policies, as
 * `POST /api/simulate` runs it: the window's traffic folded by the embedded store (chdb, the real
 * FlowStore API), both engines compiled (the cluster as deployed, and with the change), every observed
 * connection the change touches evaluated twice, the unobserved internet paths checked. The cluster is
 * the policy bench's (10k pods in 100 namespaces, 1k policies) with kube-dns added; the traffic is what
 * its apps do (web -> api, api -> db, workers, DNS, scrapes across namespaces, the internet), each flow
 * with the verdict the deployed policies give it. The change is a typical pull request: ten namespaces'
 * broad egress rule narrowed, and a default deny for one more. Target: <= 2 s.
 *
 * Prints each run, then as its last line JSON: flows, policies, seconds (median of the runs) and the parts.
 */

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FlowEndpoint, FlowRecord, Verdict } from '../lib/flows/flow-record';
import { openFlowStore } from '../lib/history/open-store';
import type { ClusterSnapshot, Pod } from '../lib/k8s/types';
import { PolicyEngine, isEngineError } from '../lib/policy-engine/engine';
import { parseChange } from '../lib/what-if/proposed-change';
import { simulate } from '../lib/what-if/replay';
import { buildCluster, NAMESPACES, rand } from './synthetic-cluster';

const FLOWS = Number(process.env.BENCH_SIMULATE_FLOWS ?? 1_000_000);
const RUNS = 3;
const SPAN_MS = 3600_000;
const APPEND = 5000;

function withKubeDns(snapshot: ClusterSnapshot): ClusterSnapshot {
  snapshot.namespaces.push({ name: 'kube-system', labels: { 'kubernetes.io/metadata.name': 'kube-system' } });
  for (let i = 0; i < 2; i++) {
    snapshot.pods.push({ namespace: 'kube-system', name: `coredns-${i}`, labels: { 'k8s-app': 'kube-dns' }, ip: `10.96.0.${10 + i}`, ips: [`10.96.0.${10 + i}`], node: `node-${i}`, hostNetwork: false, containerPorts: [{ containerPort: 53, protocol: 'UDP' }], workload: { kind: 'Deployment', name: 'coredns' } });
  }
  return snapshot;
}

function endpointOf(p: Pod, port: number): FlowEndpoint {
  return {
    ip: p.ip ?? '',
    port,
    identity: 10000 + (hash(`${p.namespace}|${JSON.stringify(p.labels)}`) % 50000),
    namespace: p.namespace,
    pod: p.name,
    labels: [...Object.entries(p.labels).map(([k, v]) => `k8s:${k}=${v}`), `k8s:io.kubernetes.pod.namespace=${p.namespace}`],
    workloads: [{ name: p.workload?.name ?? p.labels.app, kind: 'Deployment' }],
    names: [],
    service: '',
    cluster: 'bench',
  };
}

const hash = (s: string) => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619) >>> 0;
  return h;
};

/** Who each app talks to (same namespace unless said), on which port. */
const TALKS: Record<string, [app: string | 'dns' | 'world' | 'other-ns', port: number, protocol: 'TCP' | 'UDP'][]> = {
  web: [['api', 8080, 'TCP'], ['dns', 53, 'UDP'], ['auth', 8050, 'TCP']],
  api: [['db', 5432, 'TCP'], ['cache', 8080, 'TCP'], ['dns', 53, 'UDP'], ['world', 443, 'TCP']],
  worker: [['api', 8080, 'TCP'], ['queue', 8080, 'TCP'], ['db', 5432, 'TCP'], ['dns', 53, 'UDP']],
  report: [['other-ns', 9090, 'TCP'], ['dns', 53, 'UDP']],
  mail: [['world', 443, 'TCP'], ['dns', 53, 'UDP']],
  search: [['db', 5432, 'TCP'], ['dns', 53, 'UDP']],
  auth: [['db', 5432, 'TCP'], ['dns', 53, 'UDP']],
  queue: [['dns', 53, 'UDP']],
  cache: [],
  db: [['world', 443, 'TCP']],
};

interface Template {
  src: FlowEndpoint;
  dst: FlowEndpoint;
  protocol: 'TCP' | 'UDP';
  verdict: Verdict;
}

/** Every pod's connections, with the verdict the deployed policies give them. */
function templates(snapshot: ClusterSnapshot, engine: PolicyEngine): Template[] {
  const byNsApp = new Map<string, Pod[]>();
  for (const p of snapshot.pods) {
    const key = `${p.namespace}|${p.labels.app ?? p.labels['k8s-app']}`;
    const list = byNsApp.get(key) ?? [];
    list.push(p);
    byNsApp.set(key, list);
  }
  const dns = byNsApp.get('kube-system|kube-dns')!;
  const out: Template[] = [];
  const world = (i: number): FlowEndpoint => ({ ip: `52.${i % 200}.${(i * 7) % 250}.${(i * 13) % 250}`, port: 443, identity: 2, namespace: '', pod: '', labels: ['reserved:world'], workloads: [], names: [], service: '', cluster: '' });
  for (const p of snapshot.pods) {
    const talks = TALKS[p.labels.app ?? ''] ?? [];
    for (const [to, port, protocol] of talks) {
      let dst: FlowEndpoint;
      if (to === 'dns') dst = endpointOf(dns[hash(p.name) % dns.length], port);
      else if (to === 'world') dst = { ...world(hash(p.name)), port };
      else if (to === 'other-ns') {
        const ns = `team-${hash(p.name + p.namespace) % NAMESPACES}`;
        const peers = byNsApp.get(`${ns}|api`)!;
        dst = endpointOf(peers[hash(p.name) % peers.length], port);
      } else {
        const peers = byNsApp.get(`${p.namespace}|${to}`);
        if (!peers) continue;
        dst = endpointOf(peers[hash(p.name) % peers.length], port);
      }
      const src = endpointOf(p, 40000 + (hash(p.name) % 20000));
      const v = engine.evaluate({ from: { pod: `${p.namespace}/${p.name}` }, to: dst.pod ? { pod: `${dst.namespace}/${dst.pod}` } : { ip: dst.ip }, port, protocol });
      out.push({ src, dst, protocol, verdict: isEngineError(v) ? 'FORWARDED' : v.verdict });
    }
  }
  return out;
}

function flowOf(t: Template, time: number, n: number): FlowRecord {
  return {
    uuid: `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`,
    time,
    verdict: t.verdict,
    dropReason: t.verdict === 'DROPPED' ? 'POLICY_DENIED' : '',
    direction: 'EGRESS',
    isReply: false,
    protocol: t.protocol,
    tcpFlags: t.protocol === 'TCP' ? ['SYN'] : [],
    source: t.src,
    destination: t.dst,
    node: 'bench/node-0',
    type: 'L3_L4',
    eventType: t.verdict === 'DROPPED' ? 1 : 5,
    egressAllowedBy: [],
    ingressAllowedBy: [],
    egressDeniedBy: [],
    ingressDeniedBy: [],
    summary: '',
  };
}

/** The pull request: ten namespaces' `egress-in-ns` (any pod of the namespace) narrowed to api and queue, and one namespace default-denied. */
function change(): string {
  const docs: string[] = [];
  for (let n = 0; n < 10; n++) {
    docs.push(`apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata:
  name: egress-in-ns
  namespace: team-${n}
spec:
  podSelector:
    matchExpressions:
      - { key: app, operator: In, values: [web, api, worker] }
  policyTypes: [Egress]
  egress:
    - to:
        - podSelector:
            matchExpressions:
              - { key: app, operator: In, values: [api, queue] }
`);
  }
  return docs.join('---\n');
}

async function fill(store: Awaited<ReturnType<typeof openFlowStore>>, list: Template[], start: number): Promise<void> {
  let batch: FlowRecord[] = [];
  for (let i = 0; i < FLOWS; i++) {
    batch.push(flowOf(list[Math.floor(rand() * list.length)], start + (i / FLOWS) * SPAN_MS, i));
    if (batch.length === APPEND) {
      while (store.status().pendingFlows > 50_000) await new Promise((r) => setTimeout(r, 2));
      store.append(batch);
      batch = [];
      await new Promise<void>((r) => setImmediate(r));
    }
  }
  store.append(batch);
  await store.flush();
}

async function main(): Promise<void> {
  const snapshot = withKubeDns(buildCluster({ hashPerPod: false }));
  const engine = new PolicyEngine(snapshot);
  const list = templates(snapshot, engine);
  const dir = mkdtempSync(path.join(tmpdir(), 'flowsight-bench-simulate-'));
  const store = await openFlowStore({ kind: 'chdb', dir, retention: { days: 30, maxBytes: 1e13, rollupAfterMinutes: null }, timers: { maintenanceEveryMs: 3600_000 } });
  try {
    const end = Date.now();
    const start = end - SPAN_MS;
    const t0 = performance.now();
    await fill(store, list, start);
    const status = store.status();
    console.log(`stored ${status.writtenFlows} flows (${list.length} distinct connections) in ${((performance.now() - t0) / 1000).toFixed(1)} s; dropped ${status.droppedFlows}`);
    if (status.writtenFlows < FLOWS) throw new Error(`only ${status.writtenFlows} of ${FLOWS} flows were stored`);

    const yaml = change();
    const presets = [{ preset: 'default-deny' as const, namespace: 'team-10', directions: ['ingress' as const, 'egress' as const] }];
    const runs: { seconds: number; queryMs: number; replayMs: number; connections: number; breaks: number }[] = [];
    for (let r = 0; r < RUNS; r++) {
      const t = performance.now();
      const traffic = await store.traffic({ range: { since: start, until: end + 1 } });
      const queryMs = performance.now() - t;
      const flows = traffic.connections.reduce((n, c) => n + c.flows, 0);
      const parsed = parseChange({ yaml, presets });
      const result = await simulate(snapshot, parsed, { connections: traffic.connections, flows, truncated: traffic.truncated, range: { since: start, until: end + 1 } }, { engineOptions: { datapath: engine.datapath } });
      const seconds = (performance.now() - t) / 1000;
      runs.push({ seconds, queryMs, replayMs: result.tookMs, connections: traffic.connections.length, breaks: result.totals.breaks.connections });
      console.log(`run ${r + 1}: ${seconds.toFixed(2)} s (store fold ${queryMs.toFixed(0)} ms over ${flows} flows -> ${traffic.connections.length} connections; replay ${result.tookMs} ms: ${result.totals.breaks.connections} break, ${result.totals.opens.connections} open, ${result.unobserved.length} unobserved paths, ${result.touched.length} workloads touched)`);
    }
    runs.sort((a, b) => a.seconds - b.seconds);
    const median = runs[Math.floor(runs.length / 2)];
    console.log(
      JSON.stringify({
        flows: FLOWS,
        policies: snapshot.policies.length,
        pods: snapshot.pods.length,
        connections: median.connections,
        seconds: Math.round(median.seconds * 100) / 100,
        storeFoldMs: Math.round(median.queryMs),
        replayMs: median.replayMs,
        breaks: median.breaks,
        target: 2,
      }),
    );
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
