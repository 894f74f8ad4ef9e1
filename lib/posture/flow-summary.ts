/**
 * Folds observed flows into the few counters the posture findings need: traffic to the world per
 * workload, DNS drops, AUDIT verdicts, and the DNS answers that give toFQDNs rules their IPs. Memory is
 * bounded: a fixed number of keys and of sample flow uuids per key; what is dropped is counted.
 * Workloads and peers are named by their graph node ids, so a finding points at the node the map draws.
 */

import { normalizeDnsName } from '../match/dns-name';
import { auditDenialOfFlow, type AuditDenial } from '../flows/audit-verdict';
import { RESERVED_IDENTITY, hasReservedLabel, isPassingVerdict, type FlowEndpoint, type FlowRecord, type TrafficDirection } from '../flows/flow-record';
import { flowConnection, type ConnectionQuery } from '../policy-engine/flow-connection';
import { edgeIdOf } from '../graph/graph-ids';
import { nodeOfEndpoint, workloadNodeIdOfEndpoint } from '../graph/node-identity';

/** Counted flows of one kind between one source and one destination, with a few uuids to show. */
export interface FlowCounter {
  count: number;
  sampleUuids: string[];
  firstSeen: number;
  lastSeen: number;
}

/** A workload's graph node id (`namespace/workload`; the workload guessed from the pod name when the flow has none). */
export type WorkloadKey = string;

export interface WorldEgress extends FlowCounter {
  source: WorkloadKey;
  /** DNS names (or IPs when unnamed) of the internet destinations, capped. */
  destinations: string[];
}

export interface DnsDrops extends FlowCounter {
  source: WorkloadKey;
}

export interface AuditedPath extends FlowCounter {
  /** The source's graph node id: a workload, or `host`, `world`, ... (an ingress audit may come from anywhere). */
  source: string;
  /** The destination's graph node id: `namespace/workload`, `world:<fqdn>`, `world`, `host`, `unknown:<ip>`, ... */
  destination: string;
  port: number;
  protocol: string;
  /** Where Cilium observed the verdict (the flow's traffic direction): the side whose policy decided. */
  direction: TrafficDirection;
  /** The connection of the first flow, to ask the policy engine what would deny it; absent without L4. */
  connection?: ConnectionQuery;
  /** The policies Cilium reported as denying it (Hubble's denied-by lists), when a flow named any. */
  reported?: AuditDenial;
}

/** The counters at one moment: plain data, what findings take as input. */
export interface FlowSummarySnapshot {
  flowsSeen: number;
  worldEgress: WorldEgress[];
  dnsDrops: DnsDrops[];
  audited: AuditedPath[];
  /** DNS name -> IPs seen in answers (for toFQDNs). */
  dnsAnswers: Record<string, string[]>;
  /** Keys not recorded because a cap was reached. */
  dropped: number;
}

export interface FlowSummaryLimits {
  maxKeys: number;
  samplesPerKey: number;
  destinationsPerKey: number;
}

const DEFAULT_LIMITS: FlowSummaryLimits = { maxKeys: 10_000, samplesPerKey: 5, destinationsPerKey: 20 };
const WORLD_IDENTITIES: ReadonlySet<number> = new Set([RESERVED_IDENTITY.world, RESERVED_IDENTITY.worldIPv4, RESERVED_IDENTITY.worldIPv6]);

export function isWorld(e: FlowEndpoint): boolean {
  return WORLD_IDENTITIES.has(e.identity) || hasReservedLabel(e.labels, 'world');
}

export class FlowSummary {
  private flowsSeen = 0;
  private dropped = 0;
  private readonly world = new Map<string, WorldEgress>();
  private readonly dns = new Map<string, DnsDrops>();
  private readonly audit = new Map<string, AuditedPath>();
  private readonly answers = new Map<string, Set<string>>();
  private readonly limits: FlowSummaryLimits;

  constructor(limits: Partial<FlowSummaryLimits> = {}) {
    this.limits = { ...DEFAULT_LIMITS, ...limits };
  }

  /** Adds one flow; replies are skipped (they belong to the connection their request opened). */
  add(flow: FlowRecord): void {
    this.flowsSeen++;
    const dnsRecord = flow.l7?.dns;
    if (dnsRecord && dnsRecord.ips.length > 0) this.learnAnswer(dnsRecord.query, dnsRecord.ips);
    if (flow.destination.names.length > 0 && flow.destination.ip) for (const n of flow.destination.names) this.learnAnswer(n, [flow.destination.ip]);
    if (flow.isReply === true) return;
    if (flow.verdict === 'AUDIT') this.addAudit(flow);
    const port = flow.destination.port;
    const toWorld = isWorld(flow.destination) && isPassingVerdict(flow.verdict);
    const droppedDns = port === 53 && flow.verdict === 'DROPPED';
    // Most flows are counted by neither: their source's id is not built at all.
    if (!toWorld && !droppedDns) return;
    const source = workloadNodeIdOfEndpoint(flow.source);
    if (!source) return;

    if (toWorld) {
      const c = this.counter(this.world, source, () => ({ source, destinations: [] }));
      if (c) {
        const dest = flow.destination.names[0] ?? flow.destination.ip;
        if (dest && !c.destinations.includes(dest) && c.destinations.length < this.limits.destinationsPerKey) c.destinations.push(dest);
        this.count(c, flow);
      }
    }
    if (droppedDns) {
      const c = this.counter(this.dns, source, () => ({ source }));
      if (c) this.count(c, flow);
    }
  }

  /** An AUDIT flow, counted per path (the graph's edge), whatever the source: an ingress audit may come from the world. */
  private addAudit(flow: FlowRecord): void {
    const source = workloadNodeIdOfEndpoint(flow.source) ?? nodeOfEndpoint(flow.source).id;
    const destination = nodeOfEndpoint(flow.destination).id;
    const port = flow.destination.port;
    const key = edgeIdOf(source, destination, port, flow.protocol);
    const c = this.counter(this.audit, key, () => {
      const conn = flowConnection(flow);
      return { source, destination, port, protocol: flow.protocol, direction: flow.direction, ...(conn.ok ? { connection: conn.query } : {}) };
    });
    if (!c) return;
    this.count(c, flow);
    if (c.direction === 'UNKNOWN' && flow.direction !== 'UNKNOWN') c.direction = flow.direction;
    if (!c.reported) {
      const reported = auditDenialOfFlow(flow);
      if (reported) c.reported = reported;
    }
  }

  addAll(flows: Iterable<FlowRecord>): this {
    for (const f of flows) this.add(f);
    return this;
  }

  snapshot(): FlowSummarySnapshot {
    const copy = <T extends FlowCounter>(m: Map<string, T>) => [...m.values()].map((c) => ({ ...c, sampleUuids: [...c.sampleUuids] }));
    return {
      flowsSeen: this.flowsSeen,
      worldEgress: copy(this.world).map((c) => ({ ...c, destinations: [...c.destinations] })),
      dnsDrops: copy(this.dns),
      audited: copy(this.audit),
      dnsAnswers: Object.fromEntries([...this.answers].map(([name, ips]) => [name, [...ips]])),
      dropped: this.dropped,
    };
  }

  private learnAnswer(name: string, ips: readonly string[]): void {
    const n = normalizeDnsName(name);
    let set = this.answers.get(n);
    if (!set) {
      if (this.answers.size >= this.limits.maxKeys) {
        this.dropped++;
        return;
      }
      this.answers.set(n, (set = new Set()));
    }
    for (const ip of ips) set.add(ip);
  }

  private counter<T extends FlowCounter>(map: Map<string, T>, key: string, init: () => Omit<T, keyof FlowCounter>): T | undefined {
    let c = map.get(key);
    if (!c) {
      if (map.size >= this.limits.maxKeys) {
        this.dropped++;
        return undefined;
      }
      c = { ...init(), count: 0, sampleUuids: [], firstSeen: Infinity, lastSeen: -Infinity } as unknown as T;
      map.set(key, c);
    }
    return c;
  }

  private count(c: FlowCounter, flow: FlowRecord): void {
    c.count++;
    if (c.sampleUuids.length < this.limits.samplesPerKey) c.sampleUuids.push(flow.uuid);
    if (flow.time < c.firstSeen) c.firstSeen = flow.time;
    if (flow.time > c.lastSeen) c.lastSeen = flow.time;
  }
}
