/**
 * Turns the demo scenario's traffic patterns into Cilium-shaped flows: a policy-verdict or trace
 * event where the packet is decided, the reply of an allowed connection, L7 request/response
 * events where a Cilium policy puts the proxy in the path, and a drop with its reason where a
 * policy denies. Deterministic: the same seed gives the same flows (and the same uuids unless a
 * uuid prefix is given: the demo relay gives each instance a fresh one, see demo-relay.ts).
 */

import { randomUUID } from 'node:crypto';
import type { FlowEndpoint, FlowRecord, PolicyRef, Verdict } from '../flows/flow-record';
import type { DemoNode, DemoPod, DemoScenario, PeerRef, TrafficPattern } from './scenario';
import { podsByWorkload } from './workload-pods';

export { seededRandom } from '../util/seeded-random';
import { seededRandom } from '../util/seeded-random';

const HEX = '0123456789abcdef';

interface ResolvedPeer {
  pods: readonly DemoPod[];
  /** For non-pod peers: the fixed endpoint. */
  fixed?: Omit<FlowEndpoint, 'port'>;
}

interface CompiledPattern {
  pattern: TrafficPattern;
  from: ResolvedPeer;
  to: ResolvedPeer;
}

function podLabels(p: DemoPod, cluster: string): string[] {
  const out = Object.entries(p.labels)
    .filter(([k]) => k !== 'pod-template-hash' && k !== 'statefulset.kubernetes.io/pod-name')
    .map(([k, v]) => `k8s:${k}=${v}`);
  out.push(`k8s:io.cilium.k8s.namespace.labels.kubernetes.io/metadata.name=${p.namespace}`);
  out.push(`k8s:io.cilium.k8s.policy.cluster=${cluster}`);
  out.push(`k8s:io.cilium.k8s.policy.serviceaccount=${p.workload.name}`);
  out.push(`k8s:io.kubernetes.pod.namespace=${p.namespace}`);
  return out.sort();
}

function podEndpoint(p: DemoPod, cluster: string): Omit<FlowEndpoint, 'port'> {
  return {
    ip: p.ip,
    identity: p.identity,
    namespace: p.namespace,
    pod: p.name,
    labels: podLabels(p, cluster),
    workloads: [p.workload],
    names: [],
    service: '',
    cluster,
  };
}

/** The endpoint with a port, built field by field: an object spread per flow endpoint was a tenth of the relay's time at 20,000 flows/s. */
function withPort(e: Omit<FlowEndpoint, 'port'>, port: number): FlowEndpoint {
  return { ip: e.ip, identity: e.identity, namespace: e.namespace, pod: e.pod, labels: e.labels, workloads: e.workloads, names: e.names, service: e.service, cluster: e.cluster, port };
}

function reservedEndpoint(name: string, identity: number, ip: string, names: string[] = []): Omit<FlowEndpoint, 'port'> {
  return { ip, identity, namespace: '', pod: '', labels: [`reserved:${name}`], workloads: [], names, service: '', cluster: '' };
}

export interface FlowGeneratorOptions {
  /**
   * The first 23 characters of every uuid (`xxxxxxxx-xxxx-4xxx-yxxx`); the default is derived from
   * the seed. Two generators with the same seed and prefix produce the same uuids.
   */
  uuidPrefix?: string;
}

const UUID_PREFIX = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}$/;

/** The sequence number a demo flow's uuid ends with (FlowGenerator.uuid): which flows a relay made, in order. */
export function demoFlowSequence(uuid: string): number {
  return parseInt(uuid.slice(-12), 16);
}

/** A fresh random uuid prefix, for a flow source whose uuids must not repeat those of an earlier run. */
export function randomUuidPrefix(): string {
  return randomUUID().slice(0, 23);
}

/**
 * Per-flow work does not grow with the scenario (issue 13: 5,000 workloads at 20,000 flows/s): a pattern
 * is picked by binary search over cumulative weights, peers are resolved to their pods once, endpoints
 * are built once per pod or node, and DNS answers are looked up in a map.
 */
export class FlowGenerator {
  private readonly rand: () => number;
  private readonly compiled: CompiledPattern[];
  private readonly cumulative: number[];
  private readonly total: number;
  private readonly podEndpoints = new Map<DemoPod, Omit<FlowEndpoint, 'port'>>();
  /** Node endpoints of the host and remote-node peers, per reserved name and node. */
  private readonly nodeEndpoints = new Map<string, Map<DemoNode, Omit<FlowEndpoint, 'port'>>>();
  private readonly nodeByName: Map<string, DemoNode>;
  /** The address each DNS query is answered with: the first internet peer of that name in the scenario. */
  private readonly dnsAnswers = new Map<string, string>();
  private seq = 0;
  private readonly uuidPrefix: string;

  constructor(
    private readonly scenario: DemoScenario,
    seed = 1,
    opts: FlowGeneratorOptions = {},
  ) {
    this.rand = seededRandom(seed);
    const hex = (digits: number) => {
      let out = '';
      for (let i = 0; i < digits; i++) out += HEX[(this.rand() * 16) | 0];
      return out;
    };
    // Drawn even when a prefix is given, so the rest of the flows stay the same for a seed.
    const seeded = `${hex(8)}-${hex(4)}-4${hex(3)}-${HEX[8 + ((this.rand() * 4) | 0)]}${hex(3)}`;
    if (opts.uuidPrefix !== undefined && !UUID_PREFIX.test(opts.uuidPrefix)) throw new Error(`demo flow generator: "${opts.uuidPrefix}" is not a v4 uuid prefix`);
    this.uuidPrefix = opts.uuidPrefix ?? seeded;
    this.nodeByName = new Map(scenario.nodes.map((n) => [n.name, n]));
    const pods = podsByWorkload(scenario);
    this.compiled = scenario.traffic.map((pattern) => ({ pattern, from: this.resolve(pattern.from, pods), to: this.resolve(pattern.to, pods) }));
    let acc = 0;
    this.cumulative = this.compiled.map((c) => (acc += c.pattern.weight));
    this.total = acc;
    for (const t of scenario.traffic) {
      if ('world' in t.to && !this.dnsAnswers.has(`${t.to.world}.`)) this.dnsAnswers.set(`${t.to.world}.`, t.to.ip);
    }
  }

  /** How many traffic patterns the scenario has (connectionOf's range). */
  get patternCount(): number {
    return this.compiled.length;
  }

  private resolve(peer: PeerRef, podsOfWorkload: ReadonlyMap<string, readonly DemoPod[]>): ResolvedPeer {
    if ('workload' in peer) {
      const pods = podsOfWorkload.get(peer.workload) ?? [];
      if (pods.length === 0) throw new Error(`demo scenario: no pods for workload ${peer.workload}`);
      return { pods };
    }
    if ('world' in peer) return { pods: [], fixed: reservedEndpoint('world', 2, peer.ip, peer.world ? [peer.world] : []) };
    const identity = peer.reserved === 'host' ? 1 : peer.reserved === 'remote-node' ? 6 : 7;
    return { pods: [], fixed: reservedEndpoint(peer.reserved, identity, peer.ip ?? '') };
  }

  /** A v4-shaped uuid: a per-generator random prefix and a sequence number (unique, cheap, deterministic). */
  private uuid(): string {
    const n = this.seq++;
    const tail = (n % 0x1000000000000).toString(16).padStart(12, '0');
    return `${this.uuidPrefix}-${tail}`;
  }

  private pick<T>(list: readonly T[]): T {
    return list[(this.rand() * list.length) | 0];
  }

  private endpointOf(peer: ResolvedPeer, other: DemoPod | undefined, reserved: PeerRef): { ep: Omit<FlowEndpoint, 'port'>; pod?: DemoPod } {
    if (peer.fixed) {
      // The node peers take their address from the pod they talk to: the host is the pod's own
      // node, a remote node is another one.
      if ('reserved' in reserved && (reserved.reserved === 'host' || reserved.reserved === 'remote-node')) {
        const nodes = this.scenario.nodes;
        const own = (other && this.nodeByName.get(other.node)) || nodes[0];
        // A remote node: the first node that is not this one.
        const node = reserved.reserved === 'host' ? own : own !== nodes[0] ? nodes[0] : (nodes[1] ?? own);
        let byNode = this.nodeEndpoints.get(reserved.reserved);
        if (!byNode) this.nodeEndpoints.set(reserved.reserved, (byNode = new Map()));
        let ep = byNode.get(node);
        if (!ep) byNode.set(node, (ep = { ...peer.fixed, ip: node.ip }));
        return { ep };
      }
      return { ep: peer.fixed };
    }
    const pod = this.pick(peer.pods);
    let ep = this.podEndpoints.get(pod);
    if (!ep) this.podEndpoints.set(pod, (ep = podEndpoint(pod, this.scenario.cluster)));
    return { ep, pod };
  }

  /** Picks the next connection by weight and returns the flows Cilium would report for it. */
  nextConnection(now: number): FlowRecord[] {
    const r = this.rand() * this.total;
    // The first pattern whose cumulative weight passes r: binary search, O(log patterns).
    const cumulative = this.cumulative;
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cumulative[mid] <= r) lo = mid + 1;
      else hi = mid;
    }
    return this.flowsFor(this.compiled[lo], now);
  }

  /** The flows of one connection of the pattern at `index` (tests: every pattern once, whatever its weight). */
  connectionOf(index: number, now: number): FlowRecord[] {
    return this.flowsFor(this.compiled[index], now);
  }

  /** Generates at least `count` flows stamped from `start` onwards, `spacingMs` apart per connection. */
  generate(count: number, start: number, spacingMs: number): FlowRecord[] {
    const out: FlowRecord[] = [];
    let t = start;
    while (out.length < count) {
      for (const f of this.nextConnection(t)) out.push(f);
      t += spacingMs;
    }
    return out;
  }

  private flowsFor(c: CompiledPattern, now: number): FlowRecord[] {
    const p = c.pattern;
    const src = this.endpointOf(c.from, undefined, p.from);
    const dst = this.endpointOf(c.to, src.pod, p.to);
    // Host/remote-node sources take their node from the destination pod.
    const srcEp = c.from.fixed && dst.pod ? this.endpointOf(c.from, dst.pod, p.from).ep : src.ep;
    const srcNode = src.pod?.node ?? dst.pod?.node ?? this.scenario.nodes[0].name;
    const dstNode = dst.pod?.node ?? srcNode;
    const sport = 32768 + ((this.rand() * 28000) | 0);
    const flows: FlowRecord[] = [];
    let t = now;
    const base = (verdict: Verdict, direction: 'INGRESS' | 'EGRESS', node: string, reply: boolean): FlowRecord => {
      const s = reply ? dst.ep : srcEp;
      const d = reply ? srcEp : dst.ep;
      t += 0.05 + this.rand() * 0.2;
      return {
        uuid: this.uuid(),
        time: t,
        verdict,
        dropReason: '',
        direction,
        isReply: reply,
        protocol: p.protocol,
        tcpFlags: p.protocol === 'TCP' ? (reply ? ['SYN', 'ACK'] : ['SYN']) : [],
        source: withPort(s, reply ? p.port : sport),
        destination: withPort(d, reply ? sport : p.port),
        node: `${this.scenario.cluster}/${node}`,
        type: 'L3_L4',
        eventType: 4,
        egressAllowedBy: [],
        ingressAllowedBy: [],
        egressDeniedBy: [],
        ingressDeniedBy: [],
        summary: '',
      };
    };
    const withSummary = (f: FlowRecord) => {
      f.summary = f.protocol === 'TCP' ? `TCP Flags: ${f.tcpFlags.join(', ')}` : f.protocol;
      return f;
    };

    if (p.verdict === 'DROPPED') {
      const atEgress = p.enforcedAt === 'egress';
      const f = base('DROPPED', atEgress ? 'EGRESS' : 'INGRESS', atEgress ? srcNode : dstNode, false);
      f.isReply = false;
      f.dropReason = p.dropReason ?? 'POLICY_DENIED';
      f.eventType = 1;
      f.egressDeniedBy = p.egressDeniedBy ?? [];
      f.ingressDeniedBy = p.ingressDeniedBy ?? [];
      return [withSummary(f)];
    }

    const verdict: Verdict = p.verdict;
    const egress = withSummary(base(verdict, 'EGRESS', srcNode, false));
    egress.eventType = p.egressAllowedBy?.length || verdict === 'AUDIT' ? 5 : 4;
    egress.egressAllowedBy = p.egressAllowedBy ?? [];
    flows.push(egress);
    if (dst.pod) {
      const ingress = withSummary(base(verdict === 'AUDIT' ? 'FORWARDED' : verdict, 'INGRESS', dstNode, false));
      ingress.eventType = p.ingressAllowedBy?.length ? 5 : 4;
      ingress.ingressAllowedBy = p.ingressAllowedBy ?? [];
      flows.push(ingress);
    }
    if (p.dnsQuery) flows.push(...this.dnsExchange(p, base));
    if (p.http) flows.push(...this.httpExchange(p, base, p.ingressAllowedBy ?? []));
    flows.push(withSummary(base('FORWARDED', 'EGRESS', srcNode, true)));
    return flows;
  }

  private dnsExchange(p: TrafficPattern, base: (v: Verdict, d: 'INGRESS' | 'EGRESS', node: string, reply: boolean) => FlowRecord): FlowRecord[] {
    const q = p.dnsQuery!;
    const answer = this.dnsAnswers.get(q);
    const ips = answer ? [answer] : [];
    const req = base('FORWARDED', 'EGRESS', '', false);
    const res = base('FORWARDED', 'EGRESS', '', true);
    for (const f of [req, res]) {
      f.type = 'L7';
      f.eventType = 129;
      f.node = `${this.scenario.cluster}/${this.scenario.nodes[0].name}`;
      f.egressAllowedBy = p.egressAllowedBy ?? [];
      f.tcpFlags = [];
    }
    req.l7 = { type: 'REQUEST', latencyNs: 0, dns: { query: q, ips: [], ttl: 0, cnames: [], rcode: 0, qtypes: ['A'], rrtypes: [] } };
    res.l7 = { type: 'RESPONSE', latencyNs: 400_000 + ((this.rand() * 900_000) | 0), dns: { query: q, ips, ttl: 30, cnames: [], rcode: 0, qtypes: ['A'], rrtypes: ips.length ? ['A'] : [] } };
    req.summary = `DNS Query ${q} A`;
    res.summary = `DNS Answer "${ips.join(',')}" TTL: 30 (Proxy ${q} A)`;
    return [req, res];
  }

  private httpExchange(
    p: TrafficPattern,
    base: (v: Verdict, d: 'INGRESS' | 'EGRESS', node: string, reply: boolean) => FlowRecord,
    allowedBy: PolicyRef[],
  ): FlowRecord[] {
    const x = this.pick(p.http!);
    const req = base('FORWARDED', 'INGRESS', '', false);
    const res = base(x.code === 403 ? 'DROPPED' : 'FORWARDED', 'INGRESS', '', true);
    const host = 'to' in p && 'workload' in p.to ? p.to.workload.split('/')[1] : 'unknown';
    const url = `http://${host}:${p.port}${x.path}`;
    for (const f of [req, res]) {
      f.type = 'L7';
      f.eventType = 129;
      f.node = `${this.scenario.cluster}/${this.scenario.nodes[1].name}`;
      f.ingressAllowedBy = allowedBy;
      f.tcpFlags = [];
    }
    req.l7 = { type: 'REQUEST', latencyNs: 0, http: { method: x.method, url, code: 0, protocol: 'HTTP/1.1', headers: [{ key: 'user-agent', value: 'frontend/2.4' }] } };
    res.l7 = { type: 'RESPONSE', latencyNs: 2_000_000 + ((this.rand() * 30_000_000) | 0), http: { method: x.method, url, code: x.code, protocol: 'HTTP/1.1', headers: [] } };
    req.summary = `HTTP/1.1 ${x.method} ${url}`;
    res.summary = `HTTP/1.1 ${x.code} ${Math.round(res.l7.latencyNs / 1e6)}ms (${x.method} ${url})`;
    return [req, res];
  }
}
