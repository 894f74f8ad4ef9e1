import { describe, expect, it } from 'vitest';
import type { GraphEdge } from '../graph/types';
import { describeEdgePath } from '../graph/edge-path-text';
import { edgePath, type AzureCells } from './edge-path';

// Path order for egress on AKS (https://learn.microsoft.com/azure/aks/limit-egress-traffic): the pod's
// packet is first subject to Cilium's network policy, then to the NSG on the node's NIC/subnet, then the
// user-defined route sends it to the Azure Firewall. A layer further along only sees what earlier ones passed.

const edge = (status: GraphEdge['status'], extra: Partial<GraphEdge> = {}) => ({ status, deniedBy: [], allowedBy: [], dropReasons: {}, ...extra });
const cells = (nsg: AzureCells['nsg']['verdict'], firewall: AzureCells['firewall']['verdict']): AzureCells => ({
  nsg: { verdict: nsg, reason: `nsg ${nsg}`, ...(nsg === 'denied' ? { rule: 'aks-nsg / deny-out (priority 100)' } : {}) },
  firewall: { verdict: firewall, reason: `firewall ${firewall}`, ...(firewall === 'denied' ? { rule: 'aks-egress-fw: default deny (no rule matched)' } : {}) },
});

describe('edgePath', () => {
  it('forwarded by Cilium but denied by the firewall is denied, decided by the firewall with its rule', () => {
    const p = edgePath(edge('allowed'), cells('allowed', 'denied'));
    expect(p).toMatchObject({ status: 'denied', decidedBy: 'firewall', rule: 'aks-egress-fw: default deny (no rule matched)', layers: { policy: 'allowed', nsg: 'allowed', firewall: 'denied' } });
    expect(describeEdgePath(p)).toBe('denied by Azure Firewall (aks-egress-fw: default deny (no rule matched))');
  });

  it('the NSG comes before the firewall on the path: when both deny, the NSG decided', () => {
    expect(edgePath(edge('allowed'), cells('denied', 'denied'))).toMatchObject({ status: 'denied', decidedBy: 'nsg', rule: 'aks-nsg / deny-out (priority 100)' });
  });

  it('dropped by Cilium: the policy decided, whatever Azure would do (the packets never left)', () => {
    const p = edgePath(edge('denied', { deniedBy: ['CiliumNetworkPolicy/payments/deny-all'] }), cells('allowed', 'denied'));
    expect(p).toMatchObject({ status: 'denied', decidedBy: 'policy', rule: 'CiliumNetworkPolicy/payments/deny-all' });
  });

  it('a default-deny drop with no policy named reports the drop reason', () => {
    expect(edgePath(edge('denied', { dropReasons: { POLICY_DENIED: 3, STALE_OR_UNROUTABLE_IP: 1 } }), undefined).rule).toBe('dropped: POLICY_DENIED');
  });

  it('mixed (some flows dropped) whose forwarded part the firewall denies is denied', () => {
    expect(edgePath(edge('mixed'), cells('allowed', 'denied'))).toMatchObject({ status: 'denied', decidedBy: 'firewall' });
    expect(edgePath(edge('mixed'), cells('allowed', 'allowed'))).toMatchObject({ status: 'mixed', decidedBy: 'policy' });
  });

  it('audit stays audit unless Azure denies the traffic the audit policy lets through', () => {
    expect(edgePath(edge('audit'), cells('not-on-path', 'not-on-path'))).toMatchObject({ status: 'audit', decidedBy: 'policy' });
    expect(edgePath(edge('audit'), cells('allowed', 'denied'))).toMatchObject({ status: 'denied', decidedBy: 'firewall' });
  });

  it('allowed at every layer has no deciding layer; an unknown Azure layer is said, not assumed', () => {
    const all = edgePath(edge('allowed'), cells('allowed', 'not-on-path'));
    expect(all).toMatchObject({ status: 'allowed', reason: 'allowed by every layer on the path' });
    expect(all.decidedBy).toBeUndefined();
    const unknown = edgePath(edge('allowed'), cells('allowed', 'unknown'));
    expect(unknown.status).toBe('allowed');
    expect(unknown.reason).toBe('allowed by network policy; Azure Firewall could not be evaluated');
    expect(edgePath(edge('allowed'), undefined).layers).toEqual({ policy: 'allowed', nsg: 'unknown', firewall: 'unknown' });
  });
});
