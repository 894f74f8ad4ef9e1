/**
 * Checks a generated fix with the policy engine before anyone sees it: the fix's manifests are applied to
 * the snapshot (`kubectl apply` semantics: an object with the same kind, namespace and name is replaced),
 * the engine is rebuilt, and verdicts are compared for the connections observed in flows and for the pod
 * pairs the fix's selectors touch. A fix that would deny a connection that is allowed today and that it
 * does not mean to deny (any observed connection, or pods outside the finding) is narrowed to the
 * affected workloads' stable labels, or withheld with the reason. A fix that does not achieve its purpose
 * (the connection it should open or close) is withheld too.
 *
 * Cost: a fix changes only the verdicts of pods its policies select, all in the fix's namespace. The engine
 * for "snapshot + fix" is therefore compiled from that namespace alone (plus cluster-wide policies and the
 * DNS servers), and peers elsewhere are matched as they are, by labels and address.
 */

import type { ClusterSnapshot, PolicyObject } from '../k8s/types';
import { normalizeObject } from '../k8s/normalize';
import type { Direction, PolicyRef } from '../policy-engine/compiled-policy';
import { CILIUM_SERVICE_ACCOUNT_LABEL, describeEndpoint, reservedEndpoint, type Endpoint, type PodEndpoint } from '../policy-engine/endpoint';
import { PolicyEngine, isEngineError, type ConnectionVerdict, type DirectionVerdict, type EngineOptions } from '../policy-engine/engine';
import type { FixCheck } from './finding';
import { selectorForWorkloads, withSelector } from './fix-manifests';
import { describeConnection, peerRefOf, type ObservedConnection } from './observed-connections';
import type { PeerRef } from '../policy-engine/peer-ref';
import type { Protocol } from '../policy-engine/ports';
import { stableLabels, workloadKey, workloadKeyOfPod, workloadsOf, type Workload } from './workloads';
import { measured, runToEnd, type Steps } from '../util/time-slices';

/** One connection whose verdict the fix changes from allowed to denied. */
export interface ConnectionCase {
  source: Endpoint;
  destination: Endpoint;
  port: number;
  protocol: Protocol;
  /** Where the fix denies it: the source's egress or the destination's ingress. */
  at: Direction;
  /** Workload (`ns/name`) of the pod on the side that denies. */
  subject?: string;
  observed?: ObservedConnection;
}

/** A connection the fix exists for: it must end up allowed (DNS) or denied (open egress). */
export interface FixTarget {
  from: PeerRef;
  to: PeerRef;
  port: number;
  protocol: Protocol;
  expect: 'allowed' | 'denied';
  /** In words, for the reason when the fix misses it. */
  label: string;
}

export interface FixIntent {
  /** Stable id of what the fix means (part of the cache key), e.g. `allow-only`, `default-deny:egress`. */
  id: string;
  /** Workloads (`ns/name`) the fix is for. A fix that changes pods outside them is narrowed to them. */
  workloads: readonly string[];
  /** Newly denied, unobserved connections of those workloads that the fix means to deny. */
  denies: (c: ConnectionCase) => boolean;
  /** `workloads`: the selector may be narrowed to a subset; `fixed`: it may not (e.g. an edited existing policy). */
  scoping: 'workloads' | 'fixed';
  targets?: readonly FixTarget[];
}

/** The fix only adds allows: nothing may become denied. */
export function allowOnlyIntent(workloads: readonly string[], targets: readonly FixTarget[] = []): FixIntent {
  return { id: 'allow-only', workloads, denies: () => false, scoping: 'workloads', targets };
}

/** Default deny for these workloads in these directions (unobserved connections only). */
export function defaultDenyIntent(workloads: readonly string[], directions: readonly Direction[]): FixIntent {
  return { id: `default-deny:${[...directions].sort().join(',')}`, workloads, denies: (c) => directions.includes(c.at), scoping: 'workloads' };
}

/** An egress allow-list: every unobserved egress of the workloads may be denied. */
export function egressAllowlistIntent(workloads: readonly string[], targets: readonly FixTarget[] = []): FixIntent {
  return { id: 'egress-allowlist', workloads, denies: (c) => c.at === 'egress', scoping: 'workloads', targets };
}

/** Port 53 to anything but kube-dns may be denied; the edited policy keeps its name and selector. */
export function dnsToKubeDnsOnlyIntent(workloads: readonly string[], targets: readonly FixTarget[] = []): FixIntent {
  const kubeDns = (e: Endpoint) => e.kind === 'pod' && e.namespace === 'kube-system' && e.labels['k8s-app'] === 'kube-dns';
  return { id: 'dns-to-kube-dns', workloads, denies: (c) => c.at === 'egress' && c.port === 53 && !kubeDns(c.destination), scoping: 'fixed', targets };
}

export interface FixCheckContext {
  observed: readonly ObservedConnection[];
  /** DNS names learned from flows (for toFQDNs), the same the base engine uses. */
  dns: Record<string, readonly string[]>;
}

export interface CheckedFix {
  /** The manifests to show (possibly narrowed); undefined when the fix is withheld or not checked yet. */
  manifests?: Record<string, unknown>[];
  check: FixCheck;
}

/**
 * `engines`: compiled "snapshot + fix" engines kept, least recently used first out. Each holds its
 * namespaces' pods and policies (~1 MB at 5,000 workloads), and an open-egress fix changes with every
 * new destination seen, so a recompute adds ~15 new ones: 512 of them grew the server's heap by
 * ~12 MB/min up to ~0.5 GB. The ones every run uses (default deny, DNS) stay, being used.
 */
export const FIX_CHECK_LIMITS = { pairs: 4_000, examples: 5, spared: 10, engines: 64, results: 8192 } as const;

/** Observed connections evaluated between two pauses of a sliced run (each is two engine verdicts). */
const OBSERVED_PER_STEP = 64;
/** Observed connections indexed by workload between two pauses (a map lookup or two each). */
const INDEXED_PER_STEP = 2_000;
/** Regressions deduplicated between two pauses (a string key each; a default deny breaks thousands of pairs). */
const CASES_PER_STEP = 500;
const ENGINE_PROTOCOLS: ReadonlySet<string> = new Set(['TCP', 'UDP', 'SCTP']);
const WORLD_PROBES: readonly { ip: string; port: number; protocol: Protocol }[] = [
  { ip: '1.1.1.1', port: 443, protocol: 'TCP' },
  { ip: '8.8.8.8', port: 53, protocol: 'UDP' },
];
/** The namespace of the stand-in peer (no policy names it): see `Prepared.sentinel`. */
const SENTINEL_NAMESPACE = 'flowsight-fix-check-peer';
const MAX_SPARED_KEPT = 200;
/** Pairs every touched pod gets however many there are (a namespace-wide fix touches many). */
const MIN_PAIRS_PER_POD = 100;

interface Regression extends ConnectionCase {
  intended: boolean;
}

/** A fix compiled against the snapshot: its engine, the pods it touches, and its pair regressions once computed. */
interface Prepared {
  engine: PolicyEngine;
  refs: PolicyRef[];
  errors: string[];
  /** Pods (`ns/name`) whose policies the fix changes (and those pods in the base engine), and their workloads. */
  touched: Set<string>;
  touchedPods: PodEndpoint[];
  touchedWorkloads: Set<string>;
  egress: boolean;
  ingress: boolean;
  /** The DNS names this engine has (replaced when new answers were observed). */
  dns: FixCheckContext['dns'];
  /**
   * Index of a stand-in pod of this engine. A peer pod outside the compiled namespaces is handed to the engine
   * under this index: the engine uses a pod's index only for that pod's own policies, which are discarded
   * for the peer side (only the touched side's verdict is read), while rules match the peer by its labels.
   */
  sentinel: number;
  peers: WeakMap<PodEndpoint, PodEndpoint>;
  pairs?: { cases: ConnectionCase[]; pairs: number; truncated: boolean };
}

interface Evaluation {
  regressions: Regression[];
  missed: FixTarget[];
  errors: string[];
  checked: { observed: number; pairs: number; truncated: boolean };
}

export interface FixCheckerOptions {
  /** The options the base engine was built with, minus DNS and datapath (which come from the base engine and each check). */
  engineOptions?: Omit<EngineOptions, 'dns' | 'datapath'>;
  /**
   * Time the checks of one findings run may spend computing (ms; pauses of a sliced run not counted).
   * Fixes not checked when it runs out are withheld as `pending` and checked on a later run (results are
   * kept), so a large cluster's findings come in a second, not after minutes of checks.
   */
  budgetMs?: number;
  now?: () => number;
}

/**
 * Checks fixes against one snapshot and its engine. Engines for "snapshot + fix" are compiled once per
 * distinct fix and results are remembered until a touched workload shows a new connection or new DNS
 * answers arrive, so a posture recomputed every second does not recompile the cluster for every finding.
 */
export class FixChecker {
  private readonly prepared = new Map<string, Prepared>();
  private readonly results = new Map<string, { result: CheckedFix; touched: ReadonlySet<string>; observed: number; dns: number }>();
  private readonly workloads: Map<string, Workload>;
  /** One pod per workload and label set: the peers of pair checks, same-namespace first per namespace. */
  private readonly everyone: PodEndpoint[];
  private readonly peersByNamespace = new Map<string, PodEndpoint[]>();
  private observedIndex: { list: readonly ObservedConnection[]; byWorkload: Map<string, ObservedConnection[]> } | undefined;
  /** Time this run's checks spent computing. */
  private spentMs = 0;
  /** Checks that ran out of budget in the current run. */
  pending = 0;

  /** Compiled fix engines held (at most FIX_CHECK_LIMITS.engines). */
  get enginesHeld(): number {
    return this.prepared.size;
  }

  constructor(
    private readonly snapshot: ClusterSnapshot,
    private readonly base: PolicyEngine,
    private readonly options: FixCheckerOptions = {},
  ) {
    this.workloads = new Map(workloadsOf(base.pods()).map((w) => [workloadKey(w), w]));
    this.everyone = representatives(base.pods());
  }

  /** Starts a findings run: the time budget counts from here. */
  beginRun(): void {
    this.spentMs = 0;
    this.pending = 0;
  }

  /** Verifies `manifests` against `intent`; narrows or withholds them when they would deny what they should not. */
  check(manifests: Record<string, unknown>[], intent: FixIntent, ctx: FixCheckContext): CheckedFix {
    return runToEnd(this.checkSteps(manifests, intent, ctx));
  }

  /** check() as steps: pauses between batches of the connections it evaluates. */
  *checkSteps(manifests: Record<string, unknown>[], intent: FixIntent, ctx: FixCheckContext): Steps<CheckedFix> {
    yield* this.indexObserved(ctx.observed);
    const key = `${JSON.stringify(manifests)}|${intent.id}|${intent.workloads.join(',')}`;
    // A result holds until a workload it touches shows a new connection, or new DNS answers arrive.
    const cached = this.results.get(key);
    if (cached && cached.dns === dnsSize(ctx.dns) && cached.observed === this.observedOf(ctx.observed, cached.touched).length) return cached.result;
    if (this.options.budgetMs !== undefined && this.spentMs >= this.options.budgetMs) {
      this.pending++;
      return { check: { status: 'pending', summary: 'Not shown yet: the policy engine has not finished checking this fix against the cluster.', stops: { count: 0, examples: [] }, spared: [], checked: { observed: 0, pairs: 0, truncated: false } } };
    }
    const result = yield* measured(this.run(manifests, intent, ctx), (ms) => (this.spentMs += ms), this.options.now);
    const touched = (yield* this.prepare(manifests, ctx.dns)).touchedWorkloads;
    if (this.results.size >= FIX_CHECK_LIMITS.results) this.results.clear();
    this.results.set(key, { result, touched, observed: this.observedOf(ctx.observed, touched).length, dns: dnsSize(ctx.dns) });
    return result;
  }

  private *run(manifests: Record<string, unknown>[], intent: FixIntent, ctx: FixCheckContext): Steps<CheckedFix> {
    let current = manifests;
    const scope = new Set(intent.workloads);
    const spared: Regression[] = [];
    let last: Evaluation | undefined;
    for (let round = 0; round < 4; round++) {
      const e = yield* this.evaluate(current, intent, scope, ctx);
      last = e;
      if (e.errors.length) return { check: this.result('refused', `Not shown: the fix does not compile or would not be enforced: ${e.errors.join('; ')}`, e, spared) };
      const unintended = e.regressions.filter((r) => !r.intended);
      if (unintended.length === 0) {
        if (e.missed.length) return { check: this.result('refused', `Not shown: it would not achieve its purpose: ${e.missed.map((t) => `${t.label} would stay ${t.expect === 'allowed' ? 'denied' : 'allowed'}`).join('; ')}`, e, spared) };
        if (round === 0) return { manifests: current, check: this.result('verified', verifiedSummary(e), e, spared) };
        return { manifests: current, check: this.result('narrowed', narrowedSummary(intent, scope, spared), e, spared) };
      }
      // Enough of them to explain the decision; a broad fix can break thousands.
      for (const r of unintended) if (spared.length < MAX_SPARED_KEPT) spared.push(r);
      if (intent.scoping === 'fixed') break;
      // Pods outside the finding changed: scope to the finding's workloads. Inside it: leave those workloads out.
      for (const r of unintended) if (r.subject) scope.delete(r.subject);
      if (scope.size === 0) break;
      const rescoped = this.rescope(current, scope);
      if (!rescoped) break;
      current = rescoped;
    }
    return { check: this.result('refused', refusedSummary(spared), last!, spared) };
  }

  /** The manifests with their selectors narrowed to the workloads in `scope` (one policy per workload if needed). */
  private rescope(manifests: Record<string, unknown>[], scope: ReadonlySet<string>): Record<string, unknown>[] | undefined {
    const workloads = [...scope].map((k) => this.workloads.get(k)).filter((w): w is Workload => !!w);
    if (workloads.length === 0) return undefined;
    const labelled = workloads.map((w) => ({ w, labels: stableLabels(w) }));
    if (labelled.some((l) => Object.keys(l.labels).length === 0)) return undefined;
    const selector = selectorForWorkloads(labelled);
    return manifests.flatMap((m) => (selector ? [withSelector(m, selector)] : labelled.map((l) => withSelector(m, { matchLabels: l.labels }, l.w.name))));
  }

  private *prepare(manifests: Record<string, unknown>[], dns: FixCheckContext['dns']): Steps<Prepared> {
    const key = JSON.stringify(manifests);
    let p = this.prepared.get(key);
    if (!p) {
      p = yield* this.compile(manifests, dns);
      if (this.prepared.size >= FIX_CHECK_LIMITS.engines) this.prepared.delete(this.prepared.keys().next().value!);
    } else {
      // Most recently used last: the map's order is the eviction order.
      this.prepared.delete(key);
      if (p.dns !== dns) {
        p.engine.setDnsNames(dns as Record<string, string[]>);
        p.dns = dns;
      }
    }
    this.prepared.set(key, p);
    return p;
  }

  /**
   * The fix applied to the snapshot: replaced policies out, the fix's policies in, compiled for the
   * namespaces the fix (or a policy it replaces) lives in - every namespace for a cluster-wide policy -
   * with the cluster-wide policies, the cluster DNS servers (whose rules decide what the DNS proxy learns)
   * and one stand-in peer pod.
   */
  private *compile(manifests: Record<string, unknown>[], dns: FixCheckContext['dns']): Steps<Prepared> {
    const errors: string[] = [];
    const added: PolicyObject[] = [];
    for (const m of manifests) {
      const r = normalizeObject(m);
      if (!r.ok || !('manifest' in r.object.value)) errors.push(r.ok ? `${String(m.kind)} is not a policy` : r.message);
      else added.push(r.object.value);
    }
    const refs: PolicyRef[] = added.map((p) => ({ kind: p.kind, ...(p.namespace ? { namespace: p.namespace } : {}), name: p.name }));
    const replacedKeys = new Set(added.map(identityKey));
    const replaced = this.snapshot.policies.filter((p) => replacedKeys.has(identityKey(p)));
    const clusterWide = [...added, ...replaced].some((p) => !p.namespace);
    const namespaces = new Set([...added, ...replaced].map((p) => p.namespace).filter((n): n is string => !!n));
    const inScope = (ns: string | undefined) => clusterWide || ns === undefined || namespaces.has(ns);
    const sentinelPod = { namespace: SENTINEL_NAMESPACE, name: 'peer', labels: {}, ips: [], hostNetwork: false, containerPorts: [] };
    const snapshot: ClusterSnapshot = {
      ...this.snapshot,
      pods: [...this.snapshot.pods.filter((p) => inScope(p.namespace) || (p.namespace === 'kube-system' && p.labels['k8s-app'] === 'kube-dns')), sentinelPod],
      policies: [...this.snapshot.policies.filter((p) => !replacedKeys.has(identityKey(p)) && inScope(p.namespace)), ...added],
    };
    // Same datapath as the base engine: a fix that adds a Cilium policy must not switch what is modelled.
    const engine = yield* PolicyEngine.compile(snapshot, { ...this.options.engineOptions, datapath: this.base.datapath, dns: dns as Record<string, string[]> });
    const refKeys = new Set(refs.map(identityKey));
    for (const e of engine.errors) if (e.severity === 'error' && refKeys.has(identityKey(e.where))) errors.push(`${e.where.name} ${e.where.field}: ${e.message}`);
    // A policy the engine leaves out (e.g. a CiliumNetworkPolicy where the datapath is not Cilium) would change nothing.
    const compiled = new Set(engine.policies().map((c) => identityKey(c.ref)));
    for (const r of refs) {
      if (compiled.has(identityKey(r)) || errors.some((x) => x.startsWith(`${r.name} `))) continue;
      const why = engine.errors.find((e) => identityKey(e.where) === identityKey(r))?.message ?? 'the engine left it out';
      errors.push(`${r.kind} ${r.name} would have no effect: ${why}`);
    }
    // Pods whose policies change: selected by the fix now, or by a policy it replaces before.
    const touched = new Set<string>();
    for (const r of refs) for (const pod of engine.selectedPods(r)) if (pod.namespace !== SENTINEL_NAMESPACE) touched.add(`${pod.namespace}/${pod.name}`);
    for (const r of replaced) for (const pod of this.base.selectedPods({ kind: r.kind, ...(r.namespace ? { namespace: r.namespace } : {}), name: r.name })) touched.add(`${pod.namespace}/${pod.name}`);
    const touchedPods: PodEndpoint[] = [];
    const touchedWorkloads = new Set<string>();
    for (const k of touched) {
      const pod = this.base.pod(k);
      if (!pod) continue;
      touchedPods.push(pod);
      touchedWorkloads.add(workloadKeyOfPod(pod));
    }
    const policies = engine.policies().filter((c) => refKeys.has(identityKey(c.ref)));
    return {
      engine,
      refs,
      errors,
      touched,
      touchedPods,
      touchedWorkloads,
      egress: policies.some((c) => c.egress),
      ingress: policies.some((c) => c.ingress),
      dns,
      sentinel: engine.pod(`${SENTINEL_NAMESPACE}/peer`)!.index,
      peers: new WeakMap(),
    };
  }

  /** Peers for pair checks, those in `namespace` first: that is where policies usually allow things, and where a cap bites last. */
  private peersFor(namespace: string): PodEndpoint[] {
    let list = this.peersByNamespace.get(namespace);
    if (!list) this.peersByNamespace.set(namespace, (list = [...this.everyone.filter((e) => e.namespace === namespace), ...this.everyone.filter((e) => e.namespace !== namespace)]));
    return list;
  }

  /** A base-engine endpoint as the fix's engine sees it: its own pod, or a peer under the stand-in index. */
  private inPrepared(p: Prepared, e: Endpoint): Endpoint {
    if (e.kind !== 'pod') return e;
    const own = p.engine.pod(`${e.namespace}/${e.name}`);
    if (own) return own;
    let peer = p.peers.get(e);
    if (!peer) p.peers.set(e, (peer = { ...e, index: p.sentinel }));
    return peer;
  }

  /**
   * The verdict with the fix applied: the fix changes only the direction verdicts of the pods it touches
   * (egress of a touched source, ingress of a touched destination); the other side keeps today's verdict.
   */
  private composed(p: Prepared, before: ConnectionVerdict, src: Endpoint, dst: Endpoint, port: number, protocol: Protocol): { egress: DirectionVerdict; ingress: DirectionVerdict } {
    const srcTouched = src.kind === 'pod' && p.touched.has(`${src.namespace}/${src.name}`);
    const dstTouched = dst.kind === 'pod' && p.touched.has(`${dst.namespace}/${dst.name}`);
    if (!srcTouched && !dstTouched) return { egress: before.egress, ingress: before.ingress };
    const a = p.engine.evaluateEndpoints(this.inPrepared(p, src), this.inPrepared(p, dst), port, protocol);
    return { egress: srcTouched ? a.egress : before.egress, ingress: dstTouched ? a.ingress : before.ingress };
  }

  /** Regressions among the pairs the fix's selectors touch (independent of observed traffic: computed once). */
  private *pairRegressions(p: Prepared): Steps<{ cases: ConnectionCase[]; pairs: number; truncated: boolean }> {
    if (p.pairs) return p.pairs;
    const out: { cases: ConnectionCase[]; pairs: number; truncated: boolean } = { cases: [], pairs: 0, truncated: false };
    const touched = representatives(p.touchedPods);
    // The cap is shared fairly: each touched pod gets its share, its own namespace's peers first.
    const share = Math.max(MIN_PAIRS_PER_POD, Math.floor(FIX_CHECK_LIMITS.pairs / Math.max(1, touched.length)));
    const check = (src: Endpoint, dst: Endpoint, port: number, protocol: Protocol) => {
      out.pairs++;
      const c = this.regression(p, src, dst, port, protocol);
      if (c) out.cases.push(c);
    };
    for (const t of touched) {
      yield;
      const peers = this.peersFor(t.namespace);
      let left = share;
      // The internet probes always run: they are what egress fixes are about.
      if (p.egress) for (const w of WORLD_PROBES) check(t, reservedEndpoint('world', { ip: w.ip }), w.port, w.protocol);
      if (p.ingress) for (const cp of t.containerPorts) check(reservedEndpoint('world', { ip: WORLD_PROBES[0].ip }), t, cp.containerPort, cp.protocol as Protocol);
      outer: for (const peer of peers) {
        if (peer === t) continue;
        if (p.egress) {
          for (const cp of peer.containerPorts) {
            if (left-- <= 0) break outer;
            check(t, peer, cp.containerPort, cp.protocol as Protocol);
          }
        }
        if (p.ingress) {
          for (const cp of t.containerPorts) {
            if (left-- <= 0) break outer;
            check(peer, t, cp.containerPort, cp.protocol as Protocol);
          }
        }
      }
      if (left < 0) out.truncated = true;
    }
    p.pairs = out;
    return out;
  }

  /** The connection as a case when the fix turns it from allowed to denied. */
  private regression(p: Prepared, src: Endpoint, dst: Endpoint, port: number, protocol: Protocol, observed?: ObservedConnection): ConnectionCase | undefined {
    const before = this.base.evaluateEndpoints(src, dst, port, protocol);
    if (!before.allowed) return undefined;
    const { egress, ingress } = this.composed(p, before, src, dst, port, protocol);
    // Combined like the engine: egress first; a deny in audit mode lets the traffic through.
    const at: Direction | undefined = !egress.allowed && !egress.audit ? 'egress' : !ingress.allowed && !ingress.audit ? 'ingress' : undefined;
    if (!at) return undefined;
    const subjectPod = at === 'egress' ? src : dst;
    return { source: src, destination: dst, port, protocol, at, ...(subjectPod.kind === 'pod' ? { subject: workloadKeyOfPod(subjectPod) } : {}), ...(observed ? { observed } : {}) };
  }

  private *evaluate(manifests: Record<string, unknown>[], intent: FixIntent, scope: ReadonlySet<string>, ctx: FixCheckContext): Steps<Evaluation> {
    const p = yield* this.prepare(manifests, ctx.dns);
    const out: Evaluation = { regressions: [], missed: [], errors: p.errors, checked: { observed: 0, pairs: 0, truncated: false } };
    if (p.errors.length) return out;
    const seen = new Set<string>();
    const add = (c: ConnectionCase) => {
      const k = `${c.subject}|${describeEndpoint(c.source)}|${describeEndpoint(c.destination)}|${c.port}|${c.protocol}`;
      if (seen.has(k)) return;
      seen.add(k);
      out.regressions.push({ ...c, intended: !c.observed && !!c.subject && scope.has(c.subject) && intent.denies(c) });
    };

    // Observed connections of the touched workloads: whatever the fix means, traffic that runs today must keep running.
    let sincePause = 0;
    for (const o of this.observedOf(ctx.observed, p.touchedWorkloads)) {
      if (++sincePause === OBSERVED_PER_STEP) {
        sincePause = 0;
        yield;
      }
      if (!ENGINE_PROTOCOLS.has(o.protocol)) continue;
      const conn = { from: peerRefOf(o.source), to: peerRefOf(o.destination), port: o.port, protocol: o.protocol as Protocol };
      const b = this.base.evaluate(conn);
      if (isEngineError(b) || !b.allowed) continue;
      out.checked.observed++;
      const c = this.regression(p, b.source, b.destination, o.port, conn.protocol, o);
      if (c) add(c);
    }

    // Pairs the fix's selectors touch: its pods to every workload (and the internet) and back, on the ports they listen on.
    const pairs = yield* this.pairRegressions(p);
    out.checked.pairs = pairs.pairs;
    out.checked.truncated = pairs.truncated;
    for (let i = 0; i < pairs.cases.length; i++) {
      if (i % CASES_PER_STEP === CASES_PER_STEP - 1) yield;
      add(pairs.cases[i]);
    }

    for (const target of intent.targets ?? []) {
      const b = this.base.evaluate({ from: target.from, to: target.to, port: target.port, protocol: target.protocol });
      if (isEngineError(b)) continue;
      // Judged as enforced: audit mode would let it through, but the fix is about what the policy says.
      const v = this.composed(p, b, b.source, b.destination, target.port, target.protocol);
      const passes = v.egress.allowed && v.ingress.allowed;
      if ((target.expect === 'allowed') !== passes) out.missed.push(target);
    }
    return out;
  }

  /**
   * Indexes the observed connections by workload, once per observed list, in steps: a recompute brings
   * a new list, and at 5,000 workloads indexing it whole was 20-30 ms of one step (INDEXED_PER_STEP a step now).
   */
  private *indexObserved(observed: readonly ObservedConnection[]): Steps<void> {
    if (this.observedIndex?.list === observed) return;
    const byWorkload = new Map<string, ObservedConnection[]>();
    const put = (k: string, o: ObservedConnection) => {
      const l = byWorkload.get(k);
      if (l) l.push(o);
      else byWorkload.set(k, [o]);
    };
    for (let i = 0; i < observed.length; i++) {
      if (i % INDEXED_PER_STEP === INDEXED_PER_STEP - 1) yield;
      const o = observed[i];
      if (o.source.kind === 'pod') put(workloadKey({ namespace: o.source.namespace, name: o.source.workload }), o);
      if (o.destination.kind === 'pod') put(workloadKey({ namespace: o.destination.namespace, name: o.destination.workload }), o);
    }
    this.observedIndex = { list: observed, byWorkload };
  }

  /** Observed connections with an end in one of `workloads` (indexObserved first). */
  private observedOf(observed: readonly ObservedConnection[], workloads: ReadonlySet<string>): ObservedConnection[] {
    if (this.observedIndex?.list !== observed) runToEnd(this.indexObserved(observed));
    const out = new Set<ObservedConnection>();
    for (const w of workloads) for (const o of this.observedIndex!.byWorkload.get(w) ?? []) out.add(o);
    return [...out];
  }

  private result(status: FixCheck['status'], summary: string, e: Evaluation, spared: Regression[]): FixCheck {
    const intended = e.regressions.filter((r) => r.intended);
    const unique = new Map<string, Regression>();
    for (const r of spared) unique.set(describeCase(r), r);
    return {
      status,
      summary,
      stops: { count: intended.length, examples: intended.slice(0, FIX_CHECK_LIMITS.examples).map(describeCase) },
      spared: [...unique.values()].slice(0, FIX_CHECK_LIMITS.spared).map((r) => ({
        connection: describeCase(r),
        observed: !!r.observed,
        ...(r.observed ? { flowCount: r.observed.passed + r.observed.dropped } : {}),
        ...(r.subject ? { workload: r.subject } : {}),
      })),
      checked: e.checked,
    };
  }
}

function identityKey(o: { kind: string; namespace?: string; name: string }): string {
  return `${o.kind}/${o.namespace ?? ''}/${o.name}`;
}

function dnsSize(dns: FixCheckContext['dns']): number {
  let n = 0;
  for (const ips of Object.values(dns)) n += ips.length + 1;
  return n;
}

/**
 * One pod per namespace, label set, service account and ports: selectors see only those, so one pod stands
 * for all such pods (replicas of a workload, mostly). Addresses differ, which only ipBlock rules on the
 * kubernetes datapath can tell apart; observed connections are checked with their own pods.
 */
function representatives(pods: readonly PodEndpoint[]): PodEndpoint[] {
  const byKey = new Map<string, PodEndpoint>();
  for (const p of pods) {
    const k = JSON.stringify([p.namespace, stableLabels({ pods: [p] }), p.ciliumLabels[CILIUM_SERVICE_ACCOUNT_LABEL], p.containerPorts]);
    if (!byKey.has(k)) byKey.set(k, p);
  }
  return [...byKey.values()];
}

function endpointName(e: Endpoint): string {
  return e.kind === 'pod' ? workloadKeyOfPod(e) : describeEndpoint(e);
}

function describeCase(c: ConnectionCase): string {
  if (c.observed) return `${describeConnection(c.observed)} (seen in flows)`;
  return `${endpointName(c.source)} -> ${endpointName(c.destination)}:${c.port}/${c.protocol}`;
}

function verifiedSummary(e: Evaluation): string {
  const intended = e.regressions.filter((r) => r.intended).length;
  const checked = `${e.checked.observed} observed connections and ${e.checked.pairs} pod pairs${e.checked.truncated ? ' (capped)' : ''} checked`;
  return intended ? `Checked by applying it to the snapshot: it stops ${intended} connection${intended === 1 ? '' : 's'} it is meant to stop and no observed traffic (${checked}).` : `Checked by applying it to the snapshot: it denies nothing that is allowed today (${checked}).`;
}

function narrowedSummary(intent: FixIntent, scope: ReadonlySet<string>, spared: Regression[]): string {
  const left = intent.workloads.filter((w) => !scope.has(w));
  const outside = [...new Set(spared.map((r) => r.subject).filter((s): s is string => !!s && !intent.workloads.includes(s)))];
  const parts: string[] = [];
  if (outside.length) parts.push(`as generated it would also have changed ${outside.join(', ')}`);
  if (left.length) parts.push(`${left.join(', ')} ${left.length === 1 ? 'is' : 'are'} left out because the fix would stop traffic seen today: ${examples(spared.filter((r) => r.subject && left.includes(r.subject)))}`);
  return `Narrowed to ${[...scope].join(', ')}: ${parts.join('; ')}. Allow the traffic that is legitimate, then extend the fix.`;
}

function refusedSummary(spared: Regression[]): string {
  const observed = spared.filter((r) => r.observed);
  if (observed.length) return `Not shown: applied as generated it would stop traffic seen today (${examples(observed)}) and no narrower version avoids that. Allow the legitimate paths first, then apply it.`;
  return `Not shown: applied as generated it would deny connections allowed today that it is not meant to (${examples(spared)}), and no narrower version avoids that.`;
}

function examples(list: Regression[]): string {
  const names = [...new Set(list.map(describeCase))];
  return names.slice(0, 3).join(', ') + (names.length > 3 ? ` and ${names.length - 3} more` : '');
}
