import { describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../../azure/demo';
import { demoScenario } from '../../demo/scenario';
import type { FlowRecord } from '../../flows/flow-record';
import { FlowGraph } from '../../graph/flow-graph';
import { demoSnapshot } from '../../k8s/demo-source';
import { egressCsv, csvCell, egressInventory, filterEgressRows, isInternetEgressEdge, type EdgeSample, type EgressInput, type EgressRow } from './egress-inventory';
import { PolicyEngine } from '../../policy-engine/engine';
import { FlowSummary } from '../../posture/flow-summary';
import { demoFlows } from '../../posture/testing/demo-flows';
import { threeLayers, type ObservedFlow, type ThreeLayersInput } from '../../layers/three-layers';

const scenario = demoScenario();
const cluster = demoSnapshot(scenario).snapshot;
const records = demoFlows(scenario, 2);
// The live engine learns DNS answers from flows (toFQDNs needs them): the same here.
const engine = new PolicyEngine(cluster, { dns: new FlowSummary().addAll(records).snapshot().dnsAnswers });
const azure = demoAzureSnapshot();

const observed = (f: FlowRecord): ObservedFlow => ({
  source: { ip: f.source.ip, port: f.source.port, namespace: f.source.namespace, pod: f.source.pod, names: f.source.names },
  destination: { ip: f.destination.ip, port: f.destination.port, namespace: f.destination.namespace, pod: f.destination.pod, names: f.destination.names },
  protocol: f.protocol,
  isReply: f.isReply,
});

/** The demo traffic folded into a graph, and the newest flow of each edge as the hub's ring would hold it. */
function demoGraph(flows = records) {
  const graph = new FlowGraph();
  const samples = new Map<string, EdgeSample>();
  for (const f of flows) {
    const id = graph.add(f);
    const s = samples.get(id) ?? { flow: observed(f), addresses: [] };
    s.flow = observed(f);
    if (!s.addresses.includes(f.destination.ip)) s.addresses.unshift(f.destination.ip);
    samples.set(id, s);
  }
  return { edges: graph.snapshot().edges, samples };
}

function inventory(data: ThreeLayersInput = { cluster, engine, azure }, over: Partial<EgressInput> = {}) {
  const { edges, samples } = demoGraph();
  return egressInventory({
    edges,
    samples,
    flowFromEdge: () => undefined,
    evaluate: (f) => threeLayers(f, data),
    sources: { cluster: !!data.engine, azure: !!data.azure },
    now: 1,
    ...over,
  });
}

const row = (rows: EgressRow[], workload: string, destination: string) => {
  const r = rows.find((x) => x.workload === workload && x.destination === destination);
  if (!r) throw new Error(`no row ${workload} → ${destination}`);
  return r;
};

describe('egressInventory on the demo scenario', () => {
  const inv = inventory();

  it('lists exactly the workload → internet edges of the graph (no internet → ingress, no pod → pod)', () => {
    const expected = demoGraph().edges.filter((e) => e.target.startsWith('world') && e.source.includes('/'));
    expect(inv.rows.map((r) => r.edgeId).sort()).toEqual(expected.map((e) => e.id).sort());
    expect(inv.rows.length).toBeGreaterThanOrEqual(8);
    expect(inv.rows.some((r) => r.workload.startsWith('ingress-nginx/'))).toBe(false);
    expect(inv.totalEdges).toBe(inv.rows.length);
    expect(inv.capped).toBe(false);
  });

  it('legacy-app → pypi.org: policy allows, the firewall default deny decides; counts are the observed ones', () => {
    const r = row(inv.rows, 'legacy/legacy-app', 'pypi.org');
    expect(r).toMatchObject({ destinationKind: 'fqdn', port: 443, protocol: 'TCP', verdict: 'denied', decidedBy: 'firewall' });
    expect(r.policy.verdict).toBe('allowed');
    expect(r.nsg.verdict).toBe('allowed');
    expect(r.firewall).toMatchObject({ verdict: 'denied', rule: 'aks-egress-fw: default deny (no rule matched)' });
    expect(r.decision).toBe('denied by Azure Firewall (aks-egress-fw: default deny (no rule matched))');
    // Hubble saw them leave the pod: the firewall's drop is invisible to the cluster.
    const pypiFlows = records.filter((f) => f.source.namespace === 'legacy' && f.destination.names[0] === 'pypi.org');
    expect(r.counts.forwarded).toBe(pypiFlows.length);
    expect(r.counts.dropped).toBe(0);
    expect(r.firstSeen).toBe(Math.min(...pypiFlows.map((f) => f.time)));
    expect(r.lastSeen).toBe(Math.max(...pypiFlows.map((f) => f.time)));
    expect(r.edgeId).toBe('legacy/legacy-app|world:pypi.org|443|TCP');
  });

  it('legacy-app → api.github.com is open at every layer, the *.com firewall rule named', () => {
    const r = row(inv.rows, 'legacy/legacy-app', 'api.github.com');
    expect(r).toMatchObject({ verdict: 'allowed', decidedBy: null, decision: 'open: every layer on the path allows it' });
    expect(r.firewall.rule).toBe('aks-egress-fwp › aks-application › dev-convenience › allow-all-com');
  });

  it('payments-api → api.stripe.com, every flow dropped by policy: denied by network policy, and it says the flows never left', () => {
    const r = row(inv.rows, 'payments/payments-api', 'api.stripe.com');
    expect(r.counts.forwarded).toBe(0);
    expect(r.counts.dropped).toBeGreaterThan(0);
    expect(r).toMatchObject({ verdict: 'denied', decidedBy: 'policy' });
    expect(r.policy).toMatchObject({ verdict: 'denied', rule: 'default deny by NetworkPolicy payments/default-deny-egress (no rule allows it)' });
    // The firewall would let it through: the policy is what stops it.
    expect(r.firewall.verdict).toBe('allowed');
    expect(r.notes).toContain('every observed flow was dropped in the cluster: none reached the NSG or the firewall');
  });

  it('when several layers deny, the first on the way out decides: policy before the firewall', () => {
    const stripe = records.find((f) => f.source.namespace === 'payments' && f.destination.names[0] === 'api.stripe.com')!;
    const toPypi: FlowRecord = { ...stripe, uuid: 'payments-pypi', destination: { ...stripe.destination, ip: '151.101.0.223', names: ['pypi.org'] } };
    const { edges, samples } = demoGraph([...records, toPypi]);
    const inv = egressInventory({ edges, samples, flowFromEdge: () => undefined, evaluate: (f) => threeLayers(f, { cluster, engine, azure }), sources: { cluster: true, azure: true } });
    const r = row(inv.rows, 'payments/payments-api', 'pypi.org');
    expect([r.policy.verdict, r.firewall.verdict]).toEqual(['denied', 'denied']);
    expect(r).toMatchObject({ verdict: 'denied', decidedBy: 'policy' });
  });

  it('grafana → grafana.com gets out while policy only audits: audit, decided by policy', () => {
    const r = row(inv.rows, 'monitoring/grafana', 'grafana.com');
    expect(r).toMatchObject({ verdict: 'audit', decidedBy: 'policy' });
    expect(r.decision).toMatch(/^gets out now; would be denied when enforced by network policy .*monitoring\/monitoring-egress-lockdown/);
    expect(r.policy.rule).toBe('default deny by CiliumNetworkPolicy monitoring/monitoring-egress-lockdown (no rule allows it)');
  });

  it('a world peer without a DNS name is listed by its address', () => {
    const r = row(inv.rows, 'kube-system/coredns', '168.63.129.16');
    expect(r).toMatchObject({ destinationKind: 'ip', port: 53, protocol: 'UDP', addresses: ['168.63.129.16'], edgeId: 'kube-system/coredns|world|53|UDP' });
  });

  it('sorts open rows first, then audit, unknown, denied; within a verdict by workload and destination', () => {
    const rank = { allowed: 0, audit: 1, unknown: 2, denied: 3 };
    const ranks = inv.rows.map((r) => rank[r.verdict]);
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(inv.rows[0].verdict).toBe('allowed');
    expect(inv.rows.at(-1)!.verdict).toBe('denied');
    const open = inv.rows.filter((r) => r.verdict === 'allowed').map((r) => `${r.workload} ${r.destination}`);
    expect(open).toEqual([...open].sort());
    // The same order whatever order the graph lists its edges in.
    const { edges, samples } = demoGraph();
    const reversed = egressInventory({ edges: [...edges].reverse(), samples, flowFromEdge: () => undefined, evaluate: (f) => threeLayers(f, { cluster, engine, azure }), sources: { cluster: true, azure: true } });
    expect(reversed.rows.map((r) => r.edgeId)).toEqual(inv.rows.map((r) => r.edgeId));
  });

  it('counts workloads, distinct destinations and open rows', () => {
    expect(inv.summary.workloads).toBe(new Set(inv.rows.map((r) => r.workload)).size);
    // api.stripe.com is reached by two workloads and counted once.
    expect(inv.rows.filter((r) => r.destination === 'api.stripe.com')).toHaveLength(2);
    expect(inv.summary.destinations).toBe(new Set(inv.rows.map((r) => r.destination)).size);
    expect(inv.summary.open).toBe(inv.rows.filter((r) => r.verdict === 'allowed').length);
    expect(inv.summary.open).toBeGreaterThan(0);
    expect(inv.namespaces).toEqual(['kube-system', 'legacy', 'monitoring', 'payments', 'production']);
    expect(inv.notes).toEqual([]);
  });
});

describe('egressInventory without data, beyond the cap, without flows', () => {
  it('no Azure data: NSG and firewall cells unknown and said so; policy still decides', () => {
    const inv = inventory({ cluster, engine });
    const pypi = row(inv.rows, 'legacy/legacy-app', 'pypi.org');
    expect(pypi.nsg).toMatchObject({ verdict: 'unknown', reason: 'no Azure network data is loaded' });
    expect(pypi.firewall).toMatchObject({ verdict: 'unknown', reason: 'no Azure network data is loaded' });
    expect(pypi).toMatchObject({ verdict: 'unknown', decidedBy: 'nsg' });
    expect(pypi.decision).toBe('unknown: NSG cannot tell (no Azure network data is loaded)');
    // A policy deny is still a deny without Azure.
    expect(row(inv.rows, 'payments/payments-api', 'api.stripe.com')).toMatchObject({ verdict: 'denied', decidedBy: 'policy' });
    expect(inv.sources).toEqual({ cluster: true, azure: false });
    expect(inv.notes).toContain('No Azure network data is loaded: the NSG and firewall verdicts are unknown.');
    expect(inv.summary.open).toBe(0);
  });

  it('caps the rows, keeping the most recently seen, and says so', () => {
    const all = inventory();
    const inv = inventory(undefined, { maxRows: 3 });
    expect(inv.rows).toHaveLength(3);
    expect(inv).toMatchObject({ capped: true, maxRows: 3, totalEdges: all.rows.length });
    const newest = [...all.rows].sort((a, b) => b.lastSeen - a.lastSeen).slice(0, 3).map((r) => r.edgeId).sort();
    expect(inv.rows.map((r) => r.edgeId).sort()).toEqual(newest);
    expect(inv.notes).toContain(`Showing the 3 most recently seen of ${all.rows.length} internet connections.`);
  });

  it('an edge with no flow in memory is evaluated from a pod of its workload, and says so; without one it is unknown', () => {
    const pod = cluster.pods.find((p) => p.namespace === 'legacy' && p.name.startsWith('legacy-app'))!;
    const fromPod = inventory(undefined, {
      samples: new Map(),
      flowFromEdge: (e) => (e.source === 'legacy/legacy-app' ? { source: { ip: pod.ip!, port: 0, namespace: pod.namespace, pod: pod.name }, destination: { ip: '203.0.113.77', port: e.port }, protocol: e.protocol, isReply: false, fqdn: e.target.slice(6) } : undefined),
    });
    const pypi = row(fromPod.rows, 'legacy/legacy-app', 'pypi.org');
    expect(pypi).toMatchObject({ verdict: 'denied', decidedBy: 'firewall' });
    expect(pypi.notes).toContain('no flow of this connection is still in memory: evaluated for a pod of the workload');
    const cron = fromPod.rows.find((r) => r.workload === 'legacy/legacy-cron')!;
    expect(cron).toMatchObject({ verdict: 'unknown', decidedBy: null });
    expect(cron.policy.reason).toMatch(/no pod of the workload is known/);
    expect(cron.destination).not.toBe('');
  });

  it('only namespaced sources to world peers are internet egress', () => {
    expect(isInternetEgressEdge({ source: 'legacy/legacy-app', target: 'world:pypi.org' })).toBe(true);
    expect(isInternetEgressEdge({ source: 'kube-system/coredns', target: 'world' })).toBe(true);
    expect(isInternetEgressEdge({ source: 'world:client', target: 'ingress-nginx/ingress-nginx-controller' })).toBe(false);
    expect(isInternetEgressEdge({ source: 'host', target: 'world:x.com' })).toBe(false);
    expect(isInternetEgressEdge({ source: 'legacy/legacy-app', target: 'worldwide/app' })).toBe(false);
  });
});

describe('filterEgressRows', () => {
  const rows = inventory().rows;

  it('by namespace, by verdict, and both', () => {
    const legacy = filterEgressRows(rows, { namespace: 'legacy' });
    expect(legacy.length).toBeGreaterThan(1);
    expect(legacy.every((r) => r.namespace === 'legacy')).toBe(true);
    const denied = filterEgressRows(rows, { verdict: 'denied' });
    expect(denied.map((r) => r.destination)).toContain('pypi.org');
    expect(denied.every((r) => r.verdict === 'denied')).toBe(true);
    expect(filterEgressRows(rows, { namespace: 'legacy', verdict: 'denied' }).map((r) => `${r.workload} ${r.destination}`)).toEqual(['legacy/legacy-app pypi.org']);
  });

  it('text is a case-insensitive substring of workload, destination or address, never a pattern', () => {
    expect(filterEgressRows(rows, { text: 'PyPI' }).map((r) => r.destination)).toEqual(['pypi.org']);
    expect(filterEgressRows(rows, { text: 'cron' }).every((r) => r.workload === 'legacy/legacy-cron')).toBe(true);
    expect(filterEgressRows(rows, { text: '168.63' }).map((r) => r.workload)).toEqual(['kube-system/coredns']);
    expect(filterEgressRows(rows, { text: '.*' })).toEqual([]);
    expect(filterEgressRows(rows, { text: '(a+)+$' })).toEqual([]);
    expect(filterEgressRows(rows, { text: '   ' })).toHaveLength(rows.length);
  });
});

describe('egressCsv', () => {
  it('one line per row with the rules, header first', () => {
    const rows = inventory().rows;
    const lines = egressCsv(rows).trimEnd().split('\r\n');
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines[0]).toMatch(/^workload,destination,port,protocol,forwarded,dropped,/);
    const pypi = lines.find((l) => l.startsWith('legacy/legacy-app,pypi.org,443,TCP,'))!;
    expect(pypi).toContain(',denied,aks-egress-fw: default deny (no rule matched),denied,Azure Firewall');
  });

  it('defuses formulas and quotes separators', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`);
    expect(csvCell('+1')).toBe("'+1");
    expect(csvCell('-cmd')).toBe("'-cmd");
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(-5)).toBe('-5');
    expect(csvCell('pypi.org')).toBe('pypi.org');
  });
});
