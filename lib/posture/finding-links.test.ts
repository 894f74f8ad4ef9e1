import { describe, expect, it } from 'vitest';
import { demoScenario } from '../demo/scenario';
import { FlowGraph } from '../graph/flow-graph';
import { demoSnapshot } from '../k8s/demo-source';
import { PolicyEngine } from '../policy-engine/engine';
import { computeFindings } from './findings';
import { FlowSummary } from './flow-summary';
import type { Finding } from './finding';
import { findingLinks, postureLayer } from './posture-overlay';
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

  it('"show on map" of an audit finding selects the audited edge the map draws', () => {
    const audits = findings.filter((f) => f.id === 'audit-would-deny');
    expect(audits.length).toBeGreaterThan(0);
    const graph = new FlowGraph();
    for (const f of flows) graph.add(f);
    graph.takeDelta();
    for (const a of audits) {
      const select = new URL(findingLinks(a).map!, 'http://x').searchParams.get('select')!;
      expect(graph.edge(select), select).toMatchObject({ status: 'audit' });
    }
  });

  it('a bare pod is selected and outlined as the node the graph names after the pod', () => {
    const finding: Finding = {
      id: 'open-egress', key: 'open-egress:shop/debug-0', severity: 'high', title: 't', namespace: 'shop',
      objects: [{ kind: 'Pod', namespace: 'shop', name: 'debug-0' }], evidence: [], fix: { text: '' },
    };
    expect(findingLinks(finding).map).toBe('/map?ns=shop&select=shop/debug');
    expect(postureLayer([finding]).workloads).toEqual(['shop/debug']);
    const deployment: Finding = { ...finding, objects: [{ kind: 'Deployment', namespace: 'shop', name: 'web-0' }] };
    expect(findingLinks(deployment).map).toBe('/map?ns=shop&select=shop/web-0');
  });
});

