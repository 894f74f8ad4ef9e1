/**
 * Keeps the policy engine, findings and scores in step with a cluster source and the flow stream:
 * recomputed lazily, only after the snapshot, the flows or the Azure data changed, so readers (API routes,
 * the map's badges) can ask as often as they like. New flows alone refresh the findings at most once per
 * FRESHNESS_COST_FACTOR times what computing them took: instant on a small cluster, while on a
 * 5,000-workload one (about a second of work per recompute) the findings never take more than a sixth
 * of a core from the live stream. A changed snapshot or Azure data is always recomputed at once.
 * Generated fixes are checked against the same engine; the engines compiled for that are kept per snapshot.
 *
 * The server reads them with `current()`: computed in slices (time-slices.ts), so a recompute never
 * holds the event loop for more than a slice, and while new flows are being folded in, the previous
 * findings answer at once. `findings()` and `scores()` compute in one go (evidence reports, tests).
 */

import type { AzureSnapshot } from '../azure/types';
import type { ClusterSource } from '../k8s/cluster-source';
import type { ClusterSnapshot } from '../k8s/types';
import type { FlowRecord } from '../flows/flow-record';
import { chooseDatapath, type DatapathHints } from '../policy-engine/datapath';
import { PolicyEngine, type EngineOptions } from '../policy-engine/engine';
import { auditByNamespace, type NamespaceAudit } from './audit-by-namespace';
import type { Finding } from './finding';
import { findingSteps } from './findings';
import { FixChecker } from './fix-check';
import { FlowSummary } from './flow-summary';
import { ObservedConnections } from './observed-connections';
import { podsPerNamespace, postureScores, type PostureScores } from './posture-score';
import { runInSlices, runToEnd, type SliceOptions, type Steps } from '../util/time-slices';

export interface PolicyPostureOptions {
  flows?: FlowSummary;
  connections?: ObservedConnections;
  /** How to choose the datapath per snapshot (setting, where it came from, whether flows come from Hubble). */
  datapath?: DatapathHints;
  /** Other engine options (allow-localhost, CIDR match mode); DNS names come from the flows. */
  engineOptions?: Omit<EngineOptions, 'dns' | 'datapath'>;
  /** Time one recompute may spend checking fixes; the rest are checked on the next reads. */
  fixCheckBudgetMs?: number;
  /** The clock findings' age is measured with (tests). */
  now?: () => number;
  /** How `current()` slices a recompute (tests pass their own pause). */
  slices?: SliceOptions;
}

/** Findings, most severe first, and the scores computed from them. */
export interface PostureFindings {
  findings: Finding[];
  scores: PostureScores;
  /** The flows they weighed (observedFlows() when they were computed). */
  observed: ObservedFlows;
}

export interface ObservedFlows {
  count: number;
  window?: { from: number; to: number };
}

/** The engine compiled for a snapshot, and the fix checker that shares it. */
interface CompiledFor {
  snapshot: ClusterSnapshot;
  engine: PolicyEngine;
  dnsVersion: number;
  checker: FixChecker;
}

type Computed = PostureFindings & { snapshot: ClusterSnapshot; flowVersion: number; azure: AzureSnapshot | undefined; complete: boolean; at: number; costMs: number };

const noop = () => undefined;

/** Findings stay current for new flows this many times as long as computing them took. */
export const FRESHNESS_COST_FACTOR = 5;

/** A large cluster's fixes are checked over several recomputes: each shows its findings after at most this much checking. */
const FIX_CHECK_BUDGET_MS = 500;

export class PolicyPosture {
  private readonly summary: FlowSummary;
  private readonly connections: ObservedConnections;
  private flowVersion = 0;
  /** Flows fed so far and the times of the first and last: the basis of the score (posture-score.ts). */
  private observed: { count: number; from: number; to: number } = { count: 0, from: Infinity, to: -Infinity };
  private engineFor: CompiledFor | undefined;
  private auditFor: { engine: PolicyEngine; flowVersion: number; audit: NamespaceAudit[] } | undefined;
  private findingsFor: Computed | undefined;
  /** The recompute in slices under way, and the inputs it was started for. */
  private running: { snapshot: ClusterSnapshot; azure: AzureSnapshot | undefined; result: Promise<Computed> } | undefined;
  private unsubscribe: (() => void) | undefined;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly source: ClusterSource,
    private readonly options: PolicyPostureOptions = {},
  ) {
    this.summary = options.flows ?? new FlowSummary();
    this.connections = options.connections ?? new ObservedConnections();
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
    const list = [...flows];
    for (const f of list) {
      if (f.time < this.observed.from) this.observed.from = f.time;
      if (f.time > this.observed.to) this.observed.to = f.time;
    }
    this.observed.count += list.length;
    this.summary.addAll(list);
    this.connections.addAll(list);
    this.flowVersion++;
    this.changed();
  }

  /** How many flows the findings weigh, and the time of the first and last of them. */
  observedFlows(): ObservedFlows {
    const o = this.observed;
    return o.count > 0 ? { count: o.count, window: { from: o.from, to: o.to } } : { count: 0 };
  }

  /** The engine for the current snapshot, with the DNS names learned from flows so far. */
  engine(): PolicyEngine {
    return this.compiled().engine;
  }

  /** Findings; with Azure data, open-egress weighs the NSG, route, NAT gateway and firewall on each path. */
  findings(azure?: AzureSnapshot): Finding[] {
    return this.computed(azure).findings;
  }

  scores(azure?: AzureSnapshot): PostureScores {
    return this.computed(azure).scores;
  }

  /**
   * Findings and scores for the current snapshot and `azure`, computed in slices. When only flows came
   * since the last result, that result answers at once and a recompute starts behind it (at most one at
   * a time); a new snapshot or Azure data is waited for.
   */
  async current(azure?: AzureSnapshot): Promise<PostureFindings> {
    const f = this.findingsFor;
    if (f && f.snapshot === this.source.snapshot() && f.azure === azure) {
      if (this.stillFresh(f)) return f;
      // The next read retries a recompute that failed; with nothing cached, the failure reaches the reader.
      this.recompute(azure).catch(() => undefined);
      return f;
    }
    return this.recompute(azure);
  }

  /** AUDIT flows seen so far, per namespace whose policy would deny them (audit-by-namespace.ts). */
  auditByNamespace(): NamespaceAudit[] {
    const engine = this.engine();
    const a = this.auditFor;
    if (a && a.engine === engine && a.flowVersion === this.flowVersion) return a.audit;
    this.auditFor = { engine, flowVersion: this.flowVersion, audit: auditByNamespace(engine, this.summary.snapshot().audited) };
    return this.auditFor.audit;
  }

  private compiled(): CompiledFor {
    return runToEnd(this.compiledSteps(this.source.snapshot()));
  }

  /** The engine and fix checker for the current snapshot, compiled in steps when the snapshot changed. */
  private *compiledSteps(snapshot: ClusterSnapshot): Steps<CompiledFor> {
    let compiled = this.engineFor?.snapshot === snapshot ? this.engineFor : undefined;
    if (!compiled) {
      const datapath = chooseDatapath(snapshot, this.options.datapath);
      const dnsVersion = this.flowVersion;
      const engine = yield* PolicyEngine.compile(snapshot, { ...this.options.engineOptions, datapath, dns: this.summary.snapshot().dnsAnswers });
      // A one-go read (engine()) may have compiled the same snapshot during the pauses: one engine is kept.
      compiled = this.engineFor?.snapshot === snapshot ? this.engineFor : { snapshot, engine, dnsVersion, checker: new FixChecker(snapshot, engine, { ...(this.options.engineOptions ? { engineOptions: this.options.engineOptions } : {}), budgetMs: this.options.fixCheckBudgetMs ?? FIX_CHECK_BUDGET_MS }) };
      // Not kept when the snapshot moved on during the pauses: the next read compiles the new one.
      if (this.source.snapshot() === snapshot) this.engineFor = compiled;
    }
    if (compiled.dnsVersion !== this.flowVersion) {
      compiled.engine.setDnsNames(this.summary.snapshot().dnsAnswers);
      compiled.dnsVersion = this.flowVersion;
    }
    return compiled;
  }

  private computed(azure: AzureSnapshot | undefined): { findings: Finding[]; scores: PostureScores } {
    const snapshot = this.source.snapshot();
    const f = this.findingsFor;
    // A monotonic clock: a wall clock stepping back would freeze the findings until it caught up.
    const now = this.options.now ?? (() => performance.now());
    if (f && f.snapshot === snapshot && f.azure === azure && this.stillFresh(f)) return f;
    // Compiled before the clock starts: the cost weighed is the findings' own (recomputation()).
    this.compiled();
    const started = now();
    const result = runToEnd(this.recomputation(azure));
    // Fixes left unchecked by the time budget are checked on the next read (checked ones are remembered).
    const at = now();
    this.findingsFor = { ...result, at, costMs: at - started };
    return this.findingsFor;
  }

  /**
   * One recompute as steps, over the inputs as they are now: the engine compiled first when the
   * snapshot changed, then the findings. Callers compile before they start timing: the cost the
   * freshness rule weighs is the findings' own, since a compile is not repeated for new flows.
   */
  private recomputation(azure: AzureSnapshot | undefined): Steps<Omit<Computed, 'at' | 'costMs'>> {
    const snapshot = this.source.snapshot();
    const compiling = this.compiledSteps(snapshot);
    const flowVersion = this.flowVersion;
    const observed = this.observedFlows();
    const flows = this.summary.snapshot();
    const connections = this.connections;
    return (function* () {
      // A copy of every connection seen: a step of its own at 5,000 workloads (tens of thousands of them).
      // A tick's flows folded in meanwhile may be in it and not yet in the summary; the next recompute has both.
      yield;
      const seen = connections.snapshot().connections;
      const { engine, checker } = yield* compiling;
      const findings = yield* findingSteps({ snapshot, engine, flows, connections: seen, ...(azure ? { azure } : {}), fixChecker: checker });
      const scores = postureScores(findings, podsPerNamespace(snapshot.namespaces, engine.pods()));
      return { snapshot, flowVersion, azure, findings, scores, observed, complete: checker.pending === 0 };
    })();
  }

  /** Nothing changed, or only flows (or fixes wait to be checked) and the result is recent enough to stand. */
  private stillFresh(f: Computed): boolean {
    if (f.flowVersion === this.flowVersion && f.complete) return true;
    const now = this.options.now ?? (() => performance.now());
    return now() - f.at < f.costMs * FRESHNESS_COST_FACTOR;
  }

  /** Starts a recompute in slices for the current inputs, or joins the one under way for them. */
  private recompute(azure: AzureSnapshot | undefined): Promise<Computed> {
    const snapshot = this.source.snapshot();
    const r = this.running;
    if (r && r.snapshot === snapshot && r.azure === azure) return r.result;
    // One at a time: a recompute for older inputs finishes first (its engine and checker are shared).
    const result = (r ? r.result.then(noop, noop) : Promise.resolve()).then(() => this.computeInSlices(azure));
    const running = { snapshot, azure, result };
    this.running = running;
    const clear = () => {
      if (this.running === running) this.running = undefined;
    };
    result.then(clear, clear);
    return result;
  }

  private async computeInSlices(azure: AzureSnapshot | undefined): Promise<Computed> {
    // The engine first, in slices of its own, untimed (recomputation()).
    await runInSlices(this.compiledSteps(this.source.snapshot()), this.options.slices);
    const { value, busyMs } = await runInSlices(this.recomputation(azure), this.options.slices);
    const now = this.options.now ?? (() => performance.now());
    // The cost weighed is the time computing, not the pauses between slices: those are the live stream's.
    this.findingsFor = { ...value, at: now(), costMs: busyMs };
    return this.findingsFor;
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }
}
