/**
 * A host-network pod shares its node's network namespace and address, so the network sees the node:
 * - Cilium: the `host` entity "also includes all containers running in host networking mode on the local
 *   host"; `remote-node` likewise on other nodes (docs.cilium.io, Policy Language, "Entities Based").
 * - Kubernetes: "NetworkPolicy and hostNetwork pods" (kubernetes.io/docs/concepts/services-networking/
 *   network-policies/): in the most common implementation the plugin cannot tell hostNetwork pod traffic
 *   apart, ignores hostNetwork pods when matching podSelector / namespaceSelector, and treats their traffic
 *   like any traffic to or from the node IP.
 * Naming such a pod in a probe or flow must therefore give the node, at the node's address: exactly what
 * naming the address gives.
 */

import { describe, expect, it } from 'vitest';
import { PolicyEngine, isEngineError, type ConnectionVerdict } from './engine';
import type { PeerRef } from './peer-ref';
import { cluster, np } from './testing/cluster-fixture';

const snapshot = cluster({
  pods: [
    { ns: 'shop', name: 'web', labels: { app: 'web' }, ip: '10.244.0.11', node: 'node-a', ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }] },
    { ns: 'kube-system', name: 'exporter-a', labels: { app: 'exporter' }, ip: '10.224.0.4', node: 'node-a', hostNetwork: true },
    { ns: 'kube-system', name: 'exporter-b', labels: { app: 'exporter' }, ip: '10.224.0.5', node: 'node-b', hostNetwork: true },
    { ns: 'kube-system', name: 'exporter-c', labels: { app: 'exporter' }, ip: '10.224.0.6', node: 'node-c', hostNetwork: true },
  ],
  nodes: [
    { name: 'node-a', ip: '10.224.0.4' },
    { name: 'node-b', ip: '10.224.0.5' },
    { name: 'node-c', ip: '10.224.0.6' },
  ],
  policies: [
    // web admits the node subnet except node-c, and "exporter" pods by label.
    np('shop', 'web-ingress', {
      podSelector: { matchLabels: { app: 'web' } },
      policyTypes: ['Ingress'],
      ingress: [
        { from: [{ ipBlock: { cidr: '10.224.0.0/16', except: ['10.224.0.6/32'] } }] },
        { from: [{ namespaceSelector: {}, podSelector: { matchLabels: { app: 'exporter' } } }] },
      ],
    }),
    // Selects the exporters by label: host-network pods are not selected, so this isolates nothing.
    np('kube-system', 'exporter-lockdown', { podSelector: { matchLabels: { app: 'exporter' } }, policyTypes: ['Ingress'] }),
  ],
});

function verdict(engine: PolicyEngine, from: PeerRef, to: PeerRef, port = 8080): ConnectionVerdict {
  const r = engine.evaluate({ from, to, port, protocol: 'TCP' });
  if (isEngineError(r)) throw new Error(r.error.message);
  return r;
}

describe('a host-network pod named in a probe keeps its node IP', () => {
  const engine = new PolicyEngine(snapshot, { datapath: 'kubernetes' });

  it('resolves to the node with the node address: host on the same node, remote-node on another', () => {
    const web = engine.pod('shop/web');
    expect(engine.resolve({ pod: 'kube-system/exporter-a' }, web)).toMatchObject({ kind: 'host', node: 'node-a', ip: '10.224.0.4' });
    expect(engine.resolve({ pod: 'kube-system/exporter-b' }, web)).toMatchObject({ kind: 'remote-node', node: 'node-b', ip: '10.224.0.5' });
  });

  it('gives the verdict naming its IP gives: the node subnet ipBlock admits node-b (before, the pod lost its address and was denied)', () => {
    const byName = verdict(engine, { pod: 'kube-system/exporter-b' }, { pod: 'shop/web' });
    expect(byName.verdict).toBe('FORWARDED');
    // Only the ipBlock rule decides: the podSelector rule for app=exporter never matches a host-network pod.
    expect(byName.ingress.by.map((b) => `${b.name}[${b.rule}]`)).toEqual(['web-ingress[0]']);
    expect(byName).toEqual(verdict(engine, { ip: '10.224.0.5' }, { pod: 'shop/web' }));
  });

  it('and the ipBlock except excludes node-c, named by pod or by address alike', () => {
    const byName = verdict(engine, { pod: 'kube-system/exporter-c' }, { pod: 'shop/web' });
    expect(byName).toMatchObject({ verdict: 'DROPPED', enforcedAt: 'ingress', ingress: { reason: 'default-deny' } });
    expect(byName).toEqual(verdict(engine, { ip: '10.224.0.6' }, { pod: 'shop/web' }));
  });

  it('as a destination it is no pod: the lockdown selecting it by label does not apply (ingress not-a-pod)', () => {
    const v = verdict(engine, { pod: 'shop/web' }, { pod: 'kube-system/exporter-b' }, 9100);
    expect(v.destination).toMatchObject({ kind: 'remote-node', ip: '10.224.0.5' });
    expect(v.ingress.reason).toBe('not-a-pod');
    expect(v.verdict).toBe('FORWARDED');
  });

  it('the same holds on the Cilium datapath when CIDR rules select nodes (policy-cidr-match-mode: nodes)', () => {
    const cilium = new PolicyEngine(snapshot, { datapath: 'cilium', cidrMatchesNodes: true });
    expect(verdict(cilium, { pod: 'kube-system/exporter-b' }, { pod: 'shop/web' })).toEqual(verdict(cilium, { ip: '10.224.0.5' }, { pod: 'shop/web' }));
  });

  it('a host-network pod without a reported IP takes its node InternalIP', () => {
    const s = cluster({ pods: [{ ns: 'kube-system', name: 'agent', ip: '', node: 'node-b', hostNetwork: true }] });
    s.pods[0] = { ...s.pods[0], ips: [] };
    delete s.pods[0].ip;
    expect(new PolicyEngine(s).resolve({ pod: 'kube-system/agent' })).toMatchObject({ kind: 'remote-node', ip: '10.224.0.5' });
  });
});
