/**
 * The CLI and the dashboard score the same demo cluster differently (79.68 vs 70.35) because the
 * dashboard also weighs the flows it observes. These tests pin that difference to the findings the flows
 * change, and check that each score carries a basis saying what it was computed from.
 */

import { describe, expect, it } from 'vitest';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { chooseDatapath } from '../policy-engine/datapath';
import { PolicyEngine } from '../policy-engine/engine';
import { computeFindings } from './findings';
import { FlowSummary } from './flow-summary';
import { ObservedConnections } from './observed-connections';
import { podsPerNamespace, postureScores, scoreBasis } from './posture-score';
import { demoFlows } from './testing/demo-flows';

const scenario = demoScenario();
const { snapshot } = demoSnapshot(scenario);
const engine = new PolicyEngine(snapshot, { datapath: chooseDatapath(snapshot) });
const weights = podsPerNamespace(snapshot.namespaces, engine.pods());
const flows = demoFlows(scenario, 3);

const staticFindings = computeFindings({ snapshot, engine });
const observedFindings = computeFindings({ snapshot, engine, flows: new FlowSummary().addAll(flows).snapshot(), connections: new ObservedConnections().addAll(flows).snapshot().connections });
const severityOf = (list: typeof staticFindings) => Object.fromEntries(list.map((f) => [f.key, f.severity]));

describe('score basis: policies alone vs policies and observed flows', () => {
  it('the policies alone give the CLI score; the observed flows lower it to the dashboard score', () => {
    expect(postureScores(staticFindings, weights).cluster.score).toBe(79.68);
    expect(postureScores(observedFindings, weights).cluster.score).toBe(70.35);
  });

  it('the difference is the findings the flows raise: internet egress and dropped DNS seen, AUDIT verdicts', () => {
    const before = severityOf(staticFindings);
    const after = severityOf(observedFindings);
    const raised = Object.keys(after).filter((k) => before[k] !== undefined && before[k] !== after[k]).sort();
    expect(raised.map((k) => `${k} ${before[k]}->${after[k]}`)).toEqual([
      'dns-egress-missing:payments medium->high',
      'open-egress:legacy/legacy-app medium->high',
      'open-egress:legacy/legacy-cron medium->high',
      'open-egress:monitoring/grafana medium->high',
    ]);
    const added = Object.keys(after).filter((k) => before[k] === undefined);
    expect(added.length).toBeGreaterThan(0);
    expect(added.every((k) => k.startsWith('audit-would-deny:'))).toBe(true);
  });

  it('a static basis says so and points at the dashboard and --flows', () => {
    const b = scoreBasis({ scorer: 'cli', observedFlows: 0, azure: false });
    expect(b).toMatchObject({ policies: true, observedFlows: 0, azure: false });
    expect(b.flowWindow).toBeUndefined();
    expect(b.text).toMatch(/only \(static, no observed flows\)/);
    expect(b.text).toContain('The dashboard also weighs the flows it observes');
    expect(b.text).toContain('--flows');
  });

  it('the dashboard basis counts the flows and their window, and says the CLI scores the policies alone', () => {
    const b = scoreBasis({ scorer: 'dashboard', observedFlows: 12345, flowWindow: { from: 0, to: 5 * 60_000 }, azure: true });
    expect(b).toMatchObject({ policies: true, observedFlows: 12345, flowWindow: { from: 0, to: 300_000 }, azure: true });
    expect(b.text).toContain('12,345 observed flows over 5 min');
    expect(b.text).toContain('and the Azure network');
    expect(b.text).toContain('`flowsight findings` without --flows scores the policies alone');
  });

  it('the CLI with --flows names the flows it weighed', () => {
    const b = scoreBasis({ scorer: 'cli', observedFlows: 1, flowWindow: { from: 0, to: 42_000 }, azure: false });
    expect(b.text).toContain('plus 1 observed flow over 42 s from --flows');
  });
});
