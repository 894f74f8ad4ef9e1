import { describe, expect, it } from 'vitest';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { PolicyEngine } from '../policy-engine/engine';
import type { Finding } from './finding';
import { computeFindings } from './findings';
import { FlowSummary } from './flow-summary';
import { findingLinks, namespaceBadges, postureLayer } from './posture-overlay';
import { postureReport, REPORT_LIMITS } from './posture-report';
import { postureScores, scoreBasis } from './posture-score';
import { demoFlows } from './testing/demo-flows';

const scenario = demoScenario();
const { snapshot } = demoSnapshot(scenario);
const engine = new PolicyEngine(snapshot);
const findings = computeFindings({ snapshot, engine, flows: new FlowSummary().addAll(demoFlows(scenario)).snapshot() });
const pods: Record<string, number> = {};
for (const p of engine.pods()) pods[p.namespace] = (pods[p.namespace] ?? 0) + 1;
const scores = postureScores(findings, pods);

describe('namespace badges and the posture layer', () => {
  it('legacy is unprotected with open egress; payments misses DNS and default deny', () => {
    const badges = namespaceBadges(findings);
    expect(badges.legacy.map((b) => b.label)).toEqual(['unprotected', 'open egress']);
    expect(badges.legacy[0]).toMatchObject({ kind: 'unprotected', severity: 'high', findingKeys: ['unprotected-namespace:legacy'] });
    expect(badges.legacy[1].findingKeys.sort()).toEqual(['open-egress:legacy/legacy-app', 'open-egress:legacy/legacy-cron']);
    expect(badges.payments.map((b) => b.kind)).toEqual(['no-default-deny', 'dns-missing']);
    expect(badges['ingress-nginx']).toBeUndefined();
  });

  it('outlines unprotected namespaces and open-egress workloads by their map ids', () => {
    const layer = postureLayer(findings);
    expect(layer.namespaces).toEqual(['kube-system', 'legacy']);
    expect(layer.workloads).toEqual(expect.arrayContaining(['legacy/legacy-app', 'legacy/legacy-cron', 'monitoring/grafana']));
    expect(layer.workloads).not.toContain('production/api-server');
  });

  it('links findings to the map node or namespace, and to the policy', () => {
    const byKey = new Map(findings.map((f) => [f.key, f]));
    expect(findingLinks(byKey.get('open-egress:legacy/legacy-app')!)).toEqual({ map: '/map?ns=legacy&select=legacy/legacy-app' });
    expect(findingLinks(byKey.get('unprotected-namespace:legacy')!).map).toBe('/map?ns=legacy');
    const f: Finding = { id: 'policy-selects-nothing', key: 'k', severity: 'medium', title: 't', namespace: 'a b', objects: [{ kind: 'NetworkPolicy', namespace: 'a b', name: 'x&y' }], evidence: [], fix: { text: '' } };
    expect(findingLinks(f)).toEqual({ map: '/map?ns=a%20b', policies: '/policies?ns=a%20b&q=x%26y' });
  });
});

describe('postureReport', () => {
  it('ties every deduction to a finding in the list, with its title', () => {
    const basis = scoreBasis({ scorer: 'dashboard', observedFlows: 12, azure: false });
    const r = postureReport({ findings, scores, basis, status: { kind: 'demo', stale: false, errors: [], lastSyncAt: 5 }, now: 10 });
    expect(r.basis).toBe(basis);
    const keys = new Set(r.findings.map((f) => f.key));
    const legacy = r.namespaces.find((n) => n.namespace === 'legacy')!;
    expect(legacy.score).toBe(scores.namespaces.legacy.score);
    expect(100 - legacy.deductions.reduce((a, d) => a + d.points, 0)).toBe(legacy.score);
    for (const d of [...r.cluster.deductions, ...r.namespaces.flatMap((n) => n.deductions)]) {
      expect(keys.has(d.findingKey)).toBe(true);
      expect(d.title).not.toBe(d.findingKey);
    }
    expect(r.namespaces[0].score).toBeLessThanOrEqual(r.namespaces[r.namespaces.length - 1].score);
    expect(r.findings[0].severity).toBe('high');
    expect(r.countsBySeverity.high).toBeGreaterThan(0);
    expect(r.source).toMatchObject({ kind: 'demo', stale: false, lastSyncAt: 5, errorCount: 0 });
  });

  it('bounds the lists and formats source errors with file, document and line', () => {
    const many: Finding[] = Array.from({ length: REPORT_LIMITS.findings + 20 }, (_, i) => ({
      id: 'open-egress', key: `open-egress:ns/w${i}`, severity: 'low', title: 't', namespace: 'ns',
      objects: Array.from({ length: 100 }, (_, j) => ({ kind: 'Pod', namespace: 'ns', name: `p${j}` })), evidence: [], fix: { text: '' },
    }));
    const errors = Array.from({ length: 300 }, (_, i) => ({ code: 'yaml-syntax' as const, message: 'bad', where: { file: 'p.yaml', documentIndex: i, line: i * 3 + 1 } }));
    const r = postureReport({ findings: many, scores: postureScores(many, { ns: 1 }), basis: scoreBasis({ scorer: 'dashboard', observedFlows: 0, azure: false }), status: { kind: 'manifests', stale: true, lastSyncAt: 7, errors } });
    expect(r.findings).toHaveLength(REPORT_LIMITS.findings);
    expect(r.findingCount).toBe(many.length);
    expect(r.findings[0].objects).toHaveLength(REPORT_LIMITS.objectsPerFinding);
    expect(r.source.errors).toHaveLength(REPORT_LIMITS.errors);
    expect(r.source.errorCount).toBe(300);
    expect(r.source.errors[2].text).toBe('p.yaml doc 2 line 7: bad [yaml-syntax]');
    expect(r.source.stale).toBe(true);
  });
});
