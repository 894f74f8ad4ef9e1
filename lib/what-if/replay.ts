/**
 * The what-if replay: observed connections run through the policy engine for the cluster as deployed
 * and for the cluster with a proposed change, and the verdicts compared. The answer is what the change
 * would break (connections that pass today and would be denied), what it would newly allow, what it
 * would put in audit, grouped by map edge with counts, first/last seen and example flows, DNS breakage
 * on its own, and for the workloads it touches the paths no traffic showed (any internet address out,
 * the internet in), so a default deny shows the open egress it closes.
 *
 * Only pods whose policies the change touches can change verdict: the rest are counted unchanged
 * without evaluation, which keeps a replay over a large window cheap. Pods the flows name that the
 * cluster no longer has (replaced by a rollout) are replayed as stand-ins with the labels the flows
 * carried, so old traffic is judged by the labels it had.
 */

import type { FlowEndpoint } from '../flows/flow-record';
import { edgeIdOf } from '../graph/graph-ids';
import type { ClusterSnapshot, Labels, Pod } from '../k8s/types';
import { objectKey } from '../k8s/types';
import type { Direction, PolicyRef } from '../policy-engine/compiled-policy';
import { describeEndpoint, reservedEndpoint } from '../policy-engine/endpoint';
import { chooseDatapath } from '../policy-engine/datapath';
import { PolicyEngine, isEngineError, type ConnectionVerdict, type DirectionVerdict, type EngineOptions, type FlowVerdict } from '../policy-engine/engine';
import { engineProtocol, flowPeer } from '../policy-engine/flow-connection';
import type { L7Request } from '../policy-engine/l7-rules';
import { podNamespaceOf, type PeerRef } from '../policy-engine/peer-ref';
import type { Protocol } from '../policy-engine/ports';
import { isPerPodLabel, workloadKeyOfPod } from '../posture/workloads';
import { applyChange, policyIdKey, type ParsedChange, type PolicyId } from './proposed-change';
import { observedPassing, type ObservedTraffic, type TrafficConnection, type TrafficEndpoint } from './observed-traffic';

/**
 * breaks: passes today, denied with the change. unverified: passes today; with the change only requests
 * matching new L7 rules pass, and the window holds no request data to check them (Hubble shows L7 only
 * where a proxy already runs), so it may break. audit: would be denied once the change is enforced.
 * opens: denied today, allowed with the change.
 */
export type Outcome = 'breaks' | 'unverified' | 'audit' | 'opens' | 'unchanged';
export const OUTCOMES: readonly Outcome[] = ['breaks', 'unverified', 'audit', 'opens', 'unchanged'];

/** A verdict in short: what happens, where, and the rule or policies that decided. */
export interface VerdictSummary {
  verdict: FlowVerdict | 'UNKNOWN';
  /** Where it is denied (or would be, for AUDIT). */
  at?: Direction;
  /** In words: `default deny of NetworkPolicy production/default-deny-all`, `allowed by ...`. */
  why: string;
  /** Namespaces of the policies `why` names ('' for a cluster-wide one): what a scoped user may be shown. */
  policyNamespaces: string[];
}

export interface ReplayExample {
  uuid: string;
  source: string;
  destination: string;
  /** `GET /api/orders`, `DNS api.stripe.com.` */
  request?: string;
  flows: number;
  outcome: Outcome;
  before: VerdictSummary;
  after: VerdictSummary;
}

/** One map edge (workload to workload, port, protocol) and what the change does to its traffic. */
export interface ReplayEdge {
  id: string;
  source: string;
  target: string;
  sourceNamespace: string;
  targetNamespace: string;
  port: number;
  protocol: string;
  /** The most severe outcome among its connections (breaks, then audit, then opens). */
  outcome: Outcome;
  /** Flows per outcome. */
  flows: Record<Outcome, number>;
  connections: number;
  firstSeen: number;
  lastSeen: number;
  /** DNS traffic (port 53 or DNS requests). */
  dns: boolean;
  /** Up to EXAMPLES_PER_EDGE connections, the changed ones first. */
  examples: ReplayExample[];
}

/** A path no observed flow took, checked for the workloads the change touches. */
export interface UnobservedPath {
  workload: string;
  /** `egress to any internet address`, `ingress from the internet on 8080/TCP`. */
  path: string;
  direction: Direction;
  port: number;
  protocol: Protocol;
  /** closed: open today, denied with the change; opened: the reverse. */
  outcome: 'closed' | 'opened';
  before: VerdictSummary;
  after: VerdictSummary;
}

export interface OutcomeTotals {
  connections: number;
  flows: number;
}

export interface SimulationResult {
  range: ObservedTraffic['range'];
  datapath: string;
  change: { added: PolicyId[]; replaced: PolicyId[]; deleted: PolicyId[]; missing: PolicyId[]; warnings: string[] };
  /** Flows and distinct connections replayed. */
  replayed: { flows: number; connections: number; truncated: boolean };
  totals: Record<Outcome, OutcomeTotals> & { dnsBreaks: OutcomeTotals };
  /** Connections the engine could not evaluate (no L4 protocol, a Service address): left out, counted. */
  unevaluated: number;
  /** Connections whose observed verdict differs from the engine's for the cluster as deployed. */
  disagreements: number;
  /** DNS edges the change breaks or puts in audit: the first thing to fix. */
  dns: ReplayEdge[];
  /** Every edge, changed ones first (breaks, audit, opens), then unchanged by flows; capped. */
  edges: ReplayEdge[];
  edgesTruncated: boolean;
  unobserved: UnobservedPath[];
  /** Workloads (`ns/name`) whose policies the change touches. */
  touched: string[];
  /** Whether the change breaks observed traffic. */
  breaksTraffic: boolean;
  /** Whether it breaks, or may break, observed traffic (breaks or unverified): the CI gate. */
  mayBreakTraffic: boolean;
  tookMs: number;
}

export interface ReplayProgress {
  phase: 'compile' | 'replay' | 'paths';
  done: number;
  total: number;
}

export interface ReplayOptions {
  /** Engine options of the cluster (allow-localhost, CIDR mode); the datapath is chosen once for both runs. */
  engineOptions?: Omit<EngineOptions, 'dns'>;
  signal?: AbortSignal;
  onProgress?: (p: ReplayProgress) => void;
  /** Connections evaluated between two yields to the event loop (and progress reports). */
  chunk?: number;
  now?: () => number;
}

export const MAX_REPLAY_EDGES = 5_000;
const EXAMPLES_PER_EDGE = 3;
const DNS_PORT = 53;
const SEVERITY: Record<Outcome, number> = { breaks: 4, unverified: 3, audit: 2, opens: 1, unchanged: 0 };
/** A stand-in for "any internet address" (a public resolver: nothing in a cluster's policies names it by chance). */
export const INTERNET_PROBE = { ip: '1.1.1.1', port: 443, protocol: 'TCP' as Protocol };

/** Replays `traffic` with and without `change`; yields to the event loop between chunks, stops on `signal`. */
export async function simulate(snapshot: ClusterSnapshot, change: ParsedChange, traffic: ObservedTraffic, options: ReplayOptions = {}): Promise<SimulationResult> {
  const now = options.now ?? (() => performance.now());
  const started = now();
  const chunk = Math.max(1, options.chunk ?? 2_000);
  const progress = options.onProgress ?? (() => undefined);
  const signal = options.signal;
  progress({ phase: 'compile', done: 0, total: 2 });
  const { snapshot: base, refs, dns } = referencesFor(snapshot, traffic);
  const changed = applyChange(base, change);
  const list = traffic.connections;
  // Only the policies that can decide an affected connection are compiled: the cluster-wide ones, those
  // of the namespaces the change lives in, then those of the peers that pods it touches talk to. Every
  // pod is kept, so peers match by their labels as in the full cluster; the datapath is the full cluster's.
  // Replayed flows come from Hubble, which runs on Cilium: that is the datapath unless the caller says otherwise.
  const datapath = options.engineOptions?.datapath ?? chooseDatapath(base, { hubbleRelay: true });
  const changedIds = [...changed.added, ...changed.replaced, ...changed.deleted];
  const compile = (namespaces: ReadonlySet<string> | 'all') => {
    const restrict = (s: ClusterSnapshot): ClusterSnapshot => (namespaces === 'all' ? s : { ...s, policies: s.policies.filter((p) => !p.namespace || namespaces.has(p.namespace)) });
    const before = new PolicyEngine(restrict(base), { ...options.engineOptions, datapath, dns });
    // The same datapath for both: a change that adds a Cilium policy must not switch what is modelled.
    const after = new PolicyEngine(restrict(changed.snapshot), { ...options.engineOptions, datapath: before.datapath, dns });
    return { before, after };
  };
  const own = changeNamespaces(changedIds);
  let engines = compile(own);
  await pause(signal);
  progress({ phase: 'compile', done: 1, total: 2 });
  // Which pods the change touches, per direction, is exact with the own namespaces' policies alone.
  const touched = touchedPods(engines.before, engines.after, changedIds);
  const affected = (r: { from: PeerRef; to: PeerRef } | undefined) => !!r && (('pod' in r.from && touched.egress.has(r.from.pod)) || ('pod' in r.to && touched.ingress.has(r.to.pod)));
  if (own !== 'all') {
    const peers = new Set(own);
    // The peers' namespaces as the engine resolves them (a flow may name a pod by its address only).
    for (const r of refs) {
      if (!r || !affected(r)) continue;
      for (const ns of [podNamespaceOf(r.from), podNamespaceOf(r.to)]) if (ns) peers.add(ns);
    }
    if (peers.size > own.size) {
      await pause(signal);
      engines = compile(peers);
    }
  }
  const { before, after } = engines;
  await pause(signal);
  progress({ phase: 'compile', done: 2, total: 2 });

  const warnings = [...changeWarnings(change, after, changed), ...(traffic.notes ?? [])];
  const edges = new Map<string, ReplayEdge>();
  const totals = { breaks: zero(), unverified: zero(), audit: zero(), opens: zero(), unchanged: zero(), dnsBreaks: zero() };
  let unevaluated = 0;
  let disagreements = 0;
  for (let i = 0; i < list.length; i++) {
    if (i > 0 && i % chunk === 0) {
      progress({ phase: 'replay', done: i, total: list.length });
      await pause(signal);
    }
    const c = list[i];
    const r = refs[i];
    const protocol = engineProtocol(c.protocol);
    if (!protocol || !r) {
      unevaluated++;
      continue;
    }
    if (!affected(r)) {
      // No policy of the change selects either side: the verdict stays what it was.
      totals.unchanged.connections++;
      totals.unchanged.flows += c.flows;
      const seen = observedSummary(c);
      addToEdge(edges, c, 'unchanged', isDnsConnection(c), seen, seen);
      continue;
    }
    const port = protocol === 'ICMP' ? 0 : c.port;
    const l7 = connectionL7(c);
    const conn = { from: r.from, to: r.to, port, protocol, ...(l7 ? { l7 } : {}) };
    const bv = before.evaluate(conn);
    const av = after.evaluate(conn);
    if (isEngineError(bv) || isEngineError(av)) {
      unevaluated++;
      continue;
    }
    if (hasObservedVerdict(c) && bv.allowed !== observedPassing(c)) disagreements++;
    const b = summarize(bv);
    const a = summarize(av);
    const outcome = outcomeOf(c, bv, av);
    const isDns = isDnsConnection(c);
    totals[outcome].connections++;
    totals[outcome].flows += c.flows;
    if (isDns && (outcome === 'breaks' || outcome === 'unverified' || outcome === 'audit')) {
      totals.dnsBreaks.connections++;
      totals.dnsBreaks.flows += c.flows;
    }
    addToEdge(edges, c, outcome, isDns, b, a);
  }
  progress({ phase: 'replay', done: list.length, total: list.length });
  await pause(signal);
  const unobserved = unobservedPaths(before, after, touched.all);
  progress({ phase: 'paths', done: 1, total: 1 });

  const ordered = [...edges.values()].sort(byImpact);
  return {
    range: traffic.range,
    datapath: before.datapath.datapath,
    change: { added: changed.added, replaced: changed.replaced, deleted: changed.deleted, missing: changed.missing, warnings },
    replayed: { flows: traffic.flows, connections: list.length, truncated: traffic.truncated },
    totals,
    unevaluated,
    disagreements,
    dns: ordered.filter((e) => e.dns && (e.outcome === 'breaks' || e.outcome === 'unverified' || e.outcome === 'audit')),
    edges: ordered.slice(0, MAX_REPLAY_EDGES),
    edgesTruncated: ordered.length > MAX_REPLAY_EDGES,
    unobserved,
    touched: [...new Set([...touched.all].map((k) => workloadOf(before, after, k)).filter((w): w is string => !!w))].sort(),
    breaksTraffic: totals.breaks.connections > 0,
    mayBreakTraffic: totals.breaks.connections + totals.unverified.connections > 0,
    tookMs: Math.round(now() - started),
  };
}

/**
 * How the engine is asked about each observed connection: peer references, the cluster with stand-ins
 * for the pods it no longer has, and the DNS names the flows carried (for toFQDNs).
 */
export function referencesFor(snapshot: ClusterSnapshot, traffic: ObservedTraffic): { snapshot: ClusterSnapshot; refs: ({ from: PeerRef; to: PeerRef } | undefined)[]; dns: Record<string, string[]> } {
  const stand = new StandIns(snapshot);
  const refs = traffic.connections.map((c) => stand.refs(c));
  return { snapshot: stand.snapshot(), refs, dns: dnsNamesOf(traffic.connections) };
}

const zero = (): OutcomeTotals => ({ connections: 0, flows: 0 });

/** The verdict the flows of a connection had, for connections the change cannot alter. */
function observedSummary(c: TrafficConnection): VerdictSummary {
  const v = c.verdicts;
  const verdict: VerdictSummary['verdict'] = v.forwarded + v.other > 0 ? 'FORWARDED' : v.audit > 0 ? 'AUDIT' : v.dropped > 0 ? 'DROPPED' : 'UNKNOWN';
  return { verdict, why: 'unchanged: no policy of the change selects either side (the verdict observed)', policyNamespaces: [] };
}

/** Lets the event loop serve others between chunks; an aborted signal ends the replay. */
async function pause(signal: AbortSignal | undefined): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 0));
  if (signal?.aborted) throw signal.reason instanceof Error ? signal.reason : new DOMException('the replay was cancelled', 'AbortError');
}

/** The connection's flows carry verdicts that say whether it passes (not only ERROR or unknown ones). */
const hasObservedVerdict = (c: TrafficConnection) => c.verdicts.forwarded + c.verdicts.dropped + c.verdicts.audit + c.verdicts.other > 0;

/**
 * What the change does to a connection. "Passes today" is what Hubble observed when it observed a
 * verdict (the engine may disagree: a stale snapshot, something it does not model), so traffic that
 * flows today and would be denied is breakage whatever the engine thought of today. Newly allowed
 * needs both: denied today and by the engine as deployed.
 */
export function outcomeOf(c: TrafficConnection, before: ConnectionVerdict, after: ConnectionVerdict): Outcome {
  const passesToday = hasObservedVerdict(c) ? observedPassing(c) : before.allowed;
  if (passesToday && !after.allowed) return 'breaks';
  if (passesToday && newlyL7Filtered(c, before, after)) return 'unverified';
  if (!passesToday && !before.allowed && after.allowed) return 'opens';
  if (passesToday && before.verdict === 'FORWARDED' && after.verdict === 'AUDIT') return 'audit';
  return 'unchanged';
}

/** With the change the connection passes only requests matching L7 rules it was not subject to, and it has no request data. */
function newlyL7Filtered(c: TrafficConnection, before: ConnectionVerdict, after: ConnectionVerdict): boolean {
  if (connectionL7(c)) return false;
  return (!!after.egress.l7Filtered && !before.egress.l7Filtered) || (!!after.ingress.l7Filtered && !before.ingress.l7Filtered);
}

function isDnsConnection(c: TrafficConnection): boolean {
  return c.dnsQuery !== undefined || (c.port === DNS_PORT && (c.protocol === 'UDP' || c.protocol === 'TCP'));
}

/** The L7 request of a connection, as the engine checks L7 rules against it. */
export function connectionL7(c: TrafficConnection): L7Request | undefined {
  if (c.httpMethod) return { http: { method: c.httpMethod, path: c.httpPath ?? '/' } };
  if (c.dnsQuery) return { dns: { query: c.dnsQuery } };
  return undefined;
}

function requestWords(c: TrafficConnection): string | undefined {
  if (c.httpMethod) return `${c.httpMethod} ${c.httpPath ?? '/'}`;
  if (c.dnsQuery) return `DNS ${c.dnsQuery}`;
  return undefined;
}

/** Addresses per DNS name, from the names Cilium put on the flows (what toFQDNs rules match), as DnsNames takes them. */
function dnsNamesOf(connections: readonly TrafficConnection[]): Record<string, string[]> {
  const out: Record<string, string[]> = Object.create(null);
  for (const c of connections) {
    const d = c.destination;
    if (!d.ip || d.pod) continue;
    for (const n of d.names) {
      const ips = (out[n] ??= []);
      if (!ips.includes(d.ip)) ips.push(d.ip);
    }
  }
  return out;
}

function addToEdge(edges: Map<string, ReplayEdge>, c: TrafficConnection, outcome: Outcome, isDns: boolean, before: VerdictSummary, after: VerdictSummary): void {
  const id = edgeIdOf(c.source.node, c.destination.node, c.port, c.protocol);
  let e = edges.get(id);
  if (!e) {
    e = {
      id,
      source: c.source.node,
      target: c.destination.node,
      sourceNamespace: c.source.namespace,
      targetNamespace: c.destination.namespace,
      port: c.port,
      protocol: c.protocol,
      outcome,
      flows: { breaks: 0, unverified: 0, audit: 0, opens: 0, unchanged: 0 },
      connections: 0,
      firstSeen: c.firstSeen,
      lastSeen: c.lastSeen,
      dns: isDns,
      examples: [],
    };
    edges.set(id, e);
  }
  e.connections++;
  e.flows[outcome] += c.flows;
  if (SEVERITY[outcome] > SEVERITY[e.outcome]) e.outcome = outcome;
  e.dns ||= isDns;
  e.firstSeen = Math.min(e.firstSeen, c.firstSeen);
  e.lastSeen = Math.max(e.lastSeen, c.lastSeen);
  const example: ReplayExample = {
    uuid: c.exampleUuid,
    source: endpointWords(c.source),
    destination: `${endpointWords(c.destination)}:${c.port}/${c.protocol}`,
    ...(requestWords(c) ? { request: requestWords(c)! } : {}),
    flows: c.flows,
    outcome,
    before,
    after,
  };
  // Keep the most severe connections as examples: the edge's outcome is shown with one of its own.
  const rank = (x: ReplayExample) => SEVERITY[x.outcome];
  if (e.examples.length < EXAMPLES_PER_EDGE) e.examples.push(example);
  else {
    const weakest = e.examples.findIndex((x) => rank(x) < rank(example));
    if (weakest >= 0) e.examples[weakest] = example;
  }
}

function byImpact(a: ReplayEdge, b: ReplayEdge): number {
  return SEVERITY[b.outcome] - SEVERITY[a.outcome] || total(b) - total(a) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

const total = (e: ReplayEdge) => e.flows.breaks + e.flows.unverified + e.flows.audit + e.flows.opens + e.flows.unchanged;

function endpointWords(e: TrafficEndpoint): string {
  if (e.namespace && e.pod) return `${e.namespace}/${e.pod}`;
  const name = e.names[0]?.replace(/\.$/, '');
  if (name) return `${name} (${e.ip})`;
  return e.ip || e.node;
}

/** A verdict in words, naming what decided. */
export function summarize(v: ConnectionVerdict): VerdictSummary {
  const named: PolicyRef[] = [];
  const name = (list: readonly PolicyRef[]) => {
    named.push(...list);
    return unique(list.map((r) => `${r.kind} ${objectKey(r)}`)).join(', ');
  };
  const policyNamespaces = () => unique(named.map((r) => r.namespace ?? ''));
  if (v.verdict === 'FORWARDED') {
    const by = name([...v.egress.by, ...v.ingress.by]);
    const base = by ? `allowed by ${by}` : v.egress.reason === 'reply' ? 'a reply' : 'allowed: no policy isolates either side';
    const l7 = v.egress.l7Filtered || v.ingress.l7Filtered;
    return { verdict: 'FORWARDED', why: l7 ? `${base}, for requests matching its L7 rules only (no request data to check them)` : base, policyNamespaces: policyNamespaces() };
  }
  const at = v.enforcedAt ?? 'egress';
  const d: DirectionVerdict = at === 'egress' ? v.egress : v.ingress;
  const side = describeEndpoint(at === 'egress' ? v.source : v.destination);
  const word = v.verdict === 'AUDIT' ? 'would be denied (audit)' : 'denied';
  return { verdict: v.verdict, at, why: `${word} at ${at} of ${side}: ${directionWhy(d, name)}`, policyNamespaces: policyNamespaces() };
}

function directionWhy(d: DirectionVerdict, name: (list: readonly PolicyRef[]) => string): string {
  switch (d.reason) {
    case 'denied':
      return `deny rule of ${name(d.by)}`;
    case 'l7-denied':
      return `the request matches no L7 rule of ${name(d.by)}`;
    case 'default-deny':
      return d.fqdnNotLearned?.length ? `default deny; the toFQDNs rule of ${name(d.fqdnNotLearned)} never learns the name (no DNS proxy rule)` : `default deny of ${d.isolatedBy?.length ? name(d.isolatedBy) : 'the isolating policies'}`;
    default:
      return d.reason;
  }
}

const unique = <T>(xs: T[]): T[] => [...new Set(xs)];

/**
 * Pods (`ns/name`) selected by a changed policy, as deployed or with the change, per direction the policy
 * has rules in (a policy with only egress rules cannot change what reaches its pods): only these
 * directions' verdicts can change.
 */
function touchedPods(before: PolicyEngine, after: PolicyEngine, changed: readonly PolicyId[]): { egress: Set<string>; ingress: Set<string>; all: Set<string> } {
  const out = { egress: new Set<string>(), ingress: new Set<string>(), all: new Set<string>() };
  for (const id of changed) {
    const ref: PolicyRef = { kind: id.kind, ...(id.namespace ? { namespace: id.namespace } : {}), name: id.name };
    for (const engine of [before, after]) {
      const policy = engine.policies().find((p) => p.ref.kind === ref.kind && p.ref.name === ref.name && p.ref.namespace === ref.namespace);
      if (!policy) continue;
      for (const p of engine.selectedPods(ref)) {
        const key = `${p.namespace}/${p.name}`;
        out.all.add(key);
        // A policy in audit mode puts its pods' every direction in audit, whatever sections it has.
        if (policy.egress || policy.audit) out.egress.add(key);
        if (policy.ingress || policy.audit) out.ingress.add(key);
      }
    }
  }
  return out;
}

/** The namespaces a change's policies live in; 'all' when one is cluster-wide. */
function changeNamespaces(changed: readonly PolicyId[]): Set<string> | 'all' {
  const out = new Set<string>();
  for (const p of changed) {
    if (!p.namespace) return 'all';
    out.add(p.namespace);
  }
  return out;
}

function workloadOf(before: PolicyEngine, after: PolicyEngine, podKey: string): string | undefined {
  const p = before.pod(podKey) ?? after.pod(podKey);
  return p ? workloadKeyOfPod(p) : undefined;
}

/** What the engine said about the change's own policies: a policy it leaves out changes nothing. */
function changeWarnings(change: ParsedChange, after: PolicyEngine, applied: ReturnType<typeof applyChange>): string[] {
  const ours = new Set(change.apply.map((a) => policyIdKey(a.policy)));
  const out: string[] = [];
  for (const e of after.errors) if (ours.has(policyIdKey(e.where))) out.push(`${e.where.kind} ${objectKey(e.where)}: ${e.where.field}: ${e.message}`);
  for (const m of applied.missing) out.push(`${m.kind} ${objectKey(m)} is not deployed: deleting it changes nothing`);
  return out;
}

/**
 * Paths no flow showed, for one pod per touched workload: egress to any internet address, and ingress
 * from the internet on each container port. They show what a default deny closes (or a change opens).
 */
function unobservedPaths(before: PolicyEngine, after: PolicyEngine, touched: ReadonlySet<string>): UnobservedPath[] {
  const out: UnobservedPath[] = [];
  const seen = new Set<string>();
  const world = reservedEndpoint('world', { ip: INTERNET_PROBE.ip });
  for (const key of [...touched].sort()) {
    const b = before.pod(key);
    const a = after.pod(key);
    if (!b || !a) continue;
    const workload = workloadKeyOfPod(b);
    if (seen.has(workload)) continue;
    seen.add(workload);
    const check = (direction: Direction, port: number, protocol: Protocol, path: string) => {
      const [x, y] = direction === 'egress' ? [before.evaluateEndpoints(b, world, port, protocol), after.evaluateEndpoints(a, world, port, protocol)] : [before.evaluateEndpoints(world, b, port, protocol), after.evaluateEndpoints(world, a, port, protocol)];
      const outcome = x.allowed && !y.allowed ? 'closed' : !x.allowed && y.allowed ? 'opened' : undefined;
      if (outcome) out.push({ workload, path, direction, port, protocol, outcome, before: summarize(x), after: summarize(y) });
    };
    check('egress', INTERNET_PROBE.port, INTERNET_PROBE.protocol, 'egress to any internet address');
    for (const cp of b.containerPorts) check('ingress', cp.containerPort, cp.protocol as Protocol, `ingress from the internet on ${cp.containerPort}/${cp.protocol}`);
  }
  return out;
}

/**
 * Peer references for the observed connections, and the pods the cluster no longer has: a pod the
 * flows name that is gone is replaced by one of its workload with the same labels when there is one,
 * else by a stand-in pod with the labels the flows carried.
 */
class StandIns {
  private readonly pods = new Map<string, Pod>();
  private readonly byWorkloadLabels = new Map<string, string>();
  /** A pod of each workload (`ns/name`): a stand-in listens on its container ports, for named-port rules. */
  private readonly byWorkload = new Map<string, Pod>();
  private readonly usedIps = new Set<string>();
  /** Pod addresses (not host-network pods: their address is the node's) -> `ns/name`. */
  private readonly byIp = new Map<string, string>();
  private readonly added: Pod[] = [];
  private readonly cache = new Map<string, PeerRef>();

  constructor(private readonly base: ClusterSnapshot) {
    for (const p of base.pods) {
      const key = `${p.namespace}/${p.name}`;
      this.pods.set(key, p);
      for (const ip of p.ips) this.usedIps.add(ip);
      if (p.ip) this.usedIps.add(p.ip);
      if (!p.hostNetwork) for (const ip of p.ips.length ? p.ips : p.ip ? [p.ip] : []) this.byIp.set(ip, key);
      if (p.workload) {
        const wl = `${p.namespace}/${p.workload.name}|${labelKey(p.labels)}`;
        if (!this.byWorkloadLabels.has(wl)) this.byWorkloadLabels.set(wl, key);
        if (!this.byWorkload.has(`${p.namespace}/${p.workload.name}`)) this.byWorkload.set(`${p.namespace}/${p.workload.name}`, p);
      }
    }
  }

  refs(c: TrafficConnection): { from: PeerRef; to: PeerRef } | undefined {
    return { from: this.peer(c.source, c.hubbleNode), to: this.peer(c.destination, c.hubbleNode) };
  }

  snapshot(): ClusterSnapshot {
    return this.added.length ? { ...this.base, pods: [...this.base.pods, ...this.added] } : this.base;
  }

  private peer(e: TrafficEndpoint, hubbleNode: string): PeerRef {
    const reserved = flowPeer(asFlowEndpoint(e), hubbleNode);
    if (!('pod' in reserved)) {
      // Named by its address only (no identity metadata): the pod that has that address, if one does.
      const owner = 'ip' in reserved && !('entity' in reserved) ? this.byIp.get(reserved.ip) : undefined;
      return owner ? { pod: owner } : reserved;
    }
    const key = `${e.namespace}/${e.pod}`;
    const cached = this.cache.get(key);
    if (cached) return cached;
    let ref: PeerRef;
    if (this.pods.has(key)) ref = { pod: key };
    else {
      const labels = podLabelsOf(e.labels);
      const sibling = e.workload ? this.byWorkloadLabels.get(`${e.namespace}/${e.workload}|${labelKey(labels)}`) : undefined;
      if (sibling) ref = { pod: sibling };
      else {
        const ip = e.ip && !this.usedIps.has(e.ip) ? e.ip : undefined;
        if (ip) this.usedIps.add(ip);
        const pod: Pod = {
          namespace: e.namespace,
          name: e.pod,
          labels,
          ...(ip ? { ip } : {}),
          ips: ip ? [ip] : [],
          hostNetwork: false,
          containerPorts: this.byWorkload.get(`${e.namespace}/${e.workload}`)?.containerPorts ?? [],
          ...(e.workload ? { workload: { kind: e.workloadKind || 'Pod', name: e.workload } } : {}),
          ...(serviceAccountOf(e.labels) ? { serviceAccount: serviceAccountOf(e.labels)! } : {}),
        };
        this.added.push(pod);
        this.pods.set(key, pod);
        ref = { pod: key };
      }
    }
    this.cache.set(key, ref);
    return ref;
  }
}

/** Labels as an identity sees them: Cilium leaves per-pod and per-revision labels out of identities. */
const labelKey = (l: Labels) =>
  Object.keys(l)
    .filter((k) => !isPerPodLabel(k))
    .sort()
    .map((k) => `${k}=${l[k]}`)
    .join(',');

/** Labels Cilium derives (namespace, namespace labels, service account, cluster): not the pod's own. */
const DERIVED_PREFIXES = ['io.kubernetes.pod.namespace', 'io.cilium.k8s.namespace.labels.', 'io.cilium.k8s.policy.', 'io.cilium.k8s.'];

/** The pod's own labels from Cilium's label strings (`k8s:app=api` -> app=api). */
export function podLabelsOf(ciliumLabels: readonly string[]): Labels {
  const out: Labels = {};
  for (const l of ciliumLabels) {
    if (!l.startsWith('k8s:')) continue;
    const text = l.slice(4);
    const eq = text.indexOf('=');
    const k = eq < 0 ? text : text.slice(0, eq);
    if (DERIVED_PREFIXES.some((p) => k.startsWith(p))) continue;
    out[k] = eq < 0 ? '' : text.slice(eq + 1);
  }
  return out;
}

function serviceAccountOf(ciliumLabels: readonly string[]): string | undefined {
  const l = ciliumLabels.find((x) => x.startsWith('k8s:io.cilium.k8s.policy.serviceaccount='));
  return l ? l.slice(l.indexOf('=') + 1) : undefined;
}

function asFlowEndpoint(e: TrafficEndpoint): FlowEndpoint {
  return { ip: e.ip, port: 0, identity: e.identity, namespace: e.namespace, pod: e.pod, labels: e.labels, workloads: [], names: e.names, service: '', cluster: '' };
}
