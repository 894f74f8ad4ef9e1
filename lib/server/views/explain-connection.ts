/**
 * "Why allowed / why denied" in words: turns a map edge or an observed flow into a policy-engine
 * evaluation and explains each side (the source's egress, the destination's ingress) with the deciding
 * policy and rule, the policies that isolate the pod when nothing allows the path, and whether our verdict
 * agrees with what Cilium reported. Traffic from the node itself is the `host` peer, never a pod.
 */

import { stringify } from 'yaml';
import { AUDIT_PHRASE, auditDenialOfVerdict, auditPolicyName } from '../../flows/audit-verdict';
import type { FlowRecord } from '../../flows/flow-record';
import { fqdnOfWorldNode, parseEdgeId, parseNodeId } from '../../graph/graph-ids';
import { workloadNodeIdOfPod } from '../../graph/node-identity';
import type { ClusterSnapshot } from '../../k8s/types';
import type { Direction, PolicyRef, RuleRef } from '../../policy-engine/compiled-policy';
import { describeEndpoint, type Endpoint } from '../../policy-engine/endpoint';
import { isEngineError, type Connection, type DecidingRule, type DirectionReason, type DirectionVerdict, type FlowVerdict, type PolicyEngine } from '../../policy-engine/engine';
import { engineProtocol, flowConnection, type ConnectionQuery, type ExplainError } from '../../policy-engine/flow-connection';
import { formatPeerRef, parsePeerRef, type PeerRef } from '../../policy-engine/peer-ref';
import type { Protocol } from '../../policy-engine/ports';
import { describeServiceConnection, evaluateConnection, serviceOfPeer, type ServiceConnectionVerdict, type ServiceOutcome } from '../../policy-engine/service-connection';
import type { SkippedBackend } from '../../k8s/service-index';

export { engineProtocol, flowConnection, flowExplainParams, flowPeer, type ConnectionQuery, type ExplainError } from '../../policy-engine/flow-connection';

export interface ExplainedRule extends RuleRef {
  action: 'allow' | 'deny';
  l7Rule?: number;
  /** The rule as written in the policy (YAML), when the manifest is at hand. */
  yaml?: string;
}

export interface ExplainedDirection {
  direction: Direction;
  /** The side whose policies decide here: the source at egress, the destination at ingress. */
  subject: string;
  subjectKind: Endpoint['kind'];
  allowed: boolean;
  isolated: boolean;
  audit: boolean;
  reason: DirectionReason;
  l7Filtered: boolean;
  /** One sentence a person can check against the policies. */
  text: string;
  /** The rules that decided (allowing, denying, or the L7 rules the request failed). */
  rules: ExplainedRule[];
  /** Policies that put the subject into default deny in this direction (why nothing-allows means denied). */
  isolatedBy: PolicyRef[];
  /** When denied by default: the allow rules that do apply to the subject here, none of which matched (capped). */
  unmatchedRules: ExplainedRule[];
}

/** A connection to a Service: every backend's verdict; the explanation's egress / ingress are those of `shown`. */
export interface ExplainedService {
  namespace: string;
  name: string;
  clusterIP?: string;
  headless: boolean;
  port: number;
  protocol: Protocol;
  targetPort?: number | string;
  /** `partly-allowed`: some backends allow it and some deny it (the verdict is then DROPPED, never allowed). */
  outcome: ServiceOutcome;
  backendCount: number;
  /** The first MAX_LISTED_BACKENDS backends. */
  backends: { name: string; port: number; allowed: boolean; verdict: FlowVerdict; enforcedAt?: Direction }[];
  skipped: SkippedBackend[];
  /** The backend whose egress and ingress are explained: the first denied, else audited, else the first. */
  shown: string;
}

export interface Explanation {
  connection: { from: string; to: string; port: number; protocol: Protocol };
  source: { kind: Endpoint['kind']; name: string };
  destination: { kind: Endpoint['kind']; name: string };
  allowed: boolean;
  verdict: FlowVerdict;
  enforcedAt?: Direction;
  summary: string;
  egress: ExplainedDirection;
  ingress: ExplainedDirection;
  /** What Cilium reported for the explained flow, and whether the engine agrees. */
  observed?: { verdict: string; agrees: boolean };
  /** The observed flow the explanation was computed for. */
  sample?: { uuid: string; time: number };
  /** Set when the destination is a Service: the verdict combines all its backends. */
  service?: ExplainedService;
  notes: string[];
}

export type ExplainResult = { ok: true; explanation: Explanation } | { ok: false; error: ExplainError };

const MAX_RULE_YAML = 2000;
const MAX_UNMATCHED = 10;
const MAX_LISTED_BACKENDS = 100;

/** The peer of a graph node id (`ns/workload`, `host`, `world:name`, ...), using one pod of a workload. */
export function graphNodePeer(engine: PolicyEngine, id: string): PeerRef | ExplainError {
  const node = parseNodeId(id);
  switch (node?.kind) {
    case 'host':
    case 'remote-node':
    case 'kube-apiserver':
      return { entity: node.kind };
    case 'world':
      return { entity: 'world' };
    case 'unknown': {
      const parsed = node.ip ? parsePeerRef(node.ip) : undefined;
      return parsed && 'ip' in parsed ? parsed : { code: 'unsupported-peer', message: `${id}: not an address` };
    }
    case 'workload': {
      const { namespace, name } = node;
      const inNs = engine.pods().filter((p) => p.namespace === namespace);
      // Its controller's pods, else a bare pod the graph named after its name's stem, else a pod of that name.
      const pod = inNs.find((p) => (p.workload?.name ?? p.name) === name) ?? inNs.find((p) => workloadNodeIdOfPod(p) === id) ?? inNs.find((p) => p.name === name);
      if (pod) return { pod: `${pod.namespace}/${pod.name}` };
      return { code: 'unknown-pod', message: `no pod of ${id} in the cluster source` };
    }
    default:
      return { code: 'unsupported-peer', message: `${id}: the policy engine has no peer of this kind` };
  }
}

const refText = (r: PolicyRef) => `${r.kind} ${r.namespace ? `${r.namespace}/` : ''}${r.name}`;
const ruleText = (r: DecidingRule) => `${refText(r)} ${r.section}[${r.rule}]${r.l7Rule !== undefined ? ` (L7 rule ${r.l7Rule})` : ''}`;

function ruleYaml(snapshot: ClusterSnapshot | undefined, r: RuleRef): string | undefined {
  const policy = snapshot?.policies.find((p) => p.kind === r.kind && p.name === r.name && (p.namespace ?? undefined) === (r.namespace ?? undefined));
  if (!policy) return undefined;
  const m = policy.manifest as { spec?: Record<string, unknown>; specs?: Record<string, unknown>[] };
  const spec = r.spec !== undefined ? m.specs?.[r.spec] : m.spec;
  const section = spec?.[r.section];
  const rule = Array.isArray(section) ? section[r.rule] : undefined;
  if (rule === undefined) return undefined;
  const text = stringify(rule, { lineWidth: 0 });
  return text.length > MAX_RULE_YAML ? `${text.slice(0, MAX_RULE_YAML)}\n# …` : text;
}

function describeDirection(
  direction: Direction,
  v: DirectionVerdict,
  subject: Endpoint,
  peer: Endpoint,
  port: string,
  isolatedBy: PolicyRef[],
): string {
  const who = describeEndpoint(subject);
  const other = peer.kind === 'host' ? 'the node (host)' : describeEndpoint(peer);
  const audit = v.audit && !v.allowed ? ' It runs in audit mode: the drop is reported (AUDIT), not enforced.' : '';
  switch (v.reason) {
    case 'not-a-pod':
      return subject.kind === 'host'
        ? `${direction === 'egress' ? 'The source' : 'The destination'} is the node itself (host), not a pod: no pod ${direction} policy applies.`
        : `${who} is not a pod: no pod ${direction} policy applies here.`;
    case 'not-isolated':
      return `No policy selects ${who} for ${direction}: not isolated, default allow.`;
    case 'allowed':
      return `${v.by.map(ruleText).join(', ')} allow${v.by.length === 1 ? 's' : ''} ${direction === 'egress' ? `${who} to reach ${other}` : `${other} into ${who}`} on ${port}.${v.l7Filtered ? ' Only requests matching its L7 rules pass.' : ''}`;
    case 'default-deny':
      return `${who} is isolated for ${direction}${isolatedBy.length ? ` by ${isolatedBy.map(refText).join(', ')}` : ''}, and no rule allows ${direction === 'egress' ? `it to reach ${other}` : `${other} in`} on ${port}: denied by default.${audit}`;
    case 'denied':
      return `Denied by ${v.by.map(ruleText).join(', ')}: deny rules win over any allow.${audit}`;
    case 'l7-denied':
      return `Port ${port} only admits requests matching the L7 rules of ${v.by.map(ruleText).join(', ')}; this request matches none.${audit}`;
    case 'host-always-allowed':
      return `The node itself (host: kubelet probes, host-network pods) always reaches the pods it runs: Cilium allows it whatever the ingress policy${v.isolated ? ` (${who} is isolated for ingress, but that does not apply to the host)` : ''}.`;
    case 'reply':
      return 'Reply of an allowed connection: passes without policy evaluation.';
  }
}

/** Evaluates one connection and explains both sides. */
export function explainConnection(engine: PolicyEngine, snapshot: ClusterSnapshot | undefined, query: ConnectionQuery): ExplainResult {
  const notes: string[] = [];
  const fallback = (ref: PeerRef, ip: string | undefined, side: string): PeerRef => {
    // resolve(), not pod(): a host-network pod is known (as its node) although it is no pod endpoint.
    if ('pod' in ref && ip && !engine.resolve(ref)) {
      notes.push(`${side} pod ${ref.pod} is not in the cluster source (gone, or not synced yet): evaluated by its address ${ip}.`);
      return { ip };
    }
    return ref;
  };
  const { fromIp, toIp, observedVerdict, ...base } = query;
  const conn: Connection = { ...base, from: fallback(query.from, fromIp, 'Source'), to: fallback(query.to, toIp, 'Destination') };
  if (serviceOfPeer(engine, conn.from) || serviceOfPeer(engine, conn.to)) return explainServiceConnection(engine, snapshot, conn, observedVerdict, notes);
  const result = engine.evaluate(conn);
  if (isEngineError(result)) return { ok: false, error: { code: result.error.code, message: result.error.message } };
  const port = conn.protocol === 'ICMP' ? 'ICMP' : `${conn.port}/${conn.protocol}`;
  const side = (direction: Direction): ExplainedDirection => {
    const v = direction === 'egress' ? result.egress : result.ingress;
    const subject = direction === 'egress' ? result.source : result.destination;
    const peer = direction === 'egress' ? result.destination : result.source;
    const isolatedBy =
      subject.kind === 'pod' && v.isolated ? engine.sectionsFor(subject, direction).filter((s) => s.section.isolates).map((s) => ({ ...s.policy.ref })) : [];
    return {
      direction,
      subject: describeEndpoint(subject),
      subjectKind: subject.kind,
      allowed: v.allowed,
      isolated: v.isolated,
      audit: v.audit,
      reason: v.reason,
      l7Filtered: v.l7Filtered === true,
      text: describeDirection(direction, v, subject, peer, port, isolatedBy),
      rules: v.by.map((r) => {
        const yaml = ruleYaml(snapshot, r);
        return { ...r, ...(yaml ? { yaml } : {}) };
      }),
      isolatedBy,
      unmatchedRules:
        subject.kind === 'pod' && (v.reason === 'default-deny' || v.reason === 'l7-denied')
          ? engine
              .sectionsFor(subject, direction)
              .flatMap((s) => s.section.allow)
              .slice(0, MAX_UNMATCHED)
              .map((r) => {
                const yaml = ruleYaml(snapshot, r.ref);
                return { ...r.ref, action: r.action, ...(yaml ? { yaml } : {}) };
              })
          : [],
    };
  };
  const egress = side('egress');
  const ingress = side('ingress');
  const from = describeEndpoint(result.source);
  const to = describeEndpoint(result.destination);
  let summary: string;
  if (result.verdict === 'FORWARDED') summary = `Allowed: ${from} → ${to} on ${port} passes the source's egress and the destination's ingress.`;
  else {
    const at = result.enforcedAt === 'egress' ? egress : ingress;
    const where = result.enforcedAt === 'egress' ? `at the egress of ${from}` : `at the ingress of ${to}`;
    const wouldDeny = auditDenialOfVerdict(result)?.policies ?? [];
    const by = wouldDeny.length ? ` by ${wouldDeny.map(auditPolicyName).join(', ')}` : '';
    summary = result.verdict === 'AUDIT' ? `Audit: ${AUDIT_PHRASE} ${where}${by}. ${at.text}` : `Denied ${where}. ${at.text}`;
  }
  const explanation: Explanation = {
    connection: { from: formatPeerRef(conn.from), to: formatPeerRef(conn.to), port: conn.port, protocol: conn.protocol },
    source: { kind: result.source.kind, name: from },
    destination: { kind: result.destination.kind, name: to },
    allowed: result.allowed,
    verdict: result.verdict,
    ...(result.enforcedAt ? { enforcedAt: result.enforcedAt } : {}),
    summary,
    egress,
    ingress,
    notes,
  };
  if (observedVerdict) {
    const observed = observedVerdict;
    const comparable = observed === 'FORWARDED' || observed === 'DROPPED' || observed === 'AUDIT';
    const agrees = !comparable || observed === result.verdict;
    explanation.observed = { verdict: observed, agrees };
    if (!agrees) notes.push(`Cilium reported ${observed}, the policies as Flowsight reads them give ${result.verdict}: the policies may have changed since, or the datapath saw something the source does not (identity, DNS, L7).`);
  }
  return { ok: true, explanation };
}

/**
 * A connection to a Service: every backend is evaluated (service-connection.ts) and the one standing for the
 * combined verdict (the first denied, else audited, else the first) is explained side by side.
 */
function explainServiceConnection(engine: PolicyEngine, snapshot: ClusterSnapshot | undefined, conn: Connection, observedVerdict: string | undefined, notes: string[]): ExplainResult {
  const r = evaluateConnection(engine, conn);
  if (r.kind === 'error') return { ok: false, error: { code: r.error.code, message: r.error.message } };
  if (r.kind === 'endpoints') return explainConnection(engine, snapshot, { ...conn, ...(observedVerdict ? { observedVerdict } : {}) });
  const sv: ServiceConnectionVerdict = r.verdict;
  if (sv.outcome === 'no-backends') return { ok: false, error: { code: 'no-backends', message: sv.summary } };
  const shown = sv.backends[sv.representative ?? 0];
  const inner = explainConnection(engine, snapshot, { ...conn, to: shown.backend, port: shown.port });
  if (!inner.ok) return inner;
  const e = inner.explanation;
  e.connection = { ...e.connection, to: formatPeerRef(conn.to), port: conn.port };
  e.allowed = sv.allowed;
  e.verdict = sv.verdict;
  if (shown.verdict.enforcedAt) e.enforcedAt = shown.verdict.enforcedAt;
  e.summary = sv.backends.length === 1 ? `${sv.summary} ${e.summary}` : `${sv.summary} Shown: ${shown.name}. ${e.summary}`;
  e.service = {
    namespace: sv.service.namespace,
    name: sv.service.name,
    ...(sv.service.clusterIP ? { clusterIP: sv.service.clusterIP } : {}),
    headless: sv.service.headless,
    port: sv.service.port,
    protocol: sv.service.protocol,
    ...(sv.service.targetPort !== undefined ? { targetPort: sv.service.targetPort } : {}),
    outcome: sv.outcome,
    backendCount: sv.backends.length,
    backends: sv.backends.slice(0, MAX_LISTED_BACKENDS).map((b) => ({
      name: b.name,
      port: b.port,
      allowed: b.verdict.allowed,
      verdict: b.verdict.verdict,
      ...(b.verdict.enforcedAt ? { enforcedAt: b.verdict.enforcedAt } : {}),
    })),
    skipped: sv.skipped,
    shown: shown.name,
  };
  const how = sv.service.headless
    ? `${describeServiceConnection(sv)} resolves to its backends' own addresses (no translation)`
    : `Connections to ${describeServiceConnection(sv)} are translated to one backend (kube-proxy or Cilium's load balancer) before any policy applies`;
  e.notes = [...notes, `${how}: each of its ${sv.backends.length} backend${sv.backends.length === 1 ? '' : 's'} is evaluated; egress and ingress are shown for ${shown.name}.`, ...e.notes];
  if (observedVerdict) {
    // The observed flow went to one backend, unknown here: it agrees when some backend gets that verdict.
    const comparable = observedVerdict === 'FORWARDED' || observedVerdict === 'DROPPED' || observedVerdict === 'AUDIT';
    const agrees = !comparable || sv.backends.some((b) => b.verdict.verdict === observedVerdict);
    e.observed = { verdict: observedVerdict, agrees };
    if (!agrees) e.notes.push(`Cilium reported ${observedVerdict}, but no backend of the Service gets that verdict from the policies as Flowsight reads them: the policies or backends may have changed since.`);
  }
  return { ok: true, explanation: e };
}

/** Explains an observed flow (a reply is explained as the connection it answers). */
export function explainFlow(engine: PolicyEngine, snapshot: ClusterSnapshot | undefined, flow: FlowRecord): ExplainResult {
  const c = flowConnection(flow);
  if (!c.ok) return c;
  const r = explainConnection(engine, snapshot, c.query);
  if (r.ok) {
    r.explanation.sample = { uuid: flow.uuid, time: flow.time };
    if (c.reply) r.explanation.notes.unshift('This flow is a reply: explained as the connection it answers (replies of allowed connections pass).');
  }
  return r;
}

/**
 * Explains a map edge: from its latest observed flow when there is one (real addresses, DNS names, L7),
 * else from the edge id, taking one pod of each workload.
 */
export function explainEdge(engine: PolicyEngine, snapshot: ClusterSnapshot | undefined, edgeId: string, sample?: FlowRecord): ExplainResult {
  const edge = parseEdgeId(edgeId);
  if (!edge) return { ok: false, error: { code: 'bad-edge', message: 'edge id must be source|destination|port|PROTOCOL' } };
  if (sample) return explainFlow(engine, snapshot, sample);
  const protocol = engineProtocol(edge.protocol);
  if (!protocol) return { ok: false, error: { code: 'unsupported-protocol', message: `${edge.protocol}: not a protocol policies match on` } };
  const from = graphNodePeer(engine, edge.source);
  if ('code' in from) return { ok: false, error: from };
  const to = graphNodePeer(engine, edge.target);
  if ('code' in to) return { ok: false, error: to };
  const r = explainConnection(engine, snapshot, { from, to, port: protocol === 'ICMP' ? 0 : edge.port, protocol });
  if (r.ok) {
    r.explanation.notes.push('No recent flow on this edge: evaluated for one pod of each workload.');
    const fqdn = fqdnOfWorldNode(edge.target);
    if (fqdn) r.explanation.notes.push(`Evaluated for an internet address in general; toFQDNs rules for ${fqdn} match only addresses seen in DNS answers.`);
  }
  return r;
}
