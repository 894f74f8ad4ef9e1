import { afterEach, describe, expect, it } from 'vitest';
import { demoAzureSnapshot } from '../azure/demo';
import { emptySnapshot } from '../azure/types';
import { demoScenario } from '../demo/scenario';
import type { FlowRecord } from '../flows/flow-record';
import { demoSnapshot } from '../k8s/demo-source';
import { PolicyEngine } from '../policy-engine/engine';
import { FlowSummary } from '../posture/flow-summary';
import { demoFlows } from '../posture/testing/demo-flows';
import { loadConfig } from './config';
import { egressView, hasAzureNetwork, sampleInternetFlows } from './egress-view';
import { Hub } from './hub';

const scenario = demoScenario();
const cluster = demoSnapshot(scenario).snapshot;
const records = demoFlows(scenario, 2);
const engine = new PolicyEngine(cluster, { dns: new FlowSummary().addAll(records).snapshot().dnsAnswers });
const azure = demoAzureSnapshot();

const hubs: Hub[] = [];
afterEach(async () => {
  for (const h of hubs.splice(0)) await h.stop();
});

/** A hub fed by hand (not started) with the demo traffic. */
function demoHub(flows: FlowRecord[] = records, recentCapacity = 5000): Hub {
  const h = new Hub(loadConfig({}), { recentCapacity });
  hubs.push(h);
  for (const f of flows) h.ingest(f);
  return h;
}

/** The answer to a flow, as Hubble reports it: ends swapped, isReply set. */
function replyOf(f: FlowRecord, ip: string): FlowRecord {
  return { ...f, uuid: `${f.uuid}-reply`, time: f.time + 1_000_000, isReply: true, source: { ...f.destination, ip }, destination: f.source };
}

describe('egressView over the hub', () => {
  it('lists the live graph internet edges with the loaded data: pypi.org denied by the firewall rule', () => {
    const inv = egressView({ hub: demoHub(), cluster, engine, azure });
    const pypi = inv.rows.find((r) => r.edgeId === 'legacy/legacy-app|world:pypi.org|443|TCP')!;
    expect(pypi).toMatchObject({ verdict: 'denied', decidedBy: 'firewall', addresses: ['151.101.0.223'], notes: [] });
    expect(pypi.firewall.rule).toBe('aks-egress-fw: default deny (no rule matched)');
    expect(inv.sources).toEqual({ cluster: true, azure: true });
  });

  it('a reply folds onto the connection it answers, and its server address is listed newest first', () => {
    const github = records.filter((f) => f.destination.names[0] === 'api.github.com');
    const inv = egressView({ hub: demoHub([...records, replyOf(github[0], '140.82.121.9')]), cluster, engine, azure });
    const row = inv.rows.find((r) => r.edgeId === 'legacy/legacy-app|world:api.github.com|443|TCP')!;
    expect(row.addresses).toEqual(['140.82.121.9', '140.82.121.6']);
    expect(row.verdict).toBe('allowed');
    expect(inv.rows.some((r) => r.workload.startsWith('world'))).toBe(false);
  });

  it('edges whose flows left the ring are evaluated from a pod of the workload', () => {
    // A ring of one flow: every internet edge but the newest must be rebuilt from the cluster.
    const inv = egressView({ hub: demoHub(records, 1), cluster, engine, azure });
    const pypi = inv.rows.find((r) => r.destination === 'pypi.org')!;
    expect(pypi).toMatchObject({ verdict: 'denied', decidedBy: 'firewall' });
    expect(pypi.notes).toContain('no flow of this connection is still in memory: evaluated for a pod of the workload');
    // Without the cluster there is no pod to evaluate from: unknown, not guessed.
    const blind = egressView({ hub: demoHub(records, 1) });
    expect(blind.rows.find((r) => r.destination === 'pypi.org')).toMatchObject({ verdict: 'unknown', decidedBy: null });
    expect(blind.notes).toEqual(['No cluster policy data is loaded: the network policy verdicts are unknown.', 'No Azure network data is loaded: the NSG and firewall verdicts are unknown.']);
  });

  it('samples only internet edges, one pass over the ring', () => {
    const samples = sampleInternetFlows(demoHub());
    expect([...samples.keys()].every((id) => id.split('|')[1].startsWith('world'))).toBe(true);
    expect(samples.has('kube-system/coredns|world|53|UDP')).toBe(true);
    expect(samples.get('kube-system/coredns|world|53|UDP')!.addresses).toEqual(['168.63.129.16']);
    expect([...samples.keys()].some((id) => id.startsWith('world'))).toBe(false);
  });
});

describe('hasAzureNetwork', () => {
  it('an empty snapshot (nothing configured, or a failed export) is no data; the demo is data', () => {
    expect(hasAzureNetwork(emptySnapshot('files', '/tmp/empty'))).toBe(false);
    expect(hasAzureNetwork(azure)).toBe(true);
  });
});
