/** The demo scenario's objects behind the ClusterSource interface, so nothing downstream special-cases the demo. */

import { demoScenario, type DemoScenario } from '../demo/scenario';
import type { ClusterSource, ClusterSourceStatus, SnapshotListener } from './cluster-source';
import { normalizeObject } from './normalize';
import { ClusterObjectStore } from './object-store';
import type { SourceError } from './source-error';
import type { ClusterSnapshot } from './types';

/** Converts the demo scenario into a snapshot; policy manifests go through the same normalizer as real ones. */
export function demoSnapshot(scenario: DemoScenario = demoScenario()): { snapshot: ClusterSnapshot; errors: SourceError[] } {
  const store = new ClusterObjectStore();
  const errors: SourceError[] = [];
  for (const ns of scenario.namespaces) store.upsert({ kind: 'Namespace', value: { name: ns.name, labels: { ...ns.labels } } });
  for (const node of scenario.nodes) store.upsert({ kind: 'Node', value: { name: node.name, ips: [node.ip], labels: {} } });
  for (const p of scenario.pods) {
    store.upsert({
      kind: 'Pod',
      value: {
        namespace: p.namespace,
        name: p.name,
        labels: { ...p.labels },
        ip: p.ip,
        ips: [p.ip],
        node: p.node,
        hostNetwork: false,
        containerPorts: p.ports.map((port) => ({ ...port })),
        workload: { ...p.workload },
      },
    });
  }
  // Policies, Services and EndpointSlices are real manifests: they go through the normalizer like any source's.
  [...scenario.policies, ...scenario.services, ...scenario.endpointSlices].forEach((manifest, documentIndex) => {
    const r = normalizeObject(manifest);
    if (r.ok) store.upsert(r.object);
    else errors.push({ code: r.code, message: r.message, where: { file: 'lib/demo/scenario.ts', documentIndex } });
  });
  return { snapshot: store.snapshot(), errors };
}

export class DemoSource implements ClusterSource {
  private loaded: { snapshot: ClusterSnapshot; errors: SourceError[] } | undefined;
  private startedAt: number | undefined;

  constructor(private readonly scenario: DemoScenario = demoScenario()) {}

  async start(): Promise<void> {
    this.loaded = demoSnapshot(this.scenario);
    this.startedAt = Date.now();
  }

  async stop(): Promise<void> {}

  snapshot(): ClusterSnapshot {
    this.loaded ??= demoSnapshot(this.scenario);
    return this.loaded.snapshot;
  }

  /** The demo never changes; the listener is accepted so callers need not special-case it. */
  onChange(_listener: SnapshotListener): () => void {
    return () => {};
  }

  status(): ClusterSourceStatus {
    return { kind: 'demo', lastSyncAt: this.startedAt, stale: false, errors: [...(this.loaded?.errors ?? [])] };
  }
}
