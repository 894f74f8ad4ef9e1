/**
 * Policy engine benchmark: 10k pods in 100 namespaces, 1k policies (NetworkPolicy and Cilium, with
 * selectors, namespace selectors, ipBlocks, named ports, L7 and deny rules), 1M connection evaluations
 * between random pods and internet addresses. The last output line is JSON for CI trend tracking.
 */

import { PolicyEngine } from '../lib/policy-engine/engine';
import type { PeerRef } from '../lib/policy-engine/peer-ref';
import { buildCluster, NAMESPACES, pick, PODS_PER_NAMESPACE, rand } from './synthetic-cluster';

const EVALUATIONS = 1_000_000;

const snapshot = buildCluster();
const t0 = performance.now();
const engine = new PolicyEngine(snapshot);
const compileMs = performance.now() - t0;
if (engine.errors.length) throw new Error(`policy errors: ${JSON.stringify(engine.errors.slice(0, 3))}`);

// Pre-draw the connections so the timed loop measures the engine, not the random generator.
const podRefs: PeerRef[] = snapshot.pods.map((p) => ({ pod: `${p.namespace}/${p.name}` }));
const worldRefs: PeerRef[] = Array.from({ length: 64 }, (_, i) => ({ ip: `${20 + i}.${i * 3}.1.${i + 1}` }));
const PORTS: [number, 'TCP' | 'UDP'][] = [[8080, 'TCP'], [5432, 'TCP'], [9090, 'TCP'], [443, 'TCP'], [53, 'UDP'], [8050, 'TCP']];
const CONNS = 1 << 16;
const froms: PeerRef[] = [];
const tos: PeerRef[] = [];
const ports: [number, 'TCP' | 'UDP'][] = [];
// Most traffic stays inside a namespace (where the allow rules are); some crosses namespaces or leaves the cluster.
for (let i = 0; i < CONNS; i++) {
  const src = Math.floor(rand() * podRefs.length);
  const sameNamespace = Math.floor(src / PODS_PER_NAMESPACE) * PODS_PER_NAMESPACE + Math.floor(rand() * PODS_PER_NAMESPACE);
  const r = rand();
  froms.push(podRefs[src]);
  tos.push(r < 0.1 ? pick(worldRefs) : r < 0.8 ? podRefs[sameNamespace] : pick(podRefs));
  ports.push(pick(PORTS));
}

let allowed = 0;
const warm = 100_000;
for (let i = 0; i < warm; i++) {
  const k = i & (CONNS - 1);
  engine.evaluate({ from: froms[k], to: tos[k], port: ports[k][0], protocol: ports[k][1] });
}
const t1 = performance.now();
for (let i = 0; i < EVALUATIONS; i++) {
  const k = i & (CONNS - 1);
  const r = engine.evaluate({ from: froms[k], to: tos[k], port: ports[k][0], protocol: ports[k][1] });
  if ('allowed' in r && r.allowed) allowed++;
}
const evalMs = performance.now() - t1;
const evaluationsPerSec = Math.round(EVALUATIONS / (evalMs / 1000));

console.log(`pods ${snapshot.pods.length}, policies ${snapshot.policies.length}, namespaces ${NAMESPACES}`);
console.log(`compile ${compileMs.toFixed(1)} ms; ${EVALUATIONS} evaluations in ${evalMs.toFixed(0)} ms (${evaluationsPerSec.toLocaleString('en-US')}/s), ${((allowed / EVALUATIONS) * 100).toFixed(1)}% allowed`);
console.log(JSON.stringify({
  evaluationsPerSec,
  compileMs: Math.round(compileMs * 10) / 10,
  evaluations: EVALUATIONS,
  pods: snapshot.pods.length,
  policies: snapshot.policies.length,
  allowedRatio: Math.round((allowed / EVALUATIONS) * 1000) / 1000,
  heapUsedMb: Math.round(process.memoryUsage().heapUsed / 1048576),
}));
