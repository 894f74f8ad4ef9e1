import { describe, expect, it } from 'vitest';
import { PolicyEngine, isEngineError } from './engine';
import { chooseDatapath, describeDatapath, parseDatapathSetting, type Datapath } from './datapath';
import { cluster, cnp, np, type PodSpec } from './testing/cluster-fixture';
import type { PeerRef } from './peer-ref';
import { PolicyPosture } from '../posture/policy-posture';
import type { ClusterSource } from '../k8s/cluster-source';
import type { ClusterSnapshot } from '../k8s/types';

const PODS: PodSpec[] = [
  { ns: 'shop', name: 'web', labels: { app: 'web' }, ip: '10.244.0.11' },
  { ns: 'shop', name: 'db', labels: { app: 'db' }, ip: '10.244.0.10', node: 'node-b' },
];
const webEgressIpBlock = (cidr: string) => np('shop', 'web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr } }] }] });

function egressAllowed(datapath: Datapath, cidr: string, to: PeerRef, cidrMatchesNodes = false): boolean {
  const engine = new PolicyEngine(cluster({ pods: PODS, policies: [webEgressIpBlock(cidr)] }), { datapath, cidrMatchesNodes });
  expect(engine.errors).toEqual([]);
  const r = engine.evaluate({ from: { pod: 'shop/web' }, to, port: 5432, protocol: 'TCP' });
  if (isEngineError(r)) throw new Error(r.error.message);
  return r.egress.allowed;
}

// Issue 16, item 3. Kubernetes: the upstream conformance test "should allow egress access to server in CIDR
// block" (kubernetes test/e2e/network/netpol/network_policy.go) expects ipBlock to match a pod IP. Cilium:
// CIDR selectors never match cluster pods (docs.cilium.io, Policy Language, "CIDR based"; Cilium skips that
// conformance test, cilium/cilium#9209) and nodes only with policy-cidr-match-mode: nodes ("Selecting nodes
// with CIDR / ipBlock").
describe('NetworkPolicy ipBlock per datapath', () => {
  it.each([
    ['kubernetes: a pod IP inside the block matches', 'kubernetes', '10.244.0.0/16', { pod: 'shop/db' }, false, true],
    ['cilium: a pod IP inside the block never matches', 'cilium', '10.244.0.0/16', { pod: 'shop/db' }, false, false],
    ['cilium: a pod addressed by IP never matches either', 'cilium', '10.244.0.10/32', { ip: '10.244.0.10' }, false, false],
    ['kubernetes: a node IP inside the block matches', 'kubernetes', '10.224.0.0/16', { ip: '10.224.0.5' }, false, true],
    ['cilium: a node IP does not match by default', 'cilium', '10.224.0.0/16', { ip: '10.224.0.5' }, false, false],
    ['cilium: a node IP matches with policy-cidr-match-mode nodes', 'cilium', '10.224.0.0/16', { ip: '10.224.0.5' }, true, true],
    ['cilium: policy-cidr-match-mode nodes still never matches pods', 'cilium', '10.244.0.0/16', { pod: 'shop/db' }, true, false],
    ['kubernetes: an external address matches', 'kubernetes', '0.0.0.0/0', { ip: '1.1.1.1' }, false, true],
    ['cilium: an external address matches', 'cilium', '0.0.0.0/0', { ip: '1.1.1.1' }, false, true],
    ['cilium: the AKS API server (outside the cluster) matches by address', 'cilium', '20.50.0.0/16', { entity: 'kube-apiserver', ip: '20.50.12.7' }, false, true],
  ] as const)('%s', (_n, datapath, cidr, to, nodes, allowed) => {
    expect(egressAllowed(datapath, cidr, to, nodes)).toBe(allowed);
  });
});

describe('chooseDatapath', () => {
  const npOnly = cluster({ pods: PODS, policies: [webEgressIpBlock('0.0.0.0/0')] });
  const withCnp = cluster({ pods: PODS, policies: [cnp('shop', 'x', { endpointSelector: {}, egress: [{ toEntities: ['world'] }] })] });
  const withAgent = cluster({ pods: [...PODS, { ns: 'kube-system', name: 'cilium-abcde', labels: { 'k8s-app': 'cilium' }, ip: '10.224.0.4' }] });

  it.each([
    ['Cilium policies in the cluster', withCnp, {}, 'cilium', /1 Cilium policy/],
    ['Cilium agent pods', withAgent, {}, 'cilium', /agent pods/],
    ['flows from a Hubble Relay', npOnly, { hubbleRelay: true }, 'cilium', /Hubble Relay/],
    ['nothing Cilium: Kubernetes semantics', npOnly, {}, 'kubernetes', /upstream Kubernetes/],
    ['auto is detection', withCnp, { setting: 'auto' as const }, 'cilium', /Cilium policy/],
  ])('detects from %s', (_n, snapshot, hints, datapath, reason) => {
    const c = chooseDatapath(snapshot, hints);
    expect(c).toMatchObject({ datapath, source: 'detected' });
    expect(c.reason).toMatch(reason);
  });

  it('an explicit setting wins over every signal and says where it came from', () => {
    expect(chooseDatapath(withCnp, { setting: 'kubernetes', settingName: '--datapath', hubbleRelay: true })).toEqual({ datapath: 'kubernetes', source: 'configured', reason: 'set by --datapath' });
    expect(describeDatapath(chooseDatapath(npOnly, { setting: 'cilium', settingName: 'FLOWSIGHT_DATAPATH' }))).toBe('cilium (configured: set by FLOWSIGHT_DATAPATH)');
  });

  it.each([['cilium', 'cilium'], ['KUBERNETES', 'kubernetes'], [' auto ', 'auto'], ['calico', undefined], ['', undefined]])('parses %j', (text, expected) => {
    expect(parseDatapathSetting(text)).toBe(expected);
  });

  it('the engine detects from its snapshot when not told, and reports the choice', () => {
    expect(new PolicyEngine(withCnp).datapath.datapath).toBe('cilium');
    expect(new PolicyEngine(npOnly).datapath.datapath).toBe('kubernetes');
  });
});

describe('Cilium policies on the kubernetes datapath', () => {
  it('are not enforced there: left out of verdicts, with a warning naming the policy', () => {
    const lockdown = cnp('shop', 'lockdown', { endpointSelector: {}, egress: [{ toEntities: ['cluster'] }] });
    const engine = new PolicyEngine(cluster({ pods: PODS, policies: [lockdown] }), { datapath: 'kubernetes' });
    expect(engine.policies()).toEqual([]);
    expect(engine.errors).toEqual([expect.objectContaining({ severity: 'warning', where: expect.objectContaining({ kind: 'CiliumNetworkPolicy', name: 'lockdown', field: 'kind' }), message: expect.stringContaining('only Cilium enforces') })]);
    const r = engine.evaluate({ from: { pod: 'shop/web' }, to: { ip: '1.1.1.1' }, port: 443, protocol: 'TCP' });
    if (isEngineError(r)) throw new Error(r.error.message);
    expect(r.egress).toMatchObject({ allowed: true, isolated: false, reason: 'not-isolated' });
  });
});

describe('PolicyPosture passes the datapath hints to every engine it builds', () => {
  const sourceOf = (snapshot: ClusterSnapshot): ClusterSource => ({
    start: async () => undefined,
    stop: async () => undefined,
    snapshot: () => snapshot,
    onChange: () => () => undefined,
    status: () => ({ kind: 'manifests', stale: false, errors: [] }),
  });
  const npOnly = cluster({ pods: PODS, policies: [webEgressIpBlock('10.244.0.0/16')] });

  it('the server runs on a Hubble Relay: auto means Cilium, so ipBlock no longer matches the pod', () => {
    const engine = new PolicyPosture(sourceOf(npOnly), { datapath: { setting: 'auto', settingName: 'FLOWSIGHT_DATAPATH', hubbleRelay: true } }).engine();
    expect(engine.datapath).toMatchObject({ datapath: 'cilium', source: 'detected', reason: expect.stringContaining('Hubble Relay') });
    const r = engine.evaluate({ from: { pod: 'shop/web' }, to: { pod: 'shop/db' }, port: 5432, protocol: 'TCP' });
    if (isEngineError(r)) throw new Error(r.error.message);
    expect(r.verdict).toBe('DROPPED');
  });

  it('FLOWSIGHT_DATAPATH=kubernetes wins over the relay', () => {
    const engine = new PolicyPosture(sourceOf(npOnly), { datapath: { setting: 'kubernetes', settingName: 'FLOWSIGHT_DATAPATH', hubbleRelay: true } }).engine();
    expect(engine.datapath).toEqual({ datapath: 'kubernetes', source: 'configured', reason: 'set by FLOWSIGHT_DATAPATH' });
  });
});
