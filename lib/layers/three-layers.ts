/**
 * The three-layer strip of one connection: Azure NSG, network policy, egress firewall, each allowed,
 * denied or not on the path, with the deciding rule. Joins `evaluateAzureFlow` (NSG + firewall, which
 * see node addresses) with the policy engine (which sees pods). Pure: callers hand in the snapshots.
 */

import { AUDIT_PHRASE, auditPolicyName } from '../flows/audit-verdict';
import { normalizeDnsName } from '../match/dns-name';
import type { AzureSnapshot } from '../azure/types';
import type { ClusterSnapshot } from '../k8s/types';
import { evaluateAzureFlow, type AzureFlowLayers } from '../azure-rules/azure-flow-layers';
import type { PolicyEngine, DirectionVerdict, ConnectionVerdict } from '../policy-engine/engine';
import { isEngineError } from '../policy-engine/engine';
import type { FirewallRuleRef } from '../azure-rules/firewall-evaluator';
import type { NsgRuleRef } from '../azure-rules/nsg-evaluator';
import type { PeerRef } from '../policy-engine/peer-ref';
import type { Protocol } from '../policy-engine/ports';

/** One side of an observed flow, as Hubble reported it (FlowRecord endpoint subset). */
export interface ObservedEndpoint {
  ip: string;
  port: number;
  namespace?: string;
  pod?: string;
  /** DNS names Cilium associated with the IP. */
  names?: string[];
}

/** An observed flow, possibly a reply; the fields of FlowRecord the strip needs. */
export interface ObservedFlow {
  source: ObservedEndpoint;
  destination: ObservedEndpoint;
  /** TCP, UDP, SCTP, ICMPv4, ICMPv6 (Hubble spelling) or ICMP. */
  protocol: string;
  isReply: boolean | null;
  /** Node that observed the flow, and the direction it observed (the node holds that side's pod). */
  node?: string;
  direction?: 'INGRESS' | 'EGRESS' | 'UNKNOWN';
  /** DNS name of the server, when the names on the endpoint are not enough (e.g. an edge's `world:<fqdn>`). */
  fqdn?: string;
}

export interface ConnectionSide {
  ip: string;
  namespace?: string;
  pod?: string;
  /** Node hosting the pod, when the side is a pod and its node is known. */
  node?: string;
  nodeIp?: string;
}

/** The connection as its initiator opened it (replies swapped back). */
export interface Connection {
  from: ConnectionSide;
  to: ConnectionSide;
  port: number;
  protocol: string;
  fqdn?: string;
  /** True when the observed flow was a reply and its ends were swapped. */
  swapped: boolean;
}

export type CellVerdict = 'allowed' | 'denied' | 'audit' | 'not-on-path' | 'unknown';

/** One cell of the strip. */
export interface LayerCell {
  layer: 'nsg' | 'policy' | 'firewall';
  verdict: CellVerdict;
  /** One sentence: why this verdict. */
  reason: string;
  /** The deciding rule in words, e.g. `aks-nsg / allow-ssh (priority 1000)`; absent when none decided. */
  rule?: string;
  notes: string[];
}

export interface ThreeLayers {
  connection: Connection;
  nsg: LayerCell;
  policy: LayerCell;
  firewall: LayerCell;
  /** Denied if any layer denies; unknown if a layer cannot tell; audit if policy would drop once enforced. */
  verdict: 'allowed' | 'denied' | 'audit' | 'unknown';
  /** The addresses Azure evaluated (node IPs for pods), when Azure data was available. */
  azureSeenAs?: { sourceIp: string; destinationIp: string };
}

export interface ThreeLayersInput {
  cluster?: ClusterSnapshot;
  engine?: PolicyEngine;
  azure?: AzureSnapshot;
}

const MAX_NOTES = 8;

/** The connection a flow belongs to: a reply's ends are swapped so `from` is the initiator. */
export function connectionOfFlow(flow: ObservedFlow, cluster?: ClusterSnapshot): Connection {
  const reply = flow.isReply === true;
  const client = reply ? flow.destination : flow.source;
  const server = reply ? flow.source : flow.destination;
  // Hubble reports the flow on the node of the side it observed: EGRESS at the sender, INGRESS at the receiver.
  const observedIsSender = flow.direction === 'EGRESS';
  const senderIsClient = !reply;
  const nodeOfClient = flow.node && flow.direction !== 'UNKNOWN' && flow.direction !== undefined && observedIsSender === senderIsClient ? flow.node : undefined;
  const nodeOfServer = flow.node && flow.direction !== 'UNKNOWN' && flow.direction !== undefined && observedIsSender !== senderIsClient ? flow.node : undefined;
  const fqdn = cleanFqdn(flow.fqdn) ?? cleanFqdn(server.names?.[0]);
  return {
    from: side(client, nodeOfClient, cluster),
    to: side(server, nodeOfServer, cluster),
    port: server.port,
    protocol: normalizeProtocol(flow.protocol),
    ...(fqdn ? { fqdn } : {}),
    swapped: reply,
  };
}

function cleanFqdn(name: string | undefined): string | undefined {
  const n = name === undefined ? '' : normalizeDnsName(name);
  return n ? n : undefined;
}

function normalizeProtocol(p: string): string {
  const up = p.toUpperCase();
  return up.startsWith('ICMP') ? 'ICMP' : up;
}

function side(e: ObservedEndpoint, observedNode: string | undefined, cluster: ClusterSnapshot | undefined): ConnectionSide {
  const out: ConnectionSide = { ip: e.ip };
  if (e.namespace) out.namespace = e.namespace;
  if (e.pod) out.pod = e.pod;
  if (!e.pod) return out;
  const pod = cluster?.pods.find((p) => p.namespace === e.namespace && p.name === e.pod) ?? cluster?.pods.find((p) => !!e.ip && p.ips.includes(e.ip));
  if (pod?.hostNetwork) return out; // the pod is the node on the wire
  // Hubble names nodes `<cluster>/<node>`; Kubernetes knows only the node part.
  const node = pod?.node ?? observedNode?.slice(observedNode.lastIndexOf('/') + 1);
  if (node) {
    out.node = node;
    const ip = cluster?.nodes.find((n) => n.name === node)?.ips[0];
    if (ip) out.nodeIp = ip;
  }
  return out;
}

/** Evaluates the connection of an observed flow at all three layers. */
export function threeLayers(flow: ObservedFlow, input: ThreeLayersInput): ThreeLayers {
  const connection = connectionOfFlow(flow, input.cluster);
  const policy = policyCell(connection, input.engine);
  let nsg: LayerCell;
  let firewall: LayerCell;
  let azureSeenAs: ThreeLayers['azureSeenAs'];
  if (!input.azure) {
    nsg = { layer: 'nsg', verdict: 'unknown', reason: 'no Azure network data is loaded', notes: [] };
    firewall = { layer: 'firewall', verdict: 'unknown', reason: 'no Azure network data is loaded', notes: [] };
  } else {
    const azure = evaluateAzureFlow(input.azure, {
      sourceIp: connection.from.ip,
      destinationIp: connection.to.ip,
      destinationPort: connection.port,
      protocol: connection.protocol,
      fqdn: connection.fqdn,
      sourceNodeIp: connection.from.nodeIp,
      destinationNodeIp: connection.to.nodeIp,
    });
    nsg = nsgCell(azure);
    firewall = firewallCell(azure);
    azureSeenAs = azure.seenAs;
  }
  return { connection, nsg, policy, firewall, verdict: combine([nsg, policy, firewall]), ...(azureSeenAs ? { azureSeenAs } : {}) };
}

function combine(cells: LayerCell[]): ThreeLayers['verdict'] {
  const v = cells.map((c) => c.verdict);
  if (v.includes('denied')) return 'denied';
  if (v.includes('unknown')) return 'unknown';
  if (v.includes('audit')) return 'audit';
  return 'allowed';
}

/** `aks-nsg / allow-ssh (priority 1000, default rule)`. */
export function describeNsgRule(r: NsgRuleRef): string {
  return `${r.nsgName} / ${r.ruleName} (priority ${r.priority}${r.isDefault ? ', default rule' : ''})`;
}

/** `aks-egress-fwp › aks-application › dev-convenience › allow-all-com`. */
export function describeFirewallRule(r: FirewallRuleRef): string {
  return [r.policy?.name ?? r.firewall.name, r.ruleCollectionGroup?.name, r.ruleCollection.name, r.rule].filter(Boolean).join(' › ');
}

/** For an unknown layer, what is missing in words: `needs service tag AzureCloud.westeurope`. */
function unresolvedLabel(tags: string[] | undefined): string | undefined {
  return tags?.length ? `needs service tag${tags.length > 1 ? 's' : ''} ${tags.join(', ')}` : undefined;
}

function nsgCell(a: AzureFlowLayers): LayerCell {
  const n = a.nsg;
  const undecided = n.verdict === 'unknown' ? n.decisions.find((d) => d.access === 'Unknown') : undefined;
  // An unknown cell names the rule that could not be decided and the tag it needs, never an allowing rule.
  const rule = undecided
    ? [describeNsgRule(undecided.rule), unresolvedLabel(undecided.unresolved)].filter(Boolean).join(' · ')
    : n.decidingRule
      ? describeNsgRule(n.decidingRule)
      : unresolvedLabel(n.unresolvedTags);
  return { layer: 'nsg', verdict: n.verdict, reason: n.reason, ...(rule ? { rule } : {}), notes: n.notes.slice(0, MAX_NOTES) };
}

function firewallCell(a: AzureFlowLayers): LayerCell {
  const f = a.firewall;
  const rule = f.decidingRule
    ? describeFirewallRule(f.decidingRule)
    : f.verdict === 'denied' && f.firewall
      ? `${f.firewall.name}: default deny (no rule matched)`
      : f.verdict === 'unknown'
        ? unresolvedLabel(f.unresolvedTags)
        : undefined;
  return { layer: 'firewall', verdict: f.verdict, reason: f.reason, ...(rule ? { rule } : {}), notes: f.notes.slice(0, MAX_NOTES) };
}

const ENGINE_PROTOCOLS: readonly string[] = ['TCP', 'UDP', 'SCTP'];

function peerOf(s: ConnectionSide, engine: PolicyEngine): PeerRef | undefined {
  if (s.pod && s.namespace && engine.pod(`${s.namespace}/${s.pod}`)) return { pod: `${s.namespace}/${s.pod}` };
  if (s.ip) return { ip: s.ip };
  return undefined;
}

function policyCell(c: Connection, engine: PolicyEngine | undefined): LayerCell {
  if (!engine) return { layer: 'policy', verdict: 'unknown', reason: 'no cluster policy data is loaded', notes: [] };
  if (!ENGINE_PROTOCOLS.includes(c.protocol)) {
    return { layer: 'policy', verdict: 'unknown', reason: `${c.protocol || 'this protocol'} is not evaluated against network policies here (TCP, UDP and SCTP are)`, notes: [] };
  }
  const from = peerOf(c.from, engine);
  const to = peerOf(c.to, engine);
  if (!from || !to) return { layer: 'policy', verdict: 'unknown', reason: 'an end of the connection has neither a pod nor an IP', notes: [] };
  const r = engine.evaluate({ from, to, port: c.port, protocol: c.protocol as Protocol });
  if (isEngineError(r)) return { layer: 'policy', verdict: 'unknown', reason: r.error.message, notes: [] };
  return policyVerdictCell(r);
}

function directionRule(d: DirectionVerdict): string | undefined {
  if (d.by.length === 0) return undefined;
  return d.by
    .slice(0, 3)
    .map((b) => `${b.kind} ${b.namespace ? `${b.namespace}/` : ''}${b.name} ${b.section}[${b.rule}]`)
    .join(', ');
}

const REASONS: Record<DirectionVerdict['reason'], string> = {
  'not-isolated': 'not isolated (default allow)',
  allowed: 'allowed by a rule',
  'default-deny': 'isolated and no rule allows it (default deny)',
  denied: 'a deny rule matches',
  'l7-denied': 'the L7 rules do not admit this request',
  'host-always-allowed': 'the local node always reaches its pods',
  'not-a-pod': 'not a pod',
  reply: 'reply of an allowed connection',
};

function policyVerdictCell(v: ConnectionVerdict): LayerCell {
  const neitherPod = v.egress.reason === 'not-a-pod' && v.ingress.reason === 'not-a-pod';
  if (neitherPod) return { layer: 'policy', verdict: 'not-on-path', reason: 'neither end is a pod: pod network policies do not apply', notes: [] };
  const reason = `egress: ${REASONS[v.egress.reason]}; ingress: ${REASONS[v.ingress.reason]}`;
  const deciding = v.enforcedAt ? (v.enforcedAt === 'egress' ? v.egress : v.ingress) : undefined;
  // A default deny names the policies that isolate the deciding side (for AUDIT: the policy that would deny it).
  const isolating = deciding?.reason === 'default-deny' && deciding.isolatedBy?.length ? ` by ${deciding.isolatedBy.map(auditPolicyName).join(', ')}` : '';
  const rule = (deciding ? directionRule(deciding) : [directionRule(v.egress), directionRule(v.ingress)].filter(Boolean).join('; ')) || (v.verdict === 'FORWARDED' ? undefined : `default deny${isolating} (no rule allows it)`);
  const verdict: CellVerdict = v.verdict === 'DROPPED' ? 'denied' : v.verdict === 'AUDIT' ? 'audit' : 'allowed';
  const notes = v.egress.l7Filtered || v.ingress.l7Filtered ? ['allowed at L4 for requests matching L7 rules; the request itself was not checked'] : [];
  return {
    layer: 'policy',
    verdict,
    reason: v.enforcedAt ? `${v.verdict === 'AUDIT' ? AUDIT_PHRASE : 'dropped'} at ${v.enforcedAt}: ${reason}` : reason,
    ...(rule ? { rule } : {}),
    notes,
  };
}
