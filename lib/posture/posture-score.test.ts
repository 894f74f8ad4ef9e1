import { describe, expect, it } from 'vitest';
import { postureScores, SEVERITY_COST } from './posture-score';
import type { Finding, Severity } from './finding';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { computeFindings } from './findings';
import { FlowSummary } from './flow-summary';
import { demoFlows } from './testing/demo-flows';

const finding = (key: string, severity: Severity, namespace?: string): Finding => ({
  id: 'open-egress', key, severity, title: key, ...(namespace ? { namespace } : {}), objects: [], evidence: [], fix: { text: '' },
});

describe('postureScores', () => {
  it('each namespace loses the cost of its findings, each deduction naming its finding', () => {
    const s = postureScores([finding('a', 'high', 'shop'), finding('b', 'low', 'shop')], { shop: 4, quiet: 4 });
    expect(s.namespaces.shop).toEqual({ score: 100 - SEVERITY_COST.high - SEVERITY_COST.low, pods: 4, deductions: [
      { findingKey: 'a', findingId: 'open-egress', severity: 'high', points: SEVERITY_COST.high },
      { findingKey: 'b', findingId: 'open-egress', severity: 'low', points: SEVERITY_COST.low },
    ] });
    expect(s.namespaces.quiet).toEqual({ score: 100, pods: 4, deductions: [] });
    // Half of the pods are in shop: the cluster loses half of shop's points, and says which finding cost them.
    expect(s.cluster.score).toBe(100 - (SEVERITY_COST.high + SEVERITY_COST.low) / 2);
    expect(s.cluster.deductions.map((d) => [d.findingKey, d.points])).toEqual([['a', SEVERITY_COST.high / 2], ['b', SEVERITY_COST.low / 2]]);
  });

  it('never goes below zero and the deductions still add up to the points lost', () => {
    const many = Array.from({ length: 6 }, (_, i) => finding(`k${i}`, 'high', 'bad'));
    const s = postureScores(many, { bad: 1 });
    expect(s.namespaces.bad.score).toBe(0);
    expect(s.namespaces.bad.deductions.reduce((a, d) => a + d.points, 0)).toBe(100);
  });

  it('on the demo: the explanation adds up and points to real findings', () => {
    const scenario = demoScenario();
    const { snapshot } = demoSnapshot(scenario);
    const findings = computeFindings({ snapshot, flows: new FlowSummary().addAll(demoFlows(scenario)).snapshot() });
    const pods: Record<string, number> = {};
    for (const p of snapshot.pods) pods[p.namespace] = (pods[p.namespace] ?? 0) + 1;
    const s = postureScores(findings, pods);
    const keys = new Set(findings.map((f) => f.key));
    for (const ns of Object.values(s.namespaces)) {
      expect(ns.score + ns.deductions.reduce((a, d) => a + d.points, 0)).toBe(100);
      for (const d of ns.deductions) expect(keys.has(d.findingKey)).toBe(true);
    }
    expect(s.namespaces.legacy.score).toBeLessThan(s.namespaces['ingress-nginx'].score);
    expect(s.namespaces['ingress-nginx'].score).toBe(100);
    const lost = s.cluster.deductions.reduce((a, d) => a + d.points, 0);
    expect(s.cluster.score).toBeCloseTo(100 - lost, 1);
  });
});
