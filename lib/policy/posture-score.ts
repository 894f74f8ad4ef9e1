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
