/**
 * An explainable posture score: each namespace starts at 100 and every finding in it costs points by
 * severity; the cluster score is the pod-weighted mean of namespace scores minus cluster-wide findings.
 * Every lost point is a deduction naming the finding key that cost it, and the deductions add up exactly.
 */

import type { Finding, FindingId, Severity } from './finding';

export const SEVERITY_COST: Record<Severity, number> = { critical: 40, high: 25, medium: 10, low: 3, info: 0 };

export interface Deduction {
  findingKey: string;
  findingId: FindingId;
  severity: Severity;
  /** Points lost (may be fractional in the cluster score, where namespaces are weighted). */
  points: number;
}

export interface Score {
  score: number;
  deductions: Deduction[];
}

export interface PostureScores {
  cluster: Score;
  namespaces: Record<string, Score & { pods: number }>;
}

const round = (n: number) => Math.round(n * 100) / 100;

/** Deductions for findings, capped so that they never take the score below 0 (the last ones shrink). */
function deduct(findings: readonly Finding[]): Score {
  const deductions: Deduction[] = [];
  let left = 100;
  for (const f of findings) {
    const points = Math.min(SEVERITY_COST[f.severity], left);
    if (points <= 0) continue;
    left -= points;
    deductions.push({ findingKey: f.key, findingId: f.id, severity: f.severity, points });
  }
  return { score: left, deductions };
}

/** Pods per namespace, the weights of `postureScores`: every namespace of the snapshot, with 0 when it has no pod. */
export function podsPerNamespace(namespaces: readonly { name: string }[], pods: readonly { namespace: string }[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const ns of namespaces) out[ns.name] = 0;
  for (const p of pods) out[p.namespace] = (out[p.namespace] ?? 0) + 1;
  return out;
}

/** Scores namespaces (pod counts weigh them in the cluster score) from the findings (sorted most severe first). */
export function postureScores(findings: readonly Finding[], podsPerNamespace: Record<string, number>): PostureScores {
  const namespaces: PostureScores['namespaces'] = {};
  for (const [ns, pods] of Object.entries(podsPerNamespace)) {
    namespaces[ns] = { ...deduct(findings.filter((f) => f.namespace === ns)), pods };
  }
  const totalPods = Object.values(podsPerNamespace).reduce((a, b) => a + b, 0);
  const weighted: Deduction[] = [];
  for (const s of Object.values(namespaces)) {
    const weight = totalPods > 0 ? s.pods / totalPods : 1 / Object.keys(namespaces).length;
    for (const d of s.deductions) weighted.push({ ...d, points: round(d.points * weight) });
  }
  const clusterWide = deduct(findings.filter((f) => f.namespace === undefined || !(f.namespace in namespaces)));
  const deductions = [...weighted, ...clusterWide.deductions].filter((d) => d.points > 0);
  const lost = deductions.reduce((a, d) => a + d.points, 0);
  return { cluster: { score: round(Math.max(0, 100 - lost)), deductions }, namespaces };
}

/**
 * What a score was computed from. The policies and pods always count; observed flows raise findings the
 * policies alone cannot (traffic to the internet makes open-egress high, dropped DNS makes
 * dns-egress-missing high, AUDIT verdicts add audit-would-deny), so the same cluster scores lower with
 * flows than without. Two scores are comparable only on the same basis.
 */
export interface ScoreBasis {
  /** The cluster's policies and pods (manifests, the Kubernetes API or the demo): always part of the score. */
  policies: true;
  /** Flows folded into the findings; 0 is a static score from the policies alone. */
  observedFlows: number;
  /** Times (ms since the epoch) of the first and last of those flows. */
  flowWindow?: { from: number; to: number };
  /** Azure network data (NSG, routes, firewall) weighed each workload's internet egress. */
  azure: boolean;
  /** The same, as one sentence for the table and the page. */
  text: string;
}

export interface ScoreBasisInput {
  observedFlows: number;
  flowWindow?: { from: number; to: number };
  azure: boolean;
  /** Who scores: the CLI (flows only from `--flows`) or the dashboard (flows from the relay since it started). */
  scorer: 'cli' | 'dashboard';
}

/** How long a window of flows lasted, in words (`42 s`, `5 min`, `3 h`). */
function span(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 120) return `${s} s`;
  if (s < 7200) return `${Math.round(s / 60)} min`;
  return `${Math.round(s / 3600)} h`;
}

/** The basis of a score, with the sentence that says how it differs from the other scorer's. */
export function scoreBasis(input: ScoreBasisInput): ScoreBasis {
  const flows = input.observedFlows;
  const window = flows > 0 && input.flowWindow ? ` over ${span(input.flowWindow.to - input.flowWindow.from)}` : '';
  const azure = input.azure ? ' and the Azure network (NSG, routes, firewall)' : '';
  const counted = `${flows.toLocaleString('en-US')} observed flow${flows === 1 ? '' : 's'}${window}`;
  let text: string;
  if (input.scorer === 'cli') {
    text =
      flows === 0
        ? `Score from the policies and pods of the input${azure} only (static, no observed flows). The dashboard also weighs the flows it observes (internet egress, dropped DNS, AUDIT verdicts), so it scores the same cluster lower once such flows occur; --flows adds them here.`
        : `Score from the policies and pods of the input${azure} plus ${counted} from --flows (internet egress, dropped DNS, AUDIT verdicts raise findings).`;
  } else {
    text =
      flows === 0
        ? `Score from the cluster's policies and pods${azure}; no flows observed yet. Once flows arrive, internet egress, dropped DNS and AUDIT verdicts raise findings and lower it.`
        : `Score from the cluster's policies and pods${azure} plus ${counted} received from the relay since the dashboard started (internet egress, dropped DNS, AUDIT verdicts raise findings). \`flowsight findings\` without --flows scores the policies alone, so it is higher for the same cluster.`;
  }
  return { policies: true, observedFlows: flows, ...(flows > 0 && input.flowWindow ? { flowWindow: input.flowWindow } : {}), azure: input.azure, text };
}
