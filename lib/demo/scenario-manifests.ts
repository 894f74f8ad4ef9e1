/**
 * A demo scenario as manifest files: what `flowsight demo-relay --write-manifests DIR` writes, so that a
 * separate relay process and `FLOWSIGHT_RELAY=... FLOWSIGHT_MANIFESTS=DIR npm start` describe the same
 * cluster the relay's flows come from. Pods are written as the API server returns them (owner
 * references, node, IP, status), not as Deployments: the manifests source would give a template's pod
 * no address, and the flows need the addresses to match.
 *
 * One multi-document YAML file per namespace (small files: the manifests source parses each in a worker
 * with a heap cap) and one for the nodes; names sort in the scenario's order. Each document is written
 * in YAML's JSON-compatible flow style: the yaml package's block style took 20 s for a 20,000-workload
 * cluster, JSON.stringify well under one, and every YAML reader reads both.
 */

import type { DemoPod, DemoScenario } from './scenario';

export interface ManifestFile {
  /** File name, no directory. */
  name: string;
  text: string;
}

/** The Pod object the API server would return for a demo pod (what normalize.ts reads back into the same pod). */
function podManifest(p: DemoPod): Record<string, unknown> {
  const hash = p.labels['pod-template-hash'];
  const owner = p.workload.kind === 'Deployment' && hash ? { kind: 'ReplicaSet', name: `${p.workload.name}-${hash}` } : { kind: p.workload.kind, name: p.workload.name };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: p.name,
      namespace: p.namespace,
      labels: p.labels,
      ownerReferences: [{ apiVersion: owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet' || owner.kind === 'DaemonSet' ? 'apps/v1' : 'v1', ...owner, controller: true }],
    },
    spec: {
      nodeName: p.node,
      // The demo's flows carry the workload's name as the service account (k8s:io.cilium.k8s.policy.serviceaccount).
      serviceAccountName: p.workload.name,
      containers: [{ name: p.workload.name, ...(p.ports.length ? { ports: p.ports.map((port) => ({ ...port })) } : {}) }],
    },
    status: { phase: 'Running', podIP: p.ip, podIPs: [{ ip: p.ip }] },
  };
}

const documents = (objects: unknown[]): string => objects.map((o) => `---\n${JSON.stringify(o, null, 2)}\n`).join('');

const namespaceOf = (o: Record<string, unknown>): string => ((o.metadata as { namespace?: string } | undefined)?.namespace ?? 'default');

/** The scenario's objects as manifest files: nodes first, then each namespace's Namespace, Pods, Services, EndpointSlices and policies. */
export function scenarioManifestFiles(scenario: DemoScenario): ManifestFile[] {
  const width = String(scenario.namespaces.length).length;
  const files: ManifestFile[] = [
    {
      name: `${'0'.repeat(width)}-nodes.yaml`,
      text: documents(scenario.nodes.map((n) => ({ apiVersion: 'v1', kind: 'Node', metadata: { name: n.name }, status: { addresses: [{ type: 'InternalIP', address: n.ip }] } }))),
    },
  ];
  const byNamespace = new Map<string, unknown[]>(scenario.namespaces.map((ns) => [ns.name, [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns.name, labels: ns.labels } }]]));
  const put = (namespace: string, object: unknown) => {
    let list = byNamespace.get(namespace);
    if (!list) byNamespace.set(namespace, (list = []));
    list.push(object);
  };
  for (const p of scenario.pods) put(p.namespace, podManifest(p));
  for (const o of [...scenario.services, ...scenario.endpointSlices, ...scenario.policies]) put(namespaceOf(o), o);
  let index = 1;
  for (const [namespace, objects] of byNamespace) {
    files.push({ name: `${String(index++).padStart(width, '0')}-${namespace}.yaml`, text: documents(objects) });
  }
  return files;
}
