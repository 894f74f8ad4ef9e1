import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ManifestsSource } from '../k8s/manifests-source';
import { PolicyPosture } from './policy-posture';
import { demoAzureSnapshot } from '../azure/demo';
import { RESERVED_IDENTITY, emptyEndpoint, type FlowRecord } from '../flows/flow-record';

const POD = `apiVersion: v1
kind: Pod
metadata: {name: web-1, namespace: shop, labels: {app: web}}
status: {podIP: 10.0.0.4}
`;
const DENY = `---
apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
metadata: {name: default-deny-all, namespace: shop}
spec: {podSelector: {}, policyTypes: [Ingress, Egress]}
`;
const toWorld: FlowRecord = {
  uuid: 'f1', time: 1, verdict: 'FORWARDED', dropReason: '', direction: 'EGRESS', isReply: false, protocol: 'TCP', tcpFlags: [],
  source: { ...emptyEndpoint(), namespace: 'shop', pod: 'web-1', ip: '10.0.0.4' },
  destination: { ...emptyEndpoint(), ip: '1.2.3.4', port: 443, identity: RESERVED_IDENTITY.world, names: ['example.org'] },
  node: '', type: 'L3_L4', eventType: 5, egressAllowedBy: [], ingressAllowedBy: [], egressDeniedBy: [], ingressDeniedBy: [], summary: '',
};

describe('PolicyPosture', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'flowsight-posture-'));
    await writeFile(path.join(dir, 'c.yaml'), POD);
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('recomputes findings when policies change and when flows arrive, not otherwise', async () => {
    const source = new ManifestsSource(dir);
    await source.start();
    // A clock that stands still: computing costs nothing, so new flows are weighed at once.
    const posture = new PolicyPosture(source, { now: () => 0 });
    posture.start();
    let changes = 0;
    posture.onChange(() => changes++);

    const before = posture.findings();
    expect(before.map((f) => f.key)).toEqual(['unprotected-namespace:shop', 'open-egress:shop/web-1']);
    expect(posture.findings()).toBe(before); // cached
    expect(before.find((f) => f.id === 'open-egress')?.severity).toBe('medium');

    posture.addFlows([toWorld]);
    expect(posture.findings().find((f) => f.id === 'open-egress')).toMatchObject({ severity: 'high', evidence: expect.arrayContaining([expect.objectContaining({ flowUuids: ['f1'], flowCount: 1 })]) });
    // With Azure data, findings are recomputed for it (and cached per snapshot); data without this cluster's nodes is said to be so.
    const azure = demoAzureSnapshot();
    const withAzure = posture.findings(azure);
    expect(withAzure).not.toBe(posture.findings());
    expect(posture.findings(azure)).toBe(posture.findings(azure));
    expect(withAzure.find((f) => f.id === 'open-egress')?.evidence[1].text).toMatch(/does not contain this cluster's nodes/);
    // Its fix was checked with the flows seen. No Cilium here (kubernetes datapath): a NetworkPolicy keeping the address seen.
    expect(withAzure.find((f) => f.id === 'open-egress')?.fix).toMatchObject({ check: { status: 'verified' }, yaml: expect.stringContaining('cidr: 1.2.3.4/32') });

    await writeFile(path.join(dir, 'c.yaml'), POD + DENY);
    await source.reload();
    expect(changes).toBe(2);
    // Default deny both ways: no finding (DNS is not judged here: this cluster has no kube-dns pods to reach).
    expect(posture.findings()).toEqual([]);
    expect(posture.scores().namespaces.shop.score).toBe(100);
    posture.stop();
  });

  it('on a cluster where findings take long to compute, new flows refresh them at most once per five times that cost', async () => {
    await writeFile(path.join(dir, 'c.yaml'), POD);
    const source = new ManifestsSource(dir);
    await source.start();
    // Each reading of the clock moves it 1 s on: one recompute "takes" 1 s.
    let t = 0;
    const posture = new PolicyPosture(source, { now: () => (t += 1000) });
    const first = posture.findings();
    posture.addFlows([toWorld]);
    // 1 s old after a 1 s recompute: still current for new flows alone.
    expect(posture.findings()).toBe(first);
    t += 5000;
    const later = posture.findings();
    expect(later).not.toBe(first);
    expect(later.find((f) => f.id === 'open-egress')?.severity).toBe('high');
    // A changed snapshot is never kept waiting.
    await writeFile(path.join(dir, 'c.yaml'), POD + DENY);
    await source.reload();
    expect(posture.findings()).toEqual([]);
  });
});
