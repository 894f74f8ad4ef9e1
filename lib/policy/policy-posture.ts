/**
 * Keeps the policy engine, findings and scores in step with a cluster source and the flow stream:
 * recomputed lazily, only after the snapshot or the flows changed, so readers (API routes, the map's
 * badges) can ask as often as they like.
 */

import type { ClusterSource } from '../k8s/cluster-source';
import type { ClusterSnapshot } from '../k8s/types';
import type { FlowRecord } from '../flows/flow-record';
import { PolicyEngine } from './engine';
import type { Finding } from './finding';
import { computeFindings, type FindingsInput } from './findings';
import { FlowSummary } from './flow-summary';
import { podsPerNamespace, postureScores, type PostureScores } from './posture-score';

export class PolicyPosture {
  private readonly summary: FlowSummary;
  private flowVersion = 0;
  private engineFor: { snapshot: ClusterSnapshot; engine: PolicyEngine; dnsVersion: number } | undefined;
  private findingsFor: { snapshot: ClusterSnapshot; flowVersion: number; findings: Finding[]; scores: PostureScores } | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly source: ClusterSource,
    private readonly options: { flows?: FlowSummary; egressFirewall?: FindingsInput['egressFirewall'] } = {},
  ) {
    this.summary = options.flows ?? new FlowSummary();
  }

  /** Subscribes to the source; listeners hear about every change that can alter verdicts or findings. */
  start(): void {
    this.unsubscribe ??= this.source.onChange(() => this.changed());
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  addFlows(flows: Iterable<FlowRecord>): void {
    this.summary.addAll(flows);
    this.flowVersion++;
    this.changed();
  }

  /** The engine for the current snapshot, with the DNS names learned from flows so far. */
  engine(): PolicyEngine {
    const snapshot = this.source.snapshot();
    if (!this.engineFor || this.engineFor.snapshot !== snapshot) {
      this.engineFor = { snapshot, engine: new PolicyEngine(snapshot, { dns: this.summary.snapshot().dnsAnswers }), dnsVersion: this.flowVersion };
    } else if (this.engineFor.dnsVersion !== this.flowVersion) {
      this.engineFor.engine.setDnsNames(this.summary.snapshot().dnsAnswers);
      this.engineFor.dnsVersion = this.flowVersion;
    }
    return this.engineFor.engine;
  }

  findings(): Finding[] {
    return this.current().findings;
  }

  scores(): PostureScores {
    return this.current().scores;
  }

  private current(): { findings: Finding[]; scores: PostureScores } {
    const snapshot = this.source.snapshot();
    if (this.findingsFor?.snapshot === snapshot && this.findingsFor.flowVersion === this.flowVersion) return this.findingsFor;
    const engine = this.engine();
    const flows = this.summary.snapshot();
    const findings = computeFindings({ snapshot, engine, flows, ...(this.options.egressFirewall ? { egressFirewall: this.options.egressFirewall } : {}) });
    this.findingsFor = { snapshot, flowVersion: this.flowVersion, findings, scores: postureScores(findings, podsPerNamespace(snapshot.namespaces, engine.pods())) };
    return this.findingsFor;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
