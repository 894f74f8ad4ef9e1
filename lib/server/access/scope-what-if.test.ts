/**
 * What-if answers for a user with namespace-scoped access: the traffic is theirs already (narrowed in
 * SQL), but the verdicts' words name policies, and a policy is shown only in its own namespace and a
 * cluster-wide one only to cluster-wide users (as the why panel does, scopeExplanation).
 */

import { describe, expect, it } from 'vitest';
import { FlowGenerator } from '../../demo/flow-generator';
import { demoScenario } from '../../demo/scenario';
import { demoSnapshot } from '../../k8s/demo-source';
import { deployedDiff } from '../../what-if/deployed-diff';
import { foldFlows } from '../../what-if/observed-traffic';
import { parseChange } from '../../what-if/proposed-change';
import { simulate } from '../../what-if/replay';
import { scopeDeployedDiff, scopeSimulation } from './access-scope';
import type { NamespaceScope } from './namespace-access';

const { snapshot } = demoSnapshot();
const traffic = foldFlows(new FlowGenerator(demoScenario(), 3).generate(3000, 1_795_000_000_000, 100), { since: null, until: null });
const legacyOnly: NamespaceScope = new Set(['legacy']);

describe('scopeSimulation', () => {
  it('keeps verdicts and sides, and drops the names of policies of namespaces the user may not read', async () => {
    // legacy's pods reach production's postgres and api-server, denied by production's policies.
    const r = await simulate(snapshot, parseChange({ presets: [{ preset: 'default-deny', namespace: 'legacy', directions: ['ingress', 'egress'] }] }), traffic);
    const all = r.edges.flatMap((e) => e.examples.flatMap((x) => [x.before, x.after]));
    expect(all.some((s) => s.why.includes('production/'))).toBe(true);
    const scoped = scopeSimulation(legacyOnly, r);
    const words = scoped.edges.flatMap((e) => e.examples.flatMap((x) => [x.before.why, x.after.why]));
    expect(words.filter((w) => w.includes('production/'))).toEqual([]);
    expect(words.some((w) => w.includes('by policies you may not read'))).toBe(true);
    // Its own namespace's policy is still named, and the outcomes are the same.
    expect(words.some((w) => w.includes('NetworkPolicy legacy/default-deny-all'))).toBe(true);
    expect(scoped.totals).toEqual(r.totals);
    expect(scoped.dns.map((e) => e.id)).toEqual(r.dns.map((e) => e.id));
  });

  it('changes nothing for a cluster-wide user', async () => {
    const r = await simulate(snapshot, parseChange({ presets: [{ preset: 'default-deny', namespace: 'legacy', directions: ['egress'] }] }), traffic);
    expect(scopeSimulation('all', r)).toBe(r);
  });
});

describe('scopeDeployedDiff', () => {
  it('keeps only rules of policies in the user’s namespaces', () => {
    const d = deployedDiff(snapshot, traffic, 'production');
    expect(d.broader.length).toBeGreaterThan(0);
    const none = scopeDeployedDiff(new Set(['legacy']), d);
    expect(none.broader).toEqual([]);
    expect(none.unused).toEqual([]);
    expect(scopeDeployedDiff(new Set(['production']), d).broader).toEqual(d.broader);
  });
});
