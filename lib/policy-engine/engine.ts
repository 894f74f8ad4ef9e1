/**
 * The policy engine: compiled once from a cluster snapshot, it answers "would this connection pass, and
 * what decided?" at the source's egress and the destination's ingress, for NetworkPolicy and Cilium
 * policies together. Policies are indexed per pod at compile time, so an evaluation only walks the rules
 * of the policies selecting its two pods.
 */

import type { ClusterSnapshot, Labels } from '../k8s/types';
import { objectKey } from '../k8s/types';
import { serviceIndexOf, type ServiceIndex } from '../k8s/service-index';
import { parseIp } from '../net/ip';
import { compileCiliumPolicy } from './cilium-policy';
import type { CompiledPolicy, CompiledRule, CompiledSection, Direction, PolicyRef, RuleRef } from './compiled-policy';
import { chooseDatapath, type AddressSemantics, type Datapath, type DatapathChoice } from './datapath';
import { ciliumPodLabels, isOutsideCluster, reservedEndpoint, type Endpoint, type PodEndpoint, type ReservedEndpoint } from './endpoint';
import { DnsNames, type NameLookup } from './fqdn';
import type { L7Request } from './l7-rules';
import { compileNetworkPolicy } from './network-policy';
import { PolicyErrorSink, type PolicyError } from './policy-error';
import type { PeerRef } from './peer-ref';
import { portMatches, type Protocol } from './ports';
import { runToEnd, type Steps } from '../util/time-slices';

export interface Connection {
  from: PeerRef;
  to: PeerRef;
  port: number;
  protocol: Protocol;
  l7?: L7Request;
  /** A reply of an established connection: stateful enforcement lets it through without evaluation. */
  reply?: boolean;
}

/** A rule that decided, as the issue's `by` entries: policy kind, namespace, name and rule index. */
export interface DecidingRule extends RuleRef {
  action: 'allow' | 'deny';
  /** Index of the L7 rule (http / dns) of the port that admitted the request. */
  l7Rule?: number;
}

export type DirectionReason =
  | 'not-isolated' // no policy isolates the pod in this direction: default allow
  | 'allowed' // allowed by the rules in `by`
  | 'default-deny' // isolated, and no rule allows it
  | 'denied' // a deny rule matched (Cilium ingressDeny / egressDeny): `by` names it
  | 'l7-denied' // the port only admits requests matching L7 rules (`by`), and this request does not
  | 'host-always-allowed' // the local node (kubelet probes) always reaches its pods
  | 'not-a-pod' // this side is not a pod: no pod policy applies here
  | 'reply'; // reply of an allowed connection

export interface DirectionVerdict {
  /** What the policies decide here (before audit mode). */
  allowed: boolean;
  isolated: boolean;
  reason: DirectionReason;
  by: DecidingRule[];
  /** The pod runs in audit mode: a deny here is reported (AUDIT), not enforced. */
  audit: boolean;
  /** Allowed at L4 for requests that match L7 rules; no request data was given to check them. */
  l7Filtered?: boolean;
  /**
   * On a default deny: the policies that isolate the pod in this direction (a NetworkPolicy with this
   * direction in its policyTypes, a Cilium policy with rules in this section and default deny left on).
   * None of their rules allowed the connection, so they are what denied it.
   */
  isolatedBy?: readonly PolicyRef[];
  /**
   * Denied although toFQDNs rules name the destination (per the DNS answers seen): the pod's DNS proxy
   * would not have learned the name, so Cilium never allows those addresses. The rules that would match.
   */
  fqdnNotLearned?: DecidingRule[];
}

export type FlowVerdict = 'FORWARDED' | 'DROPPED' | 'AUDIT';

export interface ConnectionVerdict {
  /** The traffic passes (FORWARDED, or AUDIT where it would be dropped once enforced). */
  allowed: boolean;
  verdict: FlowVerdict;
  /** Where it is dropped (or would be, for AUDIT). */
  enforcedAt?: Direction;
  source: Endpoint;
  destination: Endpoint;
  egress: DirectionVerdict;
  ingress: DirectionVerdict;
}

export interface EngineError {
  /** `service-peer`: the peer is a Service (by name or ClusterIP): its backends decide (service-connection.ts). */
  code: 'unknown-pod' | 'invalid-peer' | 'service-peer';
  message: string;
  where: { peer: 'from' | 'to'; ref: PeerRef };
}

export type EvaluationResult = ConnectionVerdict | { error: EngineError };

export interface EngineOptions {
  /** DNS names seen for IPs (from DNS answers in flows), for toFQDNs. */
  dns?: DnsNames | Record<string, readonly string[]>;
  /**
   * Cilium's allow-localhost: by default (`auto`/`always`) the local node reaches its pods whatever the
   * policy; `policy` subjects it to ingress policy like any peer.
   */
  allowLocalhost?: 'always' | 'policy';
  /**
   * The datapath whose semantics to apply (see datapath.ts); detected from the snapshot when absent. On the
   * kubernetes datapath Cilium policies are not enforced, so they are left out (with a warning each).
   */
  datapath?: Datapath | DatapathChoice;
  /** Cilium's `policy-cidr-match-mode: nodes`: CIDR / ipBlock rules also select node addresses. */
  cidrMatchesNodes?: boolean;
}

interface SelectedSection {
  policy: CompiledPolicy;
  section: CompiledSection;
}

const WORLD_CACHE_SIZE = 4096;
const PROXY_CACHE_SIZE = 1024;
const DNS_PORT = 53;
/** Pods handled between pauses of a compile in steps: well under a millisecond of work each batch. */
const PODS_PER_STEP = 256;
/** Passed by PolicyEngine.compile() alone (not exported): the compile is left to its steps. */
const COMPILE_IN_STEPS: unique symbol = Symbol('compile in steps');
const NO_RULES: CompiledRule[] = [];
const NO_POLICIES: readonly PolicyRef[] = Object.freeze([]);
const NO_NAMES = new DnsNames();

const NOT_A_POD: DirectionVerdict = Object.freeze({ allowed: true, isolated: false, reason: 'not-a-pod', by: [], audit: false }) as DirectionVerdict;
const REPLY: DirectionVerdict = Object.freeze({ allowed: true, isolated: false, reason: 'reply', by: [], audit: false }) as DirectionVerdict;

export class PolicyEngine {
  readonly errors: PolicyError[] = [];
  /** The datapath the verdicts model, and why it was chosen. */
  readonly datapath: DatapathChoice;
  private readonly podList: PodEndpoint[] = [];
  private readonly podByKey = new Map<string, PodEndpoint>();
  private readonly podByIp = new Map<string, PodEndpoint>();
  private readonly nodeByIp = new Map<string, string>();
  /** Host-network pods are the node on the wire, with the node's address (their pod IP is the node IP). */
  private readonly hostNetworkPodNode = new Map<string, { node: string; ip?: string }>();
  /** The snapshot's Services: connections to them are translated to backends before policy applies. */
  private serviceIndex!: ServiceIndex;
  private readonly compiled: CompiledPolicy[] = [];
  private readonly compiledByRef = new Map<string, CompiledPolicy>();
  private readonly ingressOf: SelectedSection[][] = [];
  private readonly egressOf: SelectedSection[][] = [];
  private readonly isolatedIngress: boolean[] = [];
  private readonly isolatedEgress: boolean[] = [];
  /** Per pod and direction, the policies that put it in default deny (shared, frozen: no copy per evaluation). */
  private readonly isolatingPolicies: { ingress: (readonly PolicyRef[])[]; egress: (readonly PolicyRef[])[] } = { ingress: [], egress: [] };
  private readonly auditOf: boolean[] = [];
  private readonly selectedBy = new Map<CompiledPolicy, PodEndpoint[]>();
  private dns: DnsNames;
  private readonly allowLocalhost: boolean;
  private readonly worldCache = new Map<string, ReservedEndpoint>();
  /** Per pod and direction, the rules of every selecting policy in one flat list (built at compile time). */
  private readonly allowRulesOf: { ingress: CompiledRule[][]; egress: CompiledRule[][] } = { ingress: [], egress: [] };
  private readonly denyRulesOf: { ingress: CompiledRule[][]; egress: CompiledRule[][] } = { ingress: [], egress: [] };
  /** The cluster DNS server pods (kube-dns / CoreDNS), whose queries Cilium's DNS proxy intercepts. */
  private dnsServers: PodEndpoint[] = [];
  /** Per egress rule list (shared by pods selected by the same policies): name -> learned by the DNS proxy. */
  private readonly proxyCache = new WeakMap<readonly CompiledRule[], Map<string, boolean>>();
  private readonly proxyLookups: NameLookup[] = [];

  /** Compiles every policy of the snapshot; invalid policies are left out and listed in `errors`. */
  constructor(snapshot: ClusterSnapshot, options: EngineOptions = {}, compile?: typeof COMPILE_IN_STEPS) {
    this.dns = toDnsNames(options.dns);
    this.allowLocalhost = (options.allowLocalhost ?? 'always') === 'always';
    this.datapath = typeof options.datapath === 'object' ? options.datapath : options.datapath ? { datapath: options.datapath, source: 'configured', reason: 'set by the caller' } : chooseDatapath(snapshot);
    if (compile !== COMPILE_IN_STEPS) runToEnd(this.compileSteps(snapshot, options));
  }

  /**
   * The constructor's compile as steps, for a server that must not hold its event loop for the
   * ~0.7 s a 5,000-workload snapshot takes: pauses between batches of pods and between policies.
   */
  static *compile(snapshot: ClusterSnapshot, options: EngineOptions = {}): Steps<PolicyEngine> {
    const engine = new PolicyEngine(snapshot, options, COMPILE_IN_STEPS);
    yield* engine.compileSteps(snapshot, options);
    return engine;
  }

  private *compileSteps(snapshot: ClusterSnapshot, options: EngineOptions): Steps<void> {
    const semantics: AddressSemantics = { datapath: this.datapath.datapath, cidrMatchesNodes: options.cidrMatchesNodes ?? false };
    const nsLabels = new Map<string, Labels>();
    for (const ns of snapshot.namespaces) nsLabels.set(ns.name, ns.labels);
    for (const node of snapshot.nodes) for (const ip of node.ips) this.nodeByIp.set(ip, node.name);
    this.serviceIndex = serviceIndexOf(snapshot);
    yield;

    const podsByNamespace = new Map<string, PodEndpoint[]>();
    let sincePause = 0;
    for (const pod of snapshot.pods) {
      if (++sincePause === PODS_PER_STEP) {
        sincePause = 0;
        yield;
      }
      const key = objectKey(pod);
      if (pod.hostNetwork) {
        const ip = pod.ip ?? snapshot.nodes.find((n) => n.name === pod.node)?.ips[0];
        if (pod.node) this.hostNetworkPodNode.set(key, { node: pod.node, ...(ip ? { ip } : {}) });
        continue;
      }
      const namespaceLabels = nsLabels.get(pod.namespace) ?? implicitNamespaceLabels(pod.namespace);
      const addr = pod.ip ? parseIp(pod.ip) : undefined;
      const endpoint: PodEndpoint = {
        kind: 'pod',
        index: this.podList.length,
        namespace: pod.namespace,
        name: pod.name,
        labels: pod.labels,
        namespaceLabels,
        ciliumLabels: ciliumLabelsOf(pod, namespaceLabels),
        containerPorts: pod.containerPorts,
        ...(pod.node ? { node: pod.node } : {}),
        ...(pod.ip ? { ip: pod.ip } : {}),
        ...(addr ? { addr } : {}),
        ...(pod.workload ? { workload: pod.workload } : {}),
      };
      this.podList.push(endpoint);
      this.podByKey.set(key, endpoint);
      for (const ip of pod.ips.length ? pod.ips : pod.ip ? [pod.ip] : []) this.podByIp.set(ip, endpoint);
      let list = podsByNamespace.get(pod.namespace);
      if (!list) podsByNamespace.set(pod.namespace, (list = []));
      list.push(endpoint);
      this.ingressOf.push([]);
      this.egressOf.push([]);
      this.isolatedIngress.push(false);
      this.isolatedEgress.push(false);
      this.auditOf.push(false);
    }

    this.dnsServers = this.podList.filter(isClusterDnsServer);
    const errors = this.errors;
    for (const policy of snapshot.policies) {
      // A policy's selection walks its namespace's pods, or every pod for a cluster-wide one.
      yield;
      const sink = new PolicyErrorSink(policy);
      if (policy.kind !== 'NetworkPolicy' && semantics.datapath === 'kubernetes') {
        sink.warn('unsupported-field', 'kind', `only Cilium enforces ${policy.kind}; the datapath is kubernetes (${this.datapath.reason}), so this policy is left out of every verdict`);
        errors.push(...sink.errors);
        continue;
      }
      const compiled = policy.kind === 'NetworkPolicy' ? compileNetworkPolicy(policy, sink, semantics) : compileCiliumPolicy(policy, sink, semantics);
      errors.push(...sink.errors);
      if (!compiled) continue;
      this.compiled.push(compiled);
      const candidates = compiled.namespace !== undefined ? podsByNamespace.get(compiled.namespace) ?? [] : this.podList;
      const selected: PodEndpoint[] = [];
      for (const pod of candidates) {
        if (!compiled.selects(pod)) continue;
        selected.push(pod);
        if (compiled.ingress) {
          this.ingressOf[pod.index].push({ policy: compiled, section: compiled.ingress });
          if (compiled.ingress.isolates) this.isolatedIngress[pod.index] = true;
        }
        if (compiled.egress) {
          this.egressOf[pod.index].push({ policy: compiled, section: compiled.egress });
          if (compiled.egress.isolates) this.isolatedEgress[pod.index] = true;
        }
        if (compiled.audit) this.auditOf[pod.index] = true;
      }
      this.selectedBy.set(compiled, selected);
    }
    // Flatten each pod's rules; pods selected by the same policies share one list. Positions and refs
    // are looked up in maps: a scan of every policy per pod, or per question, is quadratic at 4,000 policies.
    const position = new Map(this.compiled.map((c, i) => [c, i] as const));
    // The first of a ref, as a scan would find it.
    for (const c of this.compiled) if (!this.compiledByRef.has(refKey(c.ref))) this.compiledByRef.set(refKey(c.ref), c);
    for (const direction of ['ingress', 'egress'] as const) {
      const shared = new Map<string, [CompiledRule[], CompiledRule[], readonly PolicyRef[]]>();
      const of = direction === 'ingress' ? this.ingressOf : this.egressOf;
      for (let i = 0; i < of.length; i++) {
        if (i % PODS_PER_STEP === PODS_PER_STEP - 1) yield;
        const sections = of[i];
        if (sections.length === 0) {
          this.allowRulesOf[direction].push(NO_RULES);
          this.denyRulesOf[direction].push(NO_RULES);
          this.isolatingPolicies[direction].push(NO_POLICIES);
          continue;
        }
        const key = sections.map((s) => position.get(s.policy)).join(',');
        let lists = shared.get(key);
        if (!lists) {
          const isolating = Object.freeze(sections.filter((s) => s.section.isolates).map((s) => Object.freeze({ ...s.policy.ref })));
          shared.set(key, (lists = [sections.flatMap((s) => s.section.allow), sections.flatMap((s) => s.section.deny), isolating]));
        }
        this.allowRulesOf[direction].push(lists[0]);
        this.denyRulesOf[direction].push(lists[1]);
        this.isolatingPolicies[direction].push(lists[2]);
      }
    }
  }

  /** Replaces the DNS knowledge used by toFQDNs rules (e.g. after new DNS answers were observed). */
  setDnsNames(dns: DnsNames | Record<string, readonly string[]>): void {
    this.dns = toDnsNames(dns);
  }

  pods(): readonly PodEndpoint[] {
    return this.podList;
  }

  pod(key: string): PodEndpoint | undefined {
    return this.podByKey.get(key);
  }

  policies(): readonly CompiledPolicy[] {
    return this.compiled;
  }

  /** Pods a policy selects (empty: the policy selects nothing - often a label typo). */
  selectedPods(ref: PolicyRef): readonly PodEndpoint[] {
    const p = this.compiledByRef.get(refKey(ref));
    return p ? this.selectedBy.get(p) ?? [] : [];
  }

  /** Whether a pod is isolated per direction and runs in audit mode. */
  isolation(pod: PodEndpoint): { ingress: boolean; egress: boolean; audit: boolean } {
    return { ingress: this.isolatedIngress[pod.index], egress: this.isolatedEgress[pod.index], audit: this.auditOf[pod.index] };
  }

  /**
   * The policies that isolate a pod in one direction (Kubernetes: `policyTypes` names the direction;
   * Cilium: the policy has rules in that direction and `enableDefaultDeny` does not turn it off). Empty:
   * not isolated, default allow.
   */
  isolatedBy(pod: PodEndpoint, direction: Direction): readonly PolicyRef[] {
    return this.isolatingPolicies[direction][pod.index];
  }

  /** Policies (and their section) that select a pod in one direction. */
  sectionsFor(pod: PodEndpoint, direction: Direction): readonly { policy: CompiledPolicy; section: CompiledSection }[] {
    return direction === 'ingress' ? this.ingressOf[pod.index] : this.egressOf[pod.index];
  }

  /** The snapshot's Services, by name and ClusterIP. */
  services(): ServiceIndex {
    return this.serviceIndex;
  }

  /**
   * Resolves a peer reference; `other` is the opposite side, to tell the local node from a remote one.
   * A Service (by name or ClusterIP) is no single endpoint: undefined (service-connection.ts expands it).
   */
  resolve(ref: PeerRef, other?: Endpoint): Endpoint | undefined {
    if ('pod' in ref) {
      const pod = this.podByKey.get(ref.pod);
      if (pod) return pod;
      // A host-network pod is its node, at the node's address (so address rules see it as naming the IP would).
      const host = this.hostNetworkPodNode.get(ref.pod);
      return host ? this.nodeEndpoint(host.node, host.ip, other) : undefined;
    }
    if ('service' in ref) return undefined;
    if ('entity' in ref) return reservedEndpoint(ref.entity, { ...(ref.ip ? { ip: ref.ip } : {}), ...(ref.node ? { node: ref.node } : {}) });
    if (this.serviceIndex.byClusterIp(ref.ip)) return undefined;
    const pod = this.podByIp.get(ref.ip);
    if (pod) return pod;
    const node = this.nodeByIp.get(ref.ip);
    if (node) return this.nodeEndpoint(node, ref.ip, other);
    return this.worldEndpoint(ref.ip);
  }

  /** Why a reference resolves to no endpoint: an unknown pod, or a Service (whose backends decide). */
  private unresolved(ref: PeerRef, peer: 'from' | 'to'): EngineError {
    const service = 'service' in ref ? ref.service : 'ip' in ref && !('entity' in ref) ? this.serviceIndex.byClusterIp(ref.ip) : undefined;
    if (service) {
      const name = typeof service === 'string' ? service : objectKey(service);
      const what = typeof service === 'string' ? `${name} is a Service:` : `${formatRef(ref)} is the ClusterIP of Service ${name}:`;
      return { code: 'service-peer', message: `${what} connections to a Service reach one of its backends; evaluate it per backend`, where: { peer, ref } };
    }
    return { code: 'unknown-pod', message: `no pod ${formatRef(ref)} in the cluster`, where: { peer, ref } };
  }

  /** Evaluates a connection given by references (pods as `ns/name`, IPs, reserved peers). */
  evaluate(conn: Connection): EvaluationResult {
    // Resolve pods first so a node IP can be told apart as the pod's own node (host) or another one.
    const fromPod = 'pod' in conn.from ? this.podByKey.get(conn.from.pod) : undefined;
    const toPod = 'pod' in conn.to ? this.podByKey.get(conn.to.pod) : undefined;
    const source = fromPod ?? this.resolve(conn.from, toPod);
    if (!source) return { error: this.unresolved(conn.from, 'from') };
    const destination = toPod ?? this.resolve(conn.to, source);
    if (!destination) return { error: this.unresolved(conn.to, 'to') };
    return this.evaluateEndpoints(source, destination, conn.port, conn.protocol, conn.l7, conn.reply);
  }

  /** Evaluates a connection between resolved endpoints: the hot path. */
  evaluateEndpoints(source: Endpoint, destination: Endpoint, port: number, protocol: Protocol, l7?: L7Request, reply = false): ConnectionVerdict {
    if (reply) return { allowed: true, verdict: 'FORWARDED', source, destination, egress: REPLY, ingress: REPLY };
    const destinationPorts = destination.kind === 'pod' ? destination.containerPorts : undefined;
    const egress = source.kind === 'pod' ? this.direction('egress', source, destination, port, protocol, destinationPorts, l7) : NOT_A_POD;
    const ingress = destination.kind === 'pod' ? this.direction('ingress', destination, source, port, protocol, destinationPorts, l7) : NOT_A_POD;
    if (!egress.allowed && !egress.audit) return { allowed: false, verdict: 'DROPPED', enforcedAt: 'egress', source, destination, egress, ingress };
    if (!ingress.allowed && !ingress.audit) return { allowed: false, verdict: 'DROPPED', enforcedAt: 'ingress', source, destination, egress, ingress };
    if (!egress.allowed) return { allowed: true, verdict: 'AUDIT', enforcedAt: 'egress', source, destination, egress, ingress };
    if (!ingress.allowed) return { allowed: true, verdict: 'AUDIT', enforcedAt: 'ingress', source, destination, egress, ingress };
    return { allowed: true, verdict: 'FORWARDED', source, destination, egress, ingress };
  }

  private direction(
    direction: Direction,
    subject: PodEndpoint,
    peer: Endpoint,
    port: number,
    protocol: Protocol,
    destinationPorts: PodEndpoint['containerPorts'] | undefined,
    l7: L7Request | undefined,
  ): DirectionVerdict {
    const i = subject.index;
    const isolated = direction === 'ingress' ? this.isolatedIngress[i] : this.isolatedEgress[i];
    const audit = this.auditOf[i];
    if (direction === 'ingress' && peer.kind === 'host' && this.allowLocalhost) {
      return { allowed: true, isolated, reason: 'host-always-allowed', by: [], audit: false };
    }
    // At egress, toFQDNs rules see only the names this pod's DNS proxy would have learned.
    const dns: NameLookup = direction === 'egress' ? this.learnedNames(i) : this.dns;
    const denyRules = this.denyRulesOf[direction][i];
    const allowRules = this.allowRulesOf[direction][i];

    // Deny rules win over any allow, whatever policy they come from.
    let denied: DecidingRule[] | undefined;
    for (let r = 0; r < denyRules.length; r++) if (ruleMatches(denyRules[r], peer, port, protocol, destinationPorts, dns)) (denied ??= []).push(decided(denyRules[r]));
    if (denied) return { allowed: false, isolated, reason: 'denied', by: denied, audit };
    if (!isolated) return { allowed: true, isolated: false, reason: 'not-isolated', by: [], audit: false };

    let l4: DecidingRule[] | undefined;
    let l7Admitted: DecidingRule[] | undefined;
    let l7Candidates: DecidingRule[] | undefined;
    let l7Unknown = false;
    for (let r = 0; r < allowRules.length; r++) {
      const rule = allowRules[r];
      if (!ruleMatches(rule, peer, port, protocol, destinationPorts, dns)) continue;
      if (rule.l7 === null) {
        (l4 ??= []).push(decided(rule));
        continue;
      }
      (l7Candidates ??= []).push(decided(rule));
      const idx = l7 ? rule.l7.match(l7) : undefined;
      // No request data, but a rule that admits every request: it passes whatever the request was.
      if (idx === undefined && rule.l7.admitsAll) (l7Admitted ??= []).push(decided(rule));
      else if (idx === undefined) l7Unknown = true;
      else if (idx >= 0) (l7Admitted ??= []).push({ ...decided(rule), l7Rule: idx });
    }
    // An L4-only allow for the same peer and port wildcards the L7 rules (Cilium layer7 docs): every request passes.
    if (l4) return { allowed: true, isolated, reason: 'allowed', by: l7Admitted ? [...l4, ...l7Admitted] : l4, audit };
    if (l7Candidates) {
      if (l7Admitted) return { allowed: true, isolated, reason: 'allowed', by: l7Admitted, audit };
      if (l7Unknown) return { allowed: true, isolated, reason: 'allowed', by: l7Candidates, audit, l7Filtered: true };
      return { allowed: false, isolated, reason: 'l7-denied', by: l7Candidates, audit, ...this.fqdnNotLearned(direction, allowRules, peer, port, protocol, destinationPorts) };
    }
    // No rule decided: the policies that isolate the pod did, by default deny; name them.
    return { allowed: false, isolated, reason: 'default-deny', by: [], isolatedBy: this.isolatingPolicies[direction][i], audit, ...this.fqdnNotLearned(direction, allowRules, peer, port, protocol, destinationPorts) };
  }

  /**
   * Whether a pod's DNS lookups of `name` go through Cilium's DNS proxy and are answered, so that toFQDNs
   * rules learn the name's addresses (docs.cilium.io, Policy Language, "DNS based": the DNS traffic must be
   * allowed by a rule with L7 `rules.dns`; an L4-only allow of port 53 never reaches the proxy). The proxy
   * sees the query when an egress allow rule with DNS rules selects the cluster DNS server on port 53; it
   * answers when a DNS pattern covers the name, or an L4-only allow for the same server and port wildcards
   * the DNS rules (docs.cilium.io, "Layer 7 Policies"), and no deny rule drops the lookup. Cilium's agent
   * shares what its proxy learned across the pods of a node (pkg/fqdn: "collected globally in each
   * cilium-agent"), so a pod without such a rule may pass by chance after a neighbour's lookup: the engine
   * does not count on chance and says dropped.
   */
  dnsProxyLearns(pod: PodEndpoint, name: string): boolean {
    const allow = this.allowRulesOf.egress[pod.index];
    if (allow.length === 0) return false;
    let cache = this.proxyCache.get(allow);
    if (!cache) this.proxyCache.set(allow, (cache = new Map()));
    let learned = cache.get(name);
    if (learned === undefined) {
      if (cache.size >= PROXY_CACHE_SIZE) cache.clear();
      cache.set(name, (learned = this.proxyAnswers(allow, this.denyRulesOf.egress[pod.index], name)));
    }
    return learned;
  }

  private proxyAnswers(allow: readonly CompiledRule[], deny: readonly CompiledRule[], name: string): boolean {
    const query = { dns: { query: name } };
    // Without a known DNS server pod, any rule on port 53 stands for the path to it.
    const server: PodEndpoint | undefined = this.dnsServers[0];
    for (const protocol of ['UDP', 'TCP'] as const) {
      const onPath = (r: CompiledRule) => (server ? ruleMatches(r, server, DNS_PORT, protocol, server.containerPorts, NO_NAMES) : portsMatch(r, DNS_PORT, protocol, undefined));
      if (server && deny.some(onPath)) continue;
      let proxied = false;
      let answered = false;
      for (const rule of allow) {
        if (!onPath(rule)) continue;
        if (rule.l7 === null) answered = true;
        else if (rule.l7.type === 'dns') {
          proxied = true;
          if ((rule.l7.match(query) ?? -1) >= 0) answered = true;
        }
      }
      if (proxied && answered) return true;
    }
    return false;
  }

  /** The DNS knowledge one pod's toFQDNs rules see: the names its DNS proxy would have learned. */
  private learnedNames(podIndex: number): NameLookup {
    let lookup = this.proxyLookups[podIndex];
    if (!lookup) {
      const pod = this.podList[podIndex];
      this.proxyLookups[podIndex] = lookup = {
        namesOf: (ip) => {
          const all = this.dns.namesOf(ip);
          return all.length === 0 ? all : all.filter((n) => this.dnsProxyLearns(pod, n));
        },
      };
    }
    return lookup;
  }

  /** On a denied egress: the toFQDNs rules that would match with every DNS answer seen (names the proxy never learned). */
  private fqdnNotLearned(direction: Direction, allowRules: readonly CompiledRule[], peer: Endpoint, port: number, protocol: Protocol, destinationPorts: PodEndpoint['containerPorts'] | undefined): { fqdnNotLearned?: DecidingRule[] } {
    if (direction !== 'egress' || !isOutsideCluster(peer) || !peer.ip) return {};
    let rules: DecidingRule[] | undefined;
    for (const rule of allowRules) if (rule.fqdns && ruleMatches(rule, peer, port, protocol, destinationPorts, this.dns)) (rules ??= []).push(decided(rule));
    return rules ? { fqdnNotLearned: rules } : {};
  }

  /** Parsing an address is the costliest step of an evaluation to the internet: remember recent ones. */
  private worldEndpoint(ip: string): ReservedEndpoint {
    let e = this.worldCache.get(ip);
    if (!e) {
      if (this.worldCache.size >= WORLD_CACHE_SIZE) this.worldCache.clear();
      this.worldCache.set(ip, (e = reservedEndpoint('world', { ip })));
    }
    return e;
  }

  private nodeEndpoint(node: string, ip: string | undefined, other: Endpoint | undefined): ReservedEndpoint {
    const local = other?.kind === 'pod' && other.node === node;
    return reservedEndpoint(local ? 'host' : 'remote-node', { ...(ip ? { ip } : {}), node });
  }
}

/**
 * Cilium's label set of a pod, shared by every engine compiled from the same pod object (the posture's
 * engine per snapshot, a replay's two engines): building it is most of what a pod costs to compile.
 * Keyed by the pod's own labels object; valid while its namespace, namespace labels and service account
 * are the same objects. Never mutated by the engine.
 */
/** The label the API server gives every namespace, for a namespace the snapshot does not list (one object per name, so the cache above hits). */
const implicitLabels = new Map<string, Labels>();
function implicitNamespaceLabels(namespace: string): Labels {
  let l = implicitLabels.get(namespace);
  if (!l) {
    if (implicitLabels.size >= 10_000) implicitLabels.clear();
    implicitLabels.set(namespace, (l = { 'kubernetes.io/metadata.name': namespace }));
  }
  return l;
}

const ciliumLabelsCache = new WeakMap<Labels, { namespace: string; namespaceLabels: Labels; serviceAccount: string | undefined; labels: Labels }>();
function ciliumLabelsOf(pod: { namespace: string; labels: Labels; serviceAccount?: string }, namespaceLabels: Labels): Labels {
  const hit = ciliumLabelsCache.get(pod.labels);
  if (hit && hit.namespace === pod.namespace && hit.namespaceLabels === namespaceLabels && hit.serviceAccount === pod.serviceAccount) return hit.labels;
  const labels = ciliumPodLabels(pod.namespace, pod.labels, namespaceLabels, pod.serviceAccount);
  ciliumLabelsCache.set(pod.labels, { namespace: pod.namespace, namespaceLabels, serviceAccount: pod.serviceAccount, labels });
  return labels;
}

// The deciding-rule record of each rule is built once: evaluations share it instead of copying the ref.
const decidedCache = new WeakMap<CompiledRule, DecidingRule>();
function decided(rule: CompiledRule): DecidingRule {
  let d = decidedCache.get(rule);
  if (!d) decidedCache.set(rule, (d = Object.freeze({ ...rule.ref, action: rule.action }) as DecidingRule));
  return d;
}

function portsMatch(r: CompiledRule, port: number, protocol: Protocol, destinationPorts: PodEndpoint['containerPorts'] | undefined): boolean {
  const ports = r.ports;
  if (!ports) return true;
  for (let k = 0; k < ports.length; k++) if (portMatches(ports[k], port, protocol, destinationPorts)) return true;
  return false;
}

function ruleMatches(r: CompiledRule, peer: Endpoint, port: number, protocol: Protocol, destinationPorts: PodEndpoint['containerPorts'] | undefined, names: NameLookup): boolean {
  return portsMatch(r, port, protocol, destinationPorts) && r.peer(peer, names);
}

/** The cluster DNS server (kube-dns / CoreDNS in kube-system), as AKS and kubeadm label it. */
function isClusterDnsServer(p: PodEndpoint): boolean {
  return p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns';
}

function toDnsNames(dns: EngineOptions['dns']): DnsNames {
  if (!dns) return new DnsNames();
  if (dns instanceof DnsNames) return dns;
  return new DnsNames(Object.entries(dns));
}

function formatRef(ref: PeerRef): string {
  if ('pod' in ref) return ref.pod;
  if ('service' in ref) return ref.service;
  if ('entity' in ref) return ref.entity;
  return ref.ip;
}

/** Type guard for evaluation results. */
export function isEngineError(r: EvaluationResult): r is { error: EngineError } {
  return 'error' in r;
}

/** One policy's identity as a map key (kinds and Kubernetes names hold no NUL). */
function refKey(ref: PolicyRef): string {
  return `${ref.kind}\0${ref.namespace}\0${ref.name}`;
}
