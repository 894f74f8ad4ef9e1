import { describe, expect, it } from 'vitest';
import { PolicyEngine, isEngineError } from './engine';
import { cluster, np } from './testing/cluster-fixture';
import { parsePeerRef } from './peer-ref';

const snapshot = cluster({
  pods: [
    { ns: 'shop', name: 'web', labels: { app: 'web' }, ip: '10.244.0.11', node: 'node-a' },
    { ns: 'shop', name: 'db', labels: { app: 'db' }, ip: '10.244.0.10', node: 'node-b' },
    { ns: 'kube-system', name: 'node-exporter', labels: { app: 'exporter' }, ip: '10.224.0.4', node: 'node-a', hostNetwork: true },
  ],
  policies: [np('shop', 'deny', { podSelector: {}, policyTypes: ['Ingress'] })],
});
const engine = new PolicyEngine(snapshot);

describe('PolicyEngine peer resolution', () => {
  const cases: [string, Parameters<PolicyEngine['evaluate']>[0]['from'], string, string | undefined][] = [
    ['a pod IP is that pod', { ip: '10.244.0.11' }, 'pod', 'web'],
    ['the destination pod\'s node IP is the host', { ip: '10.224.0.4' }, 'host', 'node-a'],
    ['another node\'s IP is remote-node', { ip: '10.224.0.5' }, 'remote-node', 'node-b'],
    ['a host-network pod is its node, not a pod', { pod: 'kube-system/node-exporter' }, 'host', 'node-a'],
    ['any other address is the world', { ip: '203.0.113.5' }, 'world', undefined],
  ];
  it.each(cases)('%s', (_n, from, kind, nameOrNode) => {
    const r = engine.evaluate({ from, to: { pod: 'shop/web' }, port: 80, protocol: 'TCP' });
    if (isEngineError(r)) throw new Error(r.error.message);
    expect(r.source.kind).toBe(kind);
    if (r.source.kind === 'pod') expect(r.source.name).toBe(nameOrNode);
    else if (nameOrNode) expect(r.source.node).toBe(nameOrNode);
    // Only the local node passes the isolated pod's ingress.
    expect(r.ingress.allowed).toBe(kind === 'host');
  });

  it('an unknown pod is an error value naming the side', () => {
    const r = engine.evaluate({ from: { pod: 'shop/web' }, to: { pod: 'shop/nope' }, port: 80, protocol: 'TCP' });
    expect(r).toEqual({ error: { code: 'unknown-pod', message: 'no pod shop/nope in the cluster', where: { peer: 'to', ref: { pod: 'shop/nope' } } } });
  });

  it('evaluations do not share mutable results', () => {
    const a = engine.evaluate({ from: { pod: 'shop/db' }, to: { pod: 'shop/web' }, port: 80, protocol: 'TCP' });
    const b = engine.evaluate({ from: { pod: 'shop/db' }, to: { pod: 'shop/web' }, port: 80, protocol: 'TCP' });
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
  });
});

describe('parsePeerRef', () => {
  it.each([
    ['shop/web-1', { pod: 'shop/web-1' }],
    ['10.0.0.1', { ip: '10.0.0.1' }],
    ['fd00::1', { ip: 'fd00::1' }],
    ['host', { entity: 'host' }],
    ['reserved:kube-apiserver', { entity: 'kube-apiserver' }],
    ['world:1.2.3.4', { entity: 'world', ip: '1.2.3.4' }],
  ])('%s', (text, expected) => expect(parsePeerRef(text)).toEqual(expected));

  it.each(['web', 'Shop/Web', 'world:not-an-ip', ''])('rejects %j', (text) => expect(parsePeerRef(text)).toHaveProperty('error'));
});
