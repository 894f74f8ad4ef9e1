/** The current set of cluster objects, kept by kind and key; the snapshot is rebuilt lazily after changes. */

import type { ClusterObject, ClusterObjectKind } from './normalize';
import type { ClusterSnapshot, EndpointSlice, Namespace, Node, Pod, PolicyObject, Service } from './types';
import { objectKey } from './types';

export class ClusterObjectStore {
  private readonly byKind = new Map<ClusterObjectKind, Map<string, ClusterObject['value']>>();
  private cached: ClusterSnapshot | undefined;

  upsert(object: ClusterObject): void {
    this.kindMap(object.kind).set(objectKey(object.value), object.value);
    this.cached = undefined;
  }

  remove(kind: ClusterObjectKind, key: string): boolean {
    const removed = this.kindMap(kind).delete(key);
    if (removed) this.cached = undefined;
    return removed;
  }

  /** Replaces every object of one kind (a relist): objects absent from `objects` are gone. */
  replaceKind(kind: ClusterObjectKind, objects: ClusterObject[]): void {
    const map = new Map<string, ClusterObject['value']>();
    for (const o of objects) map.set(objectKey(o.value), o.value);
    this.byKind.set(kind, map);
    this.cached = undefined;
  }

  snapshot(): ClusterSnapshot {
    this.cached ??= {
      namespaces: this.values<Namespace>('Namespace'),
      pods: this.values<Pod>('Pod'),
      nodes: this.values<Node>('Node'),
      policies: [
        ...this.values<PolicyObject>('NetworkPolicy'),
        ...this.values<PolicyObject>('CiliumNetworkPolicy'),
        ...this.values<PolicyObject>('CiliumClusterwideNetworkPolicy'),
      ],
      services: this.values<Service>('Service'),
      endpointSlices: this.values<EndpointSlice>('EndpointSlice'),
    };
    return this.cached;
  }

  private kindMap(kind: ClusterObjectKind): Map<string, ClusterObject['value']> {
    let m = this.byKind.get(kind);
    if (!m) this.byKind.set(kind, (m = new Map()));
    return m;
  }

  private values<T>(kind: ClusterObjectKind): T[] {
    const m = this.byKind.get(kind);
    if (!m) return [];
    return [...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, v]) => v as T);
  }
}
