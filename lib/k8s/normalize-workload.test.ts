import { describe, expect, it } from 'vitest';
import { parseManifestText } from './parse-manifests';

// Issue 12 (daily workflow), item 4: repositories hold workloads, not pods. Each workload's pod
// template (Kubernetes docs, "Pod templates": controllers create pods from spec.template; a CronJob's
// is spec.jobTemplate.spec.template) becomes the pod the policy engine and the findings see.
const WORKLOADS = `apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web, tier: front}}
    spec:
      containers: [{name: web, ports: [{containerPort: 8080, name: http}]}]
---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db, namespace: shop}
spec:
  template:
    metadata: {labels: {app: db}}
    spec: {containers: [{name: pg, ports: [{containerPort: 5432}]}]}
---
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: kube-system}
spec:
  template:
    metadata: {labels: {app: agent}}
    spec: {hostNetwork: true, containers: [{name: a}]}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: report}
spec:
  schedule: "0 * * * *"
  jobTemplate:
    spec:
      template:
        metadata: {labels: {app: report}}
        spec: {containers: [{name: r, ports: [{containerPort: 9000, protocol: UDP}]}]}
---
apiVersion: apps/v1
kind: Deployment
metadata: {name: broken, namespace: shop}
spec: {replicas: 1}
`;

describe('workloads become the pods of their template', () => {
  const r = parseManifestText(WORKLOADS, 'apps.yaml');
  const pod = (name: string) => r.objects.find((o) => o.kind === 'Pod' && o.value.name === name)?.value;

  it('takes labels, namespace and named ports from the template, with the workload as owner', () => {
    expect(pod('web')).toMatchObject({
      namespace: 'shop',
      labels: { app: 'web', tier: 'front' },
      containerPorts: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
      workload: { kind: 'Deployment', name: 'web' },
      hostNetwork: false,
    });
    expect(pod('web')).not.toHaveProperty('ip');
  });

  it('reads StatefulSets, DaemonSets (hostNetwork kept) and CronJobs (namespace defaults to default)', () => {
    expect(pod('db')).toMatchObject({ labels: { app: 'db' }, workload: { kind: 'StatefulSet', name: 'db' } });
    expect(pod('agent')).toMatchObject({ namespace: 'kube-system', hostNetwork: true });
    expect(pod('report')).toMatchObject({ namespace: 'default', containerPorts: [{ containerPort: 9000, protocol: 'UDP' }], workload: { kind: 'CronJob' } });
  });

  it('a workload without a template is an error naming the object, field and line', () => {
    expect(r.errors).toEqual([{ code: 'invalid-object', message: 'Deployment shop/broken: spec.template is missing', where: { file: 'apps.yaml', documentIndex: 4, line: 38 } }]);
  });
});
