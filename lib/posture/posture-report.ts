/**
 * The posture as the overview and the map read it: scores with every deduction tied to its finding,
 * findings most severe first with links to their objects, namespace badges, the posture layer, AUDIT flows
 * per namespace whose policy would deny them, and the cluster source's health (stale data, last sync, load
 * errors). Every list is bounded.
 */

import type { ClusterSourceStatus } from '../k8s/cluster-source';
import type { NamespaceAudit } from './audit-by-namespace';
import { formatSourceError, isInputProblem, summarizeSkippedKinds, type SourceError } from '../k8s/source-error';
import type { Finding, Severity } from './finding';
import { sortFindings } from './finding';
import type { PolicyError } from '../policy-engine/policy-error';
import { findingLinks, namespaceBadges, postureLayer, type FindingLinks, type NamespaceBadge, type PostureLayer } from './posture-overlay';
import type { Deduction, PostureScores, ScoreBasis } from './posture-score';

export const REPORT_LIMITS = { findings: 500, objectsPerFinding: 50, evidencePerFinding: 20, errors: 200, auditNamespaces: 500 } as const;

export interface ReportDeduction extends Deduction {
  title: string;
  namespace?: string;
}

export interface NamespaceScore {
  namespace: string;
  score: number;
  pods: number;
  deductions: ReportDeduction[];
}

export interface ReportFinding extends Finding {
  links: FindingLinks;
}

export interface SourceHealth {
  kind: ClusterSourceStatus['kind'];
  stale: boolean;
  lastSyncAt?: number;
  errors: (SourceError & { text: string })[];
  errorCount: number;
  /** Policies the engine could not compile (or compiled with warnings), naming the policy and field. */
  policyErrors: PolicyError[];
  policyErrorCount: number;
  /** Documents of kinds Flowsight does not need (ConfigMap, Deployment, ...): counted, never errors. */
  skipped: { total: number; text: string };
}

export interface PostureReport {
  generatedAt: number;
  cluster: { score: number; deductions: ReportDeduction[] };
  /** What the scores were computed from (policies, observed flows, Azure): why the CLI's may differ. */
  basis: ScoreBasis;
  namespaces: NamespaceScore[];
  findings: ReportFinding[];
  findingCount: number;
  countsBySeverity: Record<Severity, number>;
  badges: Record<string, NamespaceBadge[]>;
  layer: PostureLayer;
  /** AUDIT flows per namespace whose policy would deny them once enforced, with those policies. */
  audit: NamespaceAudit[];
  source: SourceHealth;
}

/**
 * What the live map draws of the posture, polled every few seconds: the namespace badges, the
 * posture layer and the source's health. The findings (most of the report: ~0.9 of 1 MB at 5,000
 * workloads) stay out; the namespace panel asks for one namespace's report when it opens.
 */
export type MapPosture = Pick<PostureReport, 'generatedAt' | 'badges' | 'layer' | 'source'>;

export function mapPosture(report: PostureReport): MapPosture {
  return { generatedAt: report.generatedAt, badges: report.badges, layer: report.layer, source: report.source };
}

/** Source status and compile errors, bounded, each error with a one-line text. */
export function sourceHealth(status: ClusterSourceStatus, policyErrors: readonly PolicyError[]): SourceHealth {
  const problems = status.errors.filter(isInputProblem);
  return {
    skipped: summarizeSkippedKinds(status.errors),
    kind: status.kind,
    stale: status.stale,
    ...(status.lastSyncAt !== undefined ? { lastSyncAt: status.lastSyncAt } : {}),
    errors: problems.slice(0, REPORT_LIMITS.errors).map((e) => ({ ...e, text: formatSourceError(e) })),
    errorCount: problems.length,
    policyErrors: policyErrors.slice(0, REPORT_LIMITS.errors),
    policyErrorCount: policyErrors.length,
  };
}

function boundFinding(f: Finding): ReportFinding {
  return {
    ...f,
    objects: f.objects.slice(0, REPORT_LIMITS.objectsPerFinding),
    evidence: f.evidence.slice(0, REPORT_LIMITS.evidencePerFinding).map((e) => ({
      ...e,
      ...(e.objects ? { objects: e.objects.slice(0, REPORT_LIMITS.objectsPerFinding) } : {}),
      ...(e.flowUuids ? { flowUuids: e.flowUuids.slice(0, 10) } : {}),
    })),
    links: findingLinks(f),
  };
}

/** Builds the report from the posture's findings and scores and the source status. */
export function postureReport(input: {
  findings: readonly Finding[];
  scores: PostureScores;
  basis: ScoreBasis;
  status: ClusterSourceStatus;
  policyErrors?: readonly PolicyError[];
  audit?: readonly NamespaceAudit[];
  now?: number;
}): PostureReport {
  const sorted = sortFindings([...input.findings]);
  const byKey = new Map(sorted.map((f) => [f.key, f]));
  const withTitle = (d: Deduction): ReportDeduction => {
    const f = byKey.get(d.findingKey);
    return { ...d, title: f?.title ?? d.findingKey, ...(f?.namespace ? { namespace: f.namespace } : {}) };
  };
  const countsBySeverity: Record<Severity, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of sorted) countsBySeverity[f.severity]++;
  return {
    generatedAt: input.now ?? Date.now(),
    cluster: { score: input.scores.cluster.score, deductions: input.scores.cluster.deductions.map(withTitle) },
    basis: input.basis,
    namespaces: Object.entries(input.scores.namespaces)
      .map(([namespace, s]) => ({ namespace, score: s.score, pods: s.pods, deductions: s.deductions.map(withTitle) }))
      .sort((a, b) => a.score - b.score || a.namespace.localeCompare(b.namespace)),
    findings: sorted.slice(0, REPORT_LIMITS.findings).map(boundFinding),
    findingCount: sorted.length,
    countsBySeverity,
    badges: namespaceBadges(sorted),
    layer: postureLayer(sorted),
    audit: (input.audit ?? []).slice(0, REPORT_LIMITS.auditNamespaces),
    source: sourceHealth(input.status, input.policyErrors ?? []),
  };
}
