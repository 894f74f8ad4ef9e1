/**
 * The policy engine: compiled once from a cluster snapshot, it answers "would this connection pass, and
 * what decided?" at the source's egress and the destination's ingress, for NetworkPolicy and Cilium
 * policies together. Policies are indexed per pod at compile time, so an evaluation only walks the rules
 * of the policies selecting its two pods.
 */

import type { ClusterSnapshot, Labels } from '../k8s/types';
import { objectKey } from '../k8s/types';
import { parseIp } from './cidr';
import { compileCiliumPolicy } from './cilium-policy';
import type { CompiledPolicy, CompiledRule, CompiledSection, Direction, PolicyRef, RuleRef } from './compiled-policy';
import { ciliumPodLabels, reservedEndpoint, type Endpoint, type PodEndpoint, type ReservedEndpoint } from './endpoint';
import { DnsNames } from './fqdn';
import type { L7Request } from './l7-rules';
import { compileNetworkPolicy } from './network-policy';
import { PolicyErrorSink, type PolicyError } from './policy-error';
import type { PeerRef } from './peer-ref';
import { portMatches, type Protocol } from './ports';

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
  code: 'unknown-pod' | 'invalid-peer';
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
}

interface SelectedSection {
  policy: CompiledPolicy;
  section: CompiledSection;
}

const WORLD_CACHE_SIZE = 4096;
const NO_RULES: CompiledRule[] = [];

const NOT_A_POD: DirectionVerdict = Object.freeze({ allowed: true, isolated: false, reason: 'not-a-pod', by: [], audit: false }) as DirectionVerdict;
const REPLY: DirectionVerdict = Object.freeze({ allowed: true, isolated: false, reason: 'reply', by: [], audit: false }) as DirectionVerdict;

export class PolicyEngine {
  readonly errors: PolicyError[];
  private readonly podList: PodEndpoint[] = [];
  private readonly podByKey = new Map<string, PodEndpoint>();
  private readonly podByIp = new Map<string, PodEndpoint>();
  private readonly nodeByIp = new Map<string, string>();
  /** Host-network pods are the node on the wire. */
  private readonly hostNetworkPodNode = new Map<string, string>();
  private readonly compiled: CompiledPolicy[] = [];
  private readonly ingressOf: SelectedSection[][] = [];
  private readonly egressOf: SelectedSection[][] = [];
  private readonly isolatedIngress: boolean[] = [];
  private readonly isolatedEgress: boolean[] = [];
  private readonly auditOf: boolean[] = [];
  private readonly selectedBy = new Map<CompiledPolicy, PodEndpoint[]>();
  private dns: DnsNames;
  private readonly allowLocalhost: boolean;
  private readonly worldCache = new Map<string, ReservedEndpoint>();
  /** Per pod and direction, the rules of every selecting policy in one flat list (built at compile time). */
  private readonly allowRulesOf: { ingress: CompiledRule[][]; egress: CompiledRule[][] } = { ingress: [], egress: [] };
  private readonly denyRulesOf: { ingress: CompiledRule[][]; egress: CompiledRule[][] } = { ingress: [], egress: [] };

  /** Compiles every policy of the snapshot; invalid policies are left out and listed in `errors`. */
  constructor(snapshot: ClusterSnapshot, options: EngineOptions = {}) {
    this.dns = toDnsNames(options.dns);
    this.allowLocalhost = (options.allowLocalhost ?? 'always') === 'always';
    const nsLabels = new Map<string, Labels>();
    for (const ns of snapshot.namespaces) nsLabels.set(ns.name, ns.labels);
    for (const node of snapshot.nodes) for (const ip of node.ips) this.nodeByIp.set(ip, node.name);

    const podsByNamespace = new Map<string, PodEndpoint[]>();
    for (const pod of snapshot.pods) {
      const key = objectKey(pod);
      if (pod.hostNetwork) {
        if (pod.node) this.hostNetworkPodNode.set(key, pod.node);
        continue;
      }
      const namespaceLabels = nsLabels.get(pod.namespace) ?? { 'kubernetes.io/metadata.name': pod.namespace };
      const addr = pod.ip ? parseIp(pod.ip) : undefined;
      const endpoint: PodEndpoint = {
        kind: 'pod',
        index: this.podList.length,
        namespace: pod.namespace,
        name: pod.name,
        labels: pod.labels,
        namespaceLabels,
        ciliumLabels: ciliumPodLabels(pod.namespace, pod.labels, namespaceLabels, pod.serviceAccount),
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

    const errors: PolicyError[] = [];
    for (const policy of snapshot.policies) {
      const sink = new PolicyErrorSink(policy);
      const compiled = policy.kind === 'NetworkPolicy' ? compileNetworkPolicy(policy, sink) : compileCiliumPolicy(policy, sink);
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
    this.errors = errors;
    // Flatten each pod's rules; pods selected by the same policies share one list.
    for (const direction of ['ingress', 'egress'] as const) {
      const shared = new Map<string, [CompiledRule[], CompiledRule[]]>();
      const of = direction === 'ingress' ? this.ingressOf : this.egressOf;
      for (let i = 0; i < of.length; i++) {
        const sections = of[i];
        if (sections.length === 0) {
          this.allowRulesOf[direction].push(NO_RULES);
          this.denyRulesOf[direction].push(NO_RULES);
          continue;
        }
        const key = sections.map((s) => this.compiled.indexOf(s.policy)).join(',');
        let lists = shared.get(key);
        if (!lists) shared.set(key, (lists = [sections.flatMap((s) => s.section.allow), sections.flatMap((s) => s.section.deny)]));
        this.allowRulesOf[direction].push(lists[0]);
        this.denyRulesOf[direction].push(lists[1]);
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
    const p = this.compiled.find((c) => c.ref.kind === ref.kind && c.ref.name === ref.name && c.ref.namespace === ref.namespace);
    return p ? this.selectedBy.get(p) ?? [] : [];
  }

  /** Whether a pod is isolated per direction and runs in audit mode. */
  isolation(pod: PodEndpoint): { ingress: boolean; egress: boolean; audit: boolean } {
    return { ingress: this.isolatedIngress[pod.index], egress: this.isolatedEgress[pod.index], audit: this.auditOf[pod.index] };
  }

  /** Policies (and their section) that select a pod in one direction. */
  sectionsFor(pod: PodEndpoint, direction: Direction): readonly { policy: CompiledPolicy; section: CompiledSection }[] {
    return direction === 'ingress' ? this.ingressOf[pod.index] : this.egressOf[pod.index];
  }

  /** Resolves a peer reference; `other` is the opposite side, to tell the local node from a remote one. */
  resolve(ref: PeerRef, other?: Endpoint): Endpoint | undefined {
    if ('pod' in ref) {
      const pod = this.podByKey.get(ref.pod);
      if (pod) return pod;
      const node = this.hostNetworkPodNode.get(ref.pod);
      return node ? this.nodeEndpoint(node, undefined, other) : undefined;
    }
    if ('entity' in ref) return reservedEndpoint(ref.entity, { ...(ref.ip ? { ip: ref.ip } : {}), ...(ref.node ? { node: ref.node } : {}) });
    const pod = this.podByIp.get(ref.ip);
    if (pod) return pod;
    const node = this.nodeByIp.get(ref.ip);
    if (node) return this.nodeEndpoint(node, ref.ip, other);
    return this.worldEndpoint(ref.ip);
  }

  /** Evaluates a connection given by references (pods as `ns/name`, IPs, reserved peers). */
  evaluate(conn: Connection): EvaluationResult {
    // Resolve pods first so a node IP can be told apart as the pod's own node (host) or another one.
    const fromPod = 'pod' in conn.from ? this.podByKey.get(conn.from.pod) : undefined;
    const toPod = 'pod' in conn.to ? this.podByKey.get(conn.to.pod) : undefined;
    const source = fromPod ?? this.resolve(conn.from, toPod);
    if (!source) return { error: { code: 'unknown-pod', message: `no pod ${formatRef(conn.from)} in the cluster`, where: { peer: 'from', ref: conn.from } } };
    const destination = toPod ?? this.resolve(conn.to, source);
    if (!destination) return { error: { code: 'unknown-pod', message: `no pod ${formatRef(conn.to)} in the cluster`, where: { peer: 'to', ref: conn.to } } };
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
    const dns = this.dns;
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
      if (idx === undefined) l7Unknown = true;
      else if (idx >= 0) (l7Admitted ??= []).push({ ...decided(rule), l7Rule: idx });
    }
    // An L4-only allow for the same peer and port wildcards the L7 rules (Cilium layer7 docs): every request passes.
    if (l4) return { allowed: true, isolated, reason: 'allowed', by: l7Admitted ? [...l4, ...l7Admitted] : l4, audit };
    if (l7Candidates) {
      if (l7Admitted) return { allowed: true, isolated, reason: 'allowed', by: l7Admitted, audit };
      if (l7Unknown) return { allowed: true, isolated, reason: 'allowed', by: l7Candidates, audit, l7Filtered: true };
      return { allowed: false, isolated, reason: 'l7-denied', by: l7Candidates, audit };
    }
    return { allowed: false, isolated, reason: 'default-deny', by: [], audit };
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

// The deciding-rule record of each rule is built once: evaluations share it instead of copying the ref.
const decidedCache = new WeakMap<CompiledRule, DecidingRule>();
function decided(rule: CompiledRule): DecidingRule {
  let d = decidedCache.get(rule);
  if (!d) decidedCache.set(rule, (d = Object.freeze({ ...rule.ref, action: rule.action }) as DecidingRule));
  return d;
}

function ruleMatches(r: CompiledRule, peer: Endpoint, port: number, protocol: Protocol, destinationPorts: PodEndpoint['containerPorts'] | undefined, dns: DnsNames): boolean {
  const ports = r.ports;
  if (ports) {
    let ok = false;
    for (let k = 0; k < ports.length && !ok; k++) ok = portMatches(ports[k], port, protocol, destinationPorts);
    if (!ok) return false;
  }
  return r.peer(peer, dns);
}

function toDnsNames(dns: EngineOptions['dns']): DnsNames {
  if (!dns) return new DnsNames();
  if (dns instanceof DnsNames) return dns;
  return new DnsNames(Object.entries(dns));
}

function formatRef(ref: PeerRef): string {
  if ('pod' in ref) return ref.pod;
  if ('entity' in ref) return ref.entity;
  return ref.ip;
}

/** Type guard for evaluation results. */
export function isEngineError(r: EvaluationResult): r is { error: EngineError } {
  return 'error' in r;
}
