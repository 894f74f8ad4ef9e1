import { describe, expect, it } from 'vitest';
import { demoScenario } from '../demo/scenario';
import { FlowGraph } from '../graph/flow-graph';
import { demoSnapshot } from '../k8s/demo-source';
import { PolicyEngine } from './engine';
import { computeFindings } from './findings';
import { FlowSummary } from './flow-summary';
import { findingLinks } from './posture-overlay';
import { demoFlows } from './testing/demo-flows';

const scenario = demoScenario();
const { snapshot } = demoSnapshot(scenario);
const flows = demoFlows(scenario);
const findings = computeFindings({ snapshot, engine: new PolicyEngine(snapshot), flows: new FlowSummary().addAll(flows).snapshot() });

describe('finding links to the map', () => {
  it('"show on map" of a DNS finding selects the failing DNS edge, which is an edge the map draws', () => {
    const dns = findings.find((f) => f.key === 'dns-egress-missing:payments')!;
    const link = new URL(findingLinks(dns).map!, 'http://x');
    expect(link.searchParams.get('ns')).toBe('payments');
    const select = link.searchParams.get('select')!;
    // The same id the live graph gives the dropped DNS flows of payments.
    const graph = new FlowGraph();
    for (const f of flows) graph.add(f);
    graph.takeDelta();
    const edge = graph.edge(select);
    expect(edge).toMatchObject({ port: 53, protocol: 'UDP', status: 'denied' });
    expect(graph.node(edge!.target)?.kind).toBe('kube-dns');
    expect(edge!.source.startsWith('payments/')).toBe(true);
  });

  it('a finding about a workload without a connection still selects the workload node', () => {
    const open = findings.find((f) => f.key === 'open-egress:legacy/legacy-app')!;
    expect(open.connection).toBeUndefined();
    expect(findingLinks(open).map).toBe('/map?ns=legacy&select=legacy/legacy-app');
  });
});
