/**
 * The one format of graph ids, and its parse side. Node ids: `namespace/workload`, `world:<fqdn>`,
 * `world`, `host`, `remote-node`, `kube-apiserver`, `ingress`, `unknown:<ip>`, `unknown`; edge ids:
 * `source|target|port|PROTOCOL`. The graph, the API, findings and the map all build and read ids
 * here, so a finding's link and the node it points to cannot disagree.
 *
 * Kubernetes names never hold `/`, `|` or `%`, but a DNS name from an answer can hold anything: the
 * parts of an id are escaped (`%` -> `%25`, `|` -> `%7C`, and `/` in a namespace -> `%2F`) so every id
 * parses back to what built it. Real names contain none of these, so their ids read as before.
 */

/** What an id names: a workload (kube-dns included), an internet peer, a reserved peer, or an unknown address. */
export type NodeIdKind = 'workload' | 'world' | 'host' | 'remote-node' | 'kube-apiserver' | 'ingress' | 'unknown';

export type ParsedNodeId =
  | { kind: 'workload'; namespace: string; name: string }
  /** `fqdn` is absent for the nameless `world` node (internet peers Cilium had no DNS name for). */
  | { kind: 'world'; fqdn?: string }
  | { kind: 'host' | 'remote-node' | 'kube-apiserver' | 'ingress' }
  /** `ip` is absent for the `unknown` node (an endpoint without an address). */
  | { kind: 'unknown'; ip?: string };

export interface ParsedEdgeId {
  source: string;
  target: string;
  port: number;
  protocol: string;
}

export const WORLD_NODE_ID = 'world';
export const HOST_NODE_ID = 'host';
export const REMOTE_NODE_ID = 'remote-node';
export const KUBE_APISERVER_NODE_ID = 'kube-apiserver';
export const INGRESS_NODE_ID = 'ingress';
export const UNKNOWN_NODE_ID = 'unknown';

const WORLD_PREFIX = 'world:';
const UNKNOWN_PREFIX = 'unknown:';
const RESERVED_IDS: ReadonlySet<string> = new Set([HOST_NODE_ID, REMOTE_NODE_ID, KUBE_APISERVER_NODE_ID, INGRESS_NODE_ID]);

/**
 * The map's namespace boxes (cytoscape compound nodes). Not graph nodes, but they share the map's id
 * space: `ns:` cannot start a node id (a namespace holds no `:`).
 */
export const NAMESPACE_PREFIX = 'ns:';

const escapePart = (s: string): string => (/[%|]/.test(s) ? s.replace(/%/g, '%25').replace(/\|/g, '%7C') : s);
const escapeNamespace = (s: string): string => (/[%|/]/.test(s) ? escapePart(s).replace(/\//g, '%2F') : s);

/** Undoes the escaping; undefined when a `%` is not one of the escapes we write (not an id we built). */
function unescapePart(s: string): string | undefined {
  if (!s.includes('%')) return s;
  let out = '';
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '%') {
      out += s[i];
      continue;
    }
    const code = s.slice(i + 1, i + 3).toUpperCase();
    if (code === '25') out += '%';
    else if (code === '7C') out += '|';
    else if (code === '2F') out += '/';
    else return undefined;
    i += 2;
  }
  return out;
}

/** The node id of a workload: `namespace/name`, as the graph names pods folded into their workload. */
export function workloadNodeId(namespace: string, workload: string): string {
  return `${escapeNamespace(namespace)}/${escapePart(workload)}`;
}

/** The node of an internet peer: `world:<fqdn>`, or the nameless `world` node when there is no name. */
export function worldNodeId(fqdn?: string): string {
  return fqdn ? `${WORLD_PREFIX}${escapePart(fqdn)}` : WORLD_NODE_ID;
}

/** The node of an endpoint the graph could not place: `unknown:<ip>`, or `unknown` without an address. */
export function unknownNodeId(ip?: string): string {
  return ip ? `${UNKNOWN_PREFIX}${escapePart(ip)}` : UNKNOWN_NODE_ID;
}

/** The id of the edge from node `source` to node `target` on a port and protocol. */
export function edgeIdOf(source: string, target: string, port: number, protocol: string): string {
  return `${source}|${target}|${port}|${escapePart(protocol)}`;
}

/** Protocols with a slot in EdgeIdCache's numeric key; any other protocol builds its id each time. */
const PROTOCOL_SLOTS: ReadonlyMap<string, number> = new Map(['', 'TCP', 'UDP', 'ICMPv4', 'ICMPv6', 'SCTP'].map((p, i) => [p, i]));

/**
 * Edge ids by their parts. An id is a pure function of (source, target, port, protocol), so a
 * cached one is never stale; what the cache saves is building a new ~60-character string for every
 * flow and hashing it again for each map it is looked up in (a reused string keeps its hash).
 * Bounded: cleared when it holds `max` ids (the working set refills it).
 */
export class EdgeIdCache {
  private readonly bySource = new Map<string, Map<string, Map<number, string>>>();
  private count = 0;
  constructor(private readonly max: number) {}

  idOf(source: string, target: string, port: number, protocol: string): string {
    const slot = PROTOCOL_SLOTS.get(protocol);
    if (slot === undefined || !(port >= 0 && port <= 0xffff && Number.isInteger(port))) return edgeIdOf(source, target, port, protocol);
    const key = port * 8 + slot;
    let byTarget = this.bySource.get(source);
    if (!byTarget) {
      byTarget = new Map();
      this.bySource.set(source, byTarget);
    }
    let byKey = byTarget.get(target);
    if (!byKey) {
      byKey = new Map();
      byTarget.set(target, byKey);
    }
    let id = byKey.get(key);
    if (id === undefined) {
      if (this.count >= this.max) {
        this.bySource.clear();
        this.count = 0;
        return this.idOf(source, target, port, protocol);
      }
      id = edgeIdOf(source, target, port, protocol);
      byKey.set(key, id);
      this.count++;
    }
    return id;
  }

  get size(): number {
    return this.count;
  }
}

/** What a node id names; undefined for text that is not a node id. */
export function parseNodeId(id: string): ParsedNodeId | undefined {
  if (id === WORLD_NODE_ID) return { kind: 'world' };
  if (id === UNKNOWN_NODE_ID) return { kind: 'unknown' };
  if (RESERVED_IDS.has(id)) return { kind: id as 'host' | 'remote-node' | 'kube-apiserver' | 'ingress' };
  if (id.includes('|')) return undefined;
  if (id.startsWith(WORLD_PREFIX)) {
    const fqdn = unescapePart(id.slice(WORLD_PREFIX.length));
    return fqdn ? { kind: 'world', fqdn } : undefined;
  }
  if (id.startsWith(UNKNOWN_PREFIX)) {
    const ip = unescapePart(id.slice(UNKNOWN_PREFIX.length));
    return ip ? { kind: 'unknown', ip } : undefined;
  }
  const slash = id.indexOf('/');
  if (slash <= 0 || slash === id.length - 1) return undefined;
  const namespace = unescapePart(id.slice(0, slash));
  const name = unescapePart(id.slice(slash + 1));
  // A namespace never holds `:` (and `ns:` is the map's namespace boxes).
  if (!namespace || !name || namespace.includes(':')) return undefined;
  return { kind: 'workload', namespace, name };
}

/** The parts of an edge id; undefined unless both ends are node ids and the port is 0-65535. */
export function parseEdgeId(id: string): ParsedEdgeId | undefined {
  const parts = id.split('|');
  if (parts.length !== 4) return undefined;
  const [source, target, portText, protocolText] = parts;
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) return undefined;
  const protocol = unescapePart(protocolText);
  if (protocol === undefined || !parseNodeId(source) || !parseNodeId(target)) return undefined;
  return { source, target, port: Number(portText), protocol };
}

/** The two node ids an edge id joins, without checking the rest: for scans over many edge ids. */
export function edgeEnds(edgeId: string): { source: string; target: string } | undefined {
  const a = edgeId.indexOf('|');
  const b = a < 0 ? -1 : edgeId.indexOf('|', a + 1);
  return b < 0 ? undefined : { source: edgeId.slice(0, a), target: edgeId.slice(a + 1, b) };
}

/** True for an internet peer: `world` or `world:<fqdn>`. */
export function isWorldNode(id: string): boolean {
  return id === WORLD_NODE_ID || (id.startsWith(WORLD_PREFIX) && id.length > WORLD_PREFIX.length);
}

/** True for a workload node (`namespace/name`, kube-dns included). */
export function isWorkloadNode(id: string): boolean {
  return parseNodeId(id)?.kind === 'workload';
}

/** The DNS name of a `world:<fqdn>` node; undefined for the nameless `world` node and for any other node. */
export function fqdnOfWorldNode(id: string): string | undefined {
  if (!id.startsWith(WORLD_PREFIX)) return undefined;
  const p = parseNodeId(id);
  return p?.kind === 'world' ? p.fqdn : undefined;
}

/** The namespace of a workload node id; undefined for every other node. */
export function namespaceOfNode(id: string): string | undefined {
  const p = parseNodeId(id);
  return p?.kind === 'workload' ? p.namespace : undefined;
}

/** The id of a namespace's box on the map. */
export function namespaceBoxId(namespace: string): string {
  return `${NAMESPACE_PREFIX}${namespace}`;
}

/** The namespace of a map box id (`ns:<namespace>`); undefined for graph node ids. */
export function namespaceOfBoxId(id: string): string | undefined {
  return id.startsWith(NAMESPACE_PREFIX) ? id.slice(NAMESPACE_PREFIX.length) : undefined;
}
