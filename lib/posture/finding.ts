/**
 * A posture finding: one problem, the objects it concerns, the evidence, and a fix.
 * Shared by the cluster-policy findings and the Azure findings so the UI and CLI treat them alike.
 */

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export const SEVERITY_ORDER: Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

/** Stable IDs from DOMAIN.md; never rename one (pipelines match on them). */
export type FindingId =
  | 'unprotected-namespace'
  | 'no-default-deny'
  | 'open-egress'
  | 'dns-egress-missing'
  | 'dns-egress-too-broad'
  | 'policy-selects-nothing'
  | 'audit-would-deny'
  | 'fqdn-without-dns-proxy'
  | 'nsg-open-inbound'
  | 'nsg-only-control'
  | 'egress-not-locked'
  | 'firewall-rule-too-broad'
  | 'legacy-policy-engine';

export interface ObjectRef {
  /** e.g. Namespace, Pod, NetworkPolicy, CiliumNetworkPolicy, NetworkSecurityGroup, FirewallPolicy, Workload */
  kind: string;
  namespace?: string;
  name: string;
  /** Azure resource id when there is one. */
  id?: string;
}

export interface Evidence {
  /** One sentence a person can check. */
  text: string;
  objects?: ObjectRef[];
  /** Observed flows that show the problem (uuids), and how many there were. */
  flowUuids?: string[];
  flowCount?: number;
}

export interface Fix {
  text: string;
  /** Ready-to-apply manifest (Kubernetes YAML) or az CLI commands. */
  yaml?: string;
  commands?: string[];
  /** How the policy engine judged the manifests: every generated Kubernetes fix is checked before it is shown. */
  check?: FixCheck;
}

/**
 * The result of applying a fix to the snapshot and comparing verdicts (fix-check.ts). `verified`: it denies
 * only what it means to; `narrowed`: its selector was scoped down until it did; `refused`: no safe version,
 * the YAML is withheld and `summary` says why; `pending`: not checked yet (large cluster), YAML withheld.
 */
export interface FixCheck {
  status: 'verified' | 'narrowed' | 'refused' | 'pending';
  summary: string;
  /** Connections allowed today that the fix stops on purpose: how many, and a few in words. */
  stops: { count: number; examples: string[] };
  /** Connections the fix must not stop and that made it narrow or refuse (observed traffic first). */
  spared: { connection: string; observed: boolean; flowCount?: number; workload?: string }[];
  checked: { observed: number; pairs: number; truncated: boolean };
}

export interface Finding {
  id: FindingId;
  /** Unique per occurrence: the id plus the main object, e.g. `unprotected-namespace:legacy`. */
  key: string;
  severity: Severity;
  title: string;
  /** Namespace the finding belongs to, when it belongs to one (for badges and scores). */
  namespace?: string;
  objects: ObjectRef[];
  evidence: Evidence[];
  fix: Fix;
  /**
   * A control of another layer already contains what the finding is about (e.g. open-egress where Azure
   * Firewall restricts the workload's internet egress): reported at low severity, and not drawn on the map
   * as if it were open.
   */
  mitigatedBy?: string;
  /** The connection the finding is about, as map node ids (e.g. the DNS path a namespace lacks): the map selects it. */
  connection?: { from: string; to: string; port: number; protocol: string };
}

/** Order findings most severe first, then by key for a stable listing. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) => SEVERITY_ORDER.indexOf(a.severity) - SEVERITY_ORDER.indexOf(b.severity) || a.key.localeCompare(b.key),
  );
}

/** True when `s` is at or above `threshold`. */
export function atLeast(s: Severity, threshold: Severity): boolean {
  return SEVERITY_ORDER.indexOf(s) <= SEVERITY_ORDER.indexOf(threshold);
}
