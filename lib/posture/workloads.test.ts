import { describe, expect, it } from 'vitest';
import { parseNodeId } from '../graph/graph-ids';
import type { PodEndpoint } from '../policy-engine/endpoint';
import { nodeIdOfWorkload, workloadKey, workloadKeyOfPod, workloadsOf } from './workloads';

let index = 0;
const pod = (namespace: string, name: string, workload?: { kind: string; name: string }): PodEndpoint =>
  ({ kind: 'pod', index: index++, namespace, name, labels: {}, namespaceLabels: {}, ciliumLabels: {}, containerPorts: [], ...(workload ? { workload } : {}) }) as unknown as PodEndpoint;

describe('workload keys and map nodes', () => {
  it('groups pods by controller; a bare pod is its own workload', () => {
    const pods = [pod('shop', 'web-7d9f8c6b5d-aaaaa', { kind: 'Deployment', name: 'web' }), pod('shop', 'web-7d9f8c6b5d-bbbbb', { kind: 'Deployment', name: 'web' }), pod('shop', 'debug-0'), pod('shop', 'debug-1')];
    const ws = workloadsOf(pods);
    expect(ws.map(workloadKey)).toEqual(['shop/web', 'shop/debug-0', 'shop/debug-1']);
    expect(ws[0].pods).toHaveLength(2);
    expect(workloadKeyOfPod(pods[2])).toBe('shop/debug-0');
  });

  it('the map node of a controlled workload is its key; of a bare pod, the stem the graph derives', () => {
    const [web, debug] = workloadsOf([pod('shop', 'web-7d9f8c6b5d-aaaaa', { kind: 'Deployment', name: 'web' }), pod('shop', 'debug-0')]);
    expect(nodeIdOfWorkload(web)).toBe('shop/web');
    expect(nodeIdOfWorkload(debug)).toBe('shop/debug');
    expect(nodeIdOfWorkload({ namespace: 'shop', name: 'none', pods: [] })).toBe('shop/none');
  });

  it('keys are graph node ids and parse back', () => {
    expect(parseNodeId(workloadKey({ namespace: 'kube-system', name: 'coredns' }))).toEqual({ kind: 'workload', namespace: 'kube-system', name: 'coredns' });
  });
});
