/**
 * What is deployed against what the traffic needs, for one namespace: the allow rules that admit
 * paths no observed flow took (broader than needed: candidates to narrow), the rules that admitted no
 * observed flow at all in the window, and the observed paths no deployed rule covers (allowed only
 * because no policy isolates the pod, or dropped because no rule allows them).
 *
 * Breadth is measured like a reviewer would: one pod per workload of the cluster stands for its
 * workload, and each pod of the namespace is checked against them on their container ports (and an
 * internet address), both ways; a path the deployed rules allow and no flow used counts against the
 * rules that allowed it. Checks are capped; the answer says when the cap was reached.
 */

import { objectKey, type ClusterSnapshot } from '../k8s/types';
import type { Direction, RuleRef } from '../policy-engine/compiled-policy';
import { describeEndpoint, reservedEndpoint, type Endpoint, type PodEndpoint } from '../policy-engine/endpoint';
import { chooseDatapath } from '../policy-engine/datapath';
import { PolicyEngine, isEngineError, type ConnectionVerdict, type EngineOptions } from '../policy-engine/engine';
import { engineProtocol } from '../policy-engine/flow-connection';
import { podNamespaceOf } from '../policy-engine/peer-ref';
import type { Protocol } from '../policy-engine/ports';
import { workloadKeyOfPod, workloadsOf } from '../posture/workloads';
import { observedPassing, type ObservedTraffic, type TrafficConnection } from './observed-traffic';
import { connectionL7, INTERNET_PROBE, referencesFor } from './replay';

export interface RuleUse {
  /** `NetworkPolicy production/allow-prometheus-scrape ingress rule 0`. */
  rule: string;
  ref: RuleRef;
  /** Observed connections (and their flows) this rule admitted in the window. */
  usedConnections: number;
  usedFlows: number;
  /** Paths it admits that no observed flow took, and a few of them. */
  unneeded: number;
  examples: string[];
}

export interface UncoveredPath {
  /** `monitoring/prometheus -> kube-system/metrics-server:4443/TCP`. */
  path: string;
  direction: Direction;
  /** The workload of the namespace the path concerns. */
  workload: string;
  /**
   * allowed-by-default: no policy isolates the pod this way; denied: isolated, and no rule allows it;
   * audit: the same in audit mode (it passes today and would be denied once enforced).
   */
  status: 'allowed-by-default' | 'denied' | 'audit';
  flows: number;
}

export interface DeployedDiff {
  namespace: string;
  /** Rules broader than the observed traffic needs, most unneeded paths first. */
  broader: RuleUse[];
  /** Allow rules that admitted nothing observed in the window. */
  unused: RuleUse[];
  uncovered: UncoveredPath[];
  checked: { pairs: number; truncated: boolean };
}

export const DEPLOYED_DIFF_LIMITS = { pairs: 20_000, examples: 5, uncovered: 500 } as const;
const DNS_PORT = 53;

const ruleWords = (r: RuleRef) => `${r.kind} ${objectKey(r)} ${r.section} rule ${r.rule}${r.spec !== undefined ? ` (spec ${r.spec})` : ''}`;
const ruleKey = (r: RuleRef) => `${r.kind}/${r.namespace ?? ''}/${r.name}/${r.spec ?? ''}/${r.section}/${r.rule}`;

/** Compares the namespace's deployed policies with its observed traffic. */
/**
 * `examplesVisible`: which namespaces' pods an example may name (a user with namespace-scoped access
 * sees the other namespaces' workloads only at the far end of traffic they can see; a path no flow
 * took is counted but not shown). Default: every namespace.
 */
export function deployedDiff(snapshot: ClusterSnapshot, traffic: ObservedTraffic, namespace: string, engineOptions: Omit<EngineOptions, 'dns'> = {}, examplesVisible: (namespace: string) => boolean = () => true): DeployedDiff {
  const { snapshot: cluster, refs, dns } = referencesFor(snapshot, traffic);
  // Only the namespace's own side of each path is judged, so only its policies (and the cluster-wide
  // ones) are compiled; the datapath is the whole cluster's.
  const datapath = engineOptions.datapath ?? chooseDatapath(cluster, { hubbleRelay: true });
  const own: ClusterSnapshot = { ...cluster, policies: cluster.policies.filter((p) => !p.namespace || p.namespace === namespace) };
  const engine = new PolicyEngine(own, { ...engineOptions, datapath, dns });
  const uses = new Map<string, RuleUse>();
  const use = (r: RuleRef): RuleUse => {
    let u = uses.get(ruleKey(r));
    if (!u) uses.set(ruleKey(r), (u = { rule: ruleWords(r), ref: r, usedConnections: 0, usedFlows: 0, unneeded: 0, examples: [] }));
    return u;
  };
  const inScope = (e: Endpoint): e is PodEndpoint => e.kind === 'pod' && e.namespace === namespace;
  // Every allow rule of a policy selecting a pod of the namespace starts unused.
  const scopePods = engine.pods().filter((p) => p.namespace === namespace);
  for (const p of scopePods) for (const dir of ['ingress', 'egress'] as const) for (const s of engine.sectionsFor(p, dir)) for (const r of s.section.allow) use(r.ref);

  // Observed connections: what each rule admitted, and the paths no rule covers.
  const observed = new Set<string>();
  const uncovered = new Map<string, UncoveredPath>();
  traffic.connections.forEach((c, i) => {
    const r = refs[i];
    const protocol = engineProtocol(c.protocol);
    if (!r || !protocol) return;
    // Only paths with an end in the namespace say anything about its policies.
    if (podNamespaceOf(r.from) !== namespace && podNamespaceOf(r.to) !== namespace) return;
    const l7 = connectionL7(c);
    const v = engine.evaluate({ from: r.from, to: r.to, port: protocol === 'ICMP' ? 0 : c.port, protocol, ...(l7 ? { l7 } : {}) });
    if (isEngineError(v)) return;
    observed.add(pairKey(v.source, v.destination, c.port, c.protocol));
    for (const dir of ['egress', 'ingress'] as const) {
      const subject = dir === 'egress' ? v.source : v.destination;
      if (!inScope(subject)) continue;
      const d = v[dir];
      if (d.reason === 'allowed') {
        for (const b of d.by) {
          const u = use(b);
          u.usedConnections++;
          u.usedFlows += c.flows;
        }
      } else if ((d.reason === 'not-isolated' && observedPassing(c)) || d.reason === 'default-deny') {
        const path = `${describeSide(v.source, c, 'source')} -> ${describeSide(v.destination, c, 'destination')}:${c.port}/${c.protocol}`;
        const key = `${dir}|${path}`;
        const entry = uncovered.get(key);
        if (entry) entry.flows += c.flows;
        else if (uncovered.size < DEPLOYED_DIFF_LIMITS.uncovered) uncovered.set(key, { path, direction: dir, workload: workloadKeyOfPod(subject), status: d.reason !== 'default-deny' ? 'allowed-by-default' : d.audit ? 'audit' : 'denied', flows: c.flows });
      }
    }
  });

  // Breadth: the paths the deployed rules allow that no flow took.
  const representatives = workloadsOf(engine.pods()).map((w) => w.pods[0]);
  const world = reservedEndpoint('world', { ip: INTERNET_PROBE.ip });
  let pairs = 0;
  let truncated = false;
  const check = (src: Endpoint, dst: Endpoint, port: number, protocol: Protocol, dir: Direction) => {
    if (pairs >= DEPLOYED_DIFF_LIMITS.pairs) {
      truncated = true;
      return;
    }
    pairs++;
    // DNS to kube-dns on UDP and TCP is what every workload needs (and every recommendation allows).
    if (port === DNS_PORT && dst.kind === 'pod' && dst.namespace === 'kube-system' && dst.labels['k8s-app'] === 'kube-dns') return;
    if (observed.has(pairKey(src, dst, port, protocol))) return;
    const v: ConnectionVerdict = engine.evaluateEndpoints(src, dst, port, protocol);
    const d = v[dir];
    // This namespace's rules admit it (whatever the peer's own policies say: they are not this namespace's to narrow).
    if (d.reason !== 'allowed') return;
    for (const b of d.by) {
      const u = use(b);
      u.unneeded++;
      const shown = [src, dst].every((e) => e.kind !== 'pod' || examplesVisible(e.namespace));
      if (shown && u.examples.length < DEPLOYED_DIFF_LIMITS.examples) u.examples.push(`${describeEndpoint(src)} -> ${describeEndpoint(dst)}:${port}/${protocol}`);
    }
  };
  for (const t of workloadsOf(scopePods).map((w) => w.pods[0])) {
    check(t, world, INTERNET_PROBE.port, INTERNET_PROBE.protocol, 'egress');
    for (const cp of t.containerPorts) check(world, t, cp.containerPort, cp.protocol as Protocol, 'ingress');
    for (const peer of representatives) {
      if (peer === t) continue;
      for (const cp of peer.containerPorts) check(t, peer, cp.containerPort, cp.protocol as Protocol, 'egress');
      for (const cp of t.containerPorts) check(peer, t, cp.containerPort, cp.protocol as Protocol, 'ingress');
    }
  }

  const all = [...uses.values()];
  return {
    namespace,
    broader: all.filter((u) => u.unneeded > 0).sort((a, b) => b.unneeded - a.unneeded || a.rule.localeCompare(b.rule)),
    unused: all.filter((u) => u.usedConnections === 0).sort((a, b) => a.rule.localeCompare(b.rule)),
    uncovered: [...uncovered.values()].sort((a, b) => b.flows - a.flows || a.path.localeCompare(b.path)),
    checked: { pairs, truncated },
  };
}

/** Observed and checked paths compared by workload (a pod stands for its workload), peer address otherwise. */
function pairKey(src: Endpoint, dst: Endpoint, port: number, protocol: string): string {
  return `${sideKey(src)}>${sideKey(dst)}>${port}/${protocol}`;
}

function sideKey(e: Endpoint): string {
  if (e.kind === 'pod') return workloadKeyOfPod(e);
  return e.kind === 'world' ? `world@${e.ip ?? ''}` : e.kind;
}

function describeSide(e: Endpoint, c: TrafficConnection, side: 'source' | 'destination'): string {
  if (e.kind === 'pod') return workloadKeyOfPod(e);
  const t = c[side];
  return t.names[0]?.replace(/\.$/, '') ?? describeEndpoint(e);
}
