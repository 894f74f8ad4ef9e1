import { describe, expect, it } from 'vitest';
import { emptyEndpoint, RESERVED_IDENTITY, type FlowEndpoint, type FlowRecord } from '../flows/flow-record';
import { FlowGraph } from './flow-graph';
import {
  EdgeIdCache,
  edgeEnds,
  edgeIdOf,
  fqdnOfWorldNode,
  isWorkloadNode,
  isWorldNode,
  namespaceBoxId,
  namespaceOfBoxId,
  namespaceOfNode,
  parseEdgeId,
  parseNodeId,
  unknownNodeId,
  workloadNodeId,
  worldNodeId,
} from './graph-ids';
import { nodeOfEndpoint, workloadNodeIdOfPod } from './node-identity';

describe('node ids', () => {
  it('read as before for real names', () => {
    expect(workloadNodeId('production', 'frontend')).toBe('production/frontend');
    expect(worldNodeId('api.github.com')).toBe('world:api.github.com');
    expect(worldNodeId()).toBe('world');
    expect(worldNodeId('')).toBe('world');
    expect(unknownNodeId('10.9.9.9')).toBe('unknown:10.9.9.9');
    expect(unknownNodeId('')).toBe('unknown');
    expect(edgeIdOf('legacy/legacy-app', 'world:pypi.org', 443, 'TCP')).toBe('legacy/legacy-app|world:pypi.org|443|TCP');
  });

  it('parse back to what built them', () => {
    expect(parseNodeId('production/frontend')).toEqual({ kind: 'workload', namespace: 'production', name: 'frontend' });
    expect(parseNodeId('world:api.github.com')).toEqual({ kind: 'world', fqdn: 'api.github.com' });
    expect(parseNodeId('world')).toEqual({ kind: 'world' });
    expect(parseNodeId('unknown:2001:db8::1')).toEqual({ kind: 'unknown', ip: '2001:db8::1' });
    expect(parseNodeId('unknown')).toEqual({ kind: 'unknown' });
    for (const id of ['host', 'remote-node', 'kube-apiserver', 'ingress'] as const) expect(parseNodeId(id)).toEqual({ kind: id });
  });

  it('round-trip names with the characters that separate ids', () => {
    const odd = ['a|b.example.com', '100%.example.com', 'x%7Cy', 'trailing|', '%', 'ünïcode.example', 'a/b'];
    for (const fqdn of odd) {
      const id = worldNodeId(fqdn);
      expect(id.includes('|'), id).toBe(false);
      expect(parseNodeId(id)).toEqual({ kind: 'world', fqdn });
      expect(fqdnOfWorldNode(id)).toBe(fqdn);
    }
    const ns = 'we/ird|ns%';
    const name = 'na/me|x%2F';
    const id = workloadNodeId(ns, name);
    expect(parseNodeId(id)).toEqual({ kind: 'workload', namespace: ns, name });
    expect(namespaceOfNode(id)).toBe(ns);
  });

  it('refuses text that is not a node id', () => {
    for (const bad of ['', 'world:', 'unknown:', 'frontend', '/frontend', 'production/', 'ns:production', 'a|b', 'world:bad%zz', 'worldwide', 'hosts']) {
      expect(parseNodeId(bad), bad).toBeUndefined();
    }
    // `worldwide/app` is a workload of namespace `worldwide`, not an internet peer.
    expect(parseNodeId('worldwide/app')).toEqual({ kind: 'workload', namespace: 'worldwide', name: 'app' });
    expect(isWorldNode('worldwide/app')).toBe(false);
  });

  it('answers the questions callers ask of an id', () => {
    expect(isWorldNode('world')).toBe(true);
    expect(isWorldNode('world:pypi.org')).toBe(true);
    expect(isWorldNode('host')).toBe(false);
    expect(isWorkloadNode('kube-system/coredns')).toBe(true);
    expect(isWorkloadNode('host')).toBe(false);
    expect(isWorkloadNode('world:a/b')).toBe(false);
    expect(fqdnOfWorldNode('world')).toBeUndefined();
    expect(fqdnOfWorldNode('production/world:x')).toBeUndefined();
    expect(namespaceOfNode('world:x.com')).toBeUndefined();
  });

  it('namespace boxes have their own ids that no node id collides with', () => {
    expect(namespaceBoxId('production')).toBe('ns:production');
    expect(namespaceOfBoxId('ns:production')).toBe('production');
    expect(namespaceOfBoxId('production/frontend')).toBeUndefined();
    expect(parseNodeId(namespaceBoxId('production'))).toBeUndefined();
  });
});

describe('edge ids', () => {
  it('round-trip ports and protocols, ICMP included', () => {
    for (const [port, protocol] of [[0, 'ICMPv4'], [53, 'UDP'], [65535, 'TCP'], [8080, 'SCTP'], [443, '']] as const) {
      const id = edgeIdOf('a/b', 'world:x.example', port, protocol);
      expect(parseEdgeId(id)).toEqual({ source: 'a/b', target: 'world:x.example', port, protocol });
    }
  });

  it('round-trip ends whose names hold a `|`', () => {
    const target = worldNodeId('evil|name.example');
    const source = workloadNodeId('ns', 'w|x');
    const id = edgeIdOf(source, target, 443, 'TCP');
    expect(parseEdgeId(id)).toEqual({ source, target, port: 443, protocol: 'TCP' });
    expect(edgeEnds(id)).toEqual({ source, target });
    expect(parseNodeId(parseEdgeId(id)!.target)).toEqual({ kind: 'world', fqdn: 'evil|name.example' });
  });

  it('refuses malformed edge ids', () => {
    for (const bad of ['a|b|c', 'a/b|c/d|99999|TCP', 'a/b|c/d|-1|TCP', 'a/b|c/d|x|TCP', 'a/b|c/d|1|TCP|x', '|c/d|1|TCP', 'a/b|nothing|1|TCP', '']) {
      expect(parseEdgeId(bad), bad).toBeUndefined();
    }
    expect(edgeEnds('no-separators')).toBeUndefined();
  });
});

describe('EdgeIdCache', () => {
  it('answers what edgeIdOf builds, the same string each time, for known and other protocols alike', () => {
    const cache = new EdgeIdCache(100);
    const cases: [string, string, number, string][] = [
      ['shop/cart', 'shop/db', 5432, 'TCP'],
      ['shop/cart', 'shop/db', 5432, 'UDP'],
      ['shop/cart', 'shop/db', 0, 'ICMPv4'],
      ['shop/db', 'shop/cart', 5432, 'TCP'],
      ['world:a|b', 'host', 65535, ''],
      ['shop/cart', 'shop/db', 80, 'GRE|x'],
      ['shop/cart', 'shop/db', 70000, 'TCP'],
      ['shop/cart', 'shop/db', 1.5, 'TCP'],
    ];
    for (const [s, t, p, proto] of cases) {
      const id = cache.idOf(s, t, p, proto);
      expect(id).toBe(edgeIdOf(s, t, p, proto));
      expect(cache.idOf(s, t, p, proto)).toBe(id);
    }
  });

  it('is bounded: past its size it starts over, and still answers right', () => {
    const cache = new EdgeIdCache(3);
    for (let port = 1; port <= 10; port++) expect(cache.idOf('a/x', 'b/y', port, 'TCP')).toBe(edgeIdOf('a/x', 'b/y', port, 'TCP'));
    expect(cache.size).toBeLessThanOrEqual(3);
    expect(cache.idOf('a/x', 'b/y', 1, 'TCP')).toBe('a/x|b/y|1|TCP');
  });
});

describe('the graph builds its ids here', () => {
  const base: Omit<FlowRecord, 'uuid' | 'source' | 'destination'> = {
    time: 1, verdict: 'FORWARDED', dropReason: '', direction: 'EGRESS', isReply: false, protocol: 'TCP', tcpFlags: [],
    node: '', type: 'L3_L4', eventType: 5, egressAllowedBy: [], ingressAllowedBy: [], egressDeniedBy: [], ingressDeniedBy: [], summary: '',
  };
  const pod = (over: Partial<FlowEndpoint>): FlowEndpoint => ({ ...emptyEndpoint(), namespace: 'shop', pod: 'web-7d9f8c6b5d-x2x9q', ip: '10.0.0.5', ...over });

  it('every node and edge id of a FlowGraph parses, and parses to what the node is', () => {
    const g = new FlowGraph();
    const world = { ...emptyEndpoint(), ip: '140.82.121.6', port: 443, identity: RESERVED_IDENTITY.world, names: ['API.GitHub.com.'] };
    g.add({ ...base, uuid: '1', source: pod({}), destination: world });
    g.add({ ...base, uuid: '2', source: pod({}), destination: { ...emptyEndpoint(), ip: '10.9.9.9', port: 9 } });
    g.add({ ...base, uuid: '3', source: { ...emptyEndpoint(), identity: RESERVED_IDENTITY.host, ip: '10.224.0.4' }, destination: { ...pod({ pod: 'db-0' }), port: 5432 } });
    const snap = g.snapshot();
    for (const n of snap.nodes) expect(parseNodeId(n.id), n.id).toBeDefined();
    for (const e of snap.edges) expect(parseEdgeId(e.id)).toEqual({ source: e.source, target: e.target, port: e.port, protocol: e.protocol });
    // The world node is named by its normalized DNS name.
    expect(snap.nodes.map((n) => n.id).sort()).toEqual(['host', 'shop/db', 'shop/web', 'unknown:10.9.9.9', 'world:api.github.com']);
  });

  it('a bare pod of the cluster snapshot has the node its flows get', () => {
    const flowNode = nodeOfEndpoint(pod({ pod: 'debug-0', workloads: [] })).id;
    expect(workloadNodeIdOfPod({ namespace: 'shop', name: 'debug-0' })).toBe(flowNode);
    expect(workloadNodeIdOfPod({ namespace: 'shop', name: 'web-7d9f8c6b5d-x2x9q', workload: { name: 'web' } })).toBe('shop/web');
  });
});
