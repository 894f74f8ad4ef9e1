import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { demoAzureSnapshot } from '../azure/demo';
import { computeFindings } from './findings';
import { ObservedConnections } from './observed-connections';
import { FlowSummary } from './flow-summary';
import { demoFlows } from './testing/demo-flows';
import { cluster, cnp, np, type PodSpec } from '../policy-engine/testing/cluster-fixture';
import { PolicyEngine } from '../policy-engine/engine';
import type { Finding } from './finding';

const scenario = demoScenario();
const { snapshot } = demoSnapshot(scenario);
const records = demoFlows(scenario);
const flows = new FlowSummary().addAll(records).snapshot();
const connections = new ObservedConnections().addAll(records).snapshot().connections;
const findings = computeFindings({ snapshot, flows });
const byKey = new Map(findings.map((f) => [f.key, f]));
const get = (key: string): Finding => {
  const f = byKey.get(key);
  if (!f) throw new Error(`no finding ${key}; have ${[...byKey.keys()].join(', ')}`);
  return f;
};

describe('findings on the demo scenario', () => {
  it('legacy is unprotected (high) and so is kube-system (medium: platform add-ons)', () => {
    expect(get('unprotected-namespace:legacy')).toMatchObject({ severity: 'high', namespace: 'legacy' });
    expect(get('unprotected-namespace:kube-system')).toMatchObject({ severity: 'medium' });
    expect(findings.filter((f) => f.id === 'unprotected-namespace').map((f) => f.namespace).sort()).toEqual(['kube-system', 'legacy']);
    const fix = parse(get('unprotected-namespace:legacy').fix.yaml!.split('---\n')[0]);
    expect(fix).toEqual({ apiVersion: 'networking.k8s.io/v1', kind: 'NetworkPolicy', metadata: { name: 'default-deny-all', namespace: 'legacy' }, spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] } });
  });

  it('payments: DNS egress missing (policy and observed drops), and no default deny for ingress', () => {
    const dns = get('dns-egress-missing:payments');
    expect(dns.severity).toBe('high');
    expect(dns.objects.map((o) => o.name).sort()).toEqual(['payments-api', 'payments-worker']);
    const dropEvidence = dns.evidence.find((e) => e.flowCount);
    expect(dropEvidence?.flowCount).toBe(3); // 2 payments-api pods + 1 worker pod sent a dropped DNS flow
    expect(dropEvidence?.flowUuids?.every((u) => u.startsWith('demo-payments'))).toBe(true);
    const fix = parse(dns.fix.yaml!);
    expect(fix.spec.egress[0].ports).toEqual([{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 53 }]);
    expect(get('no-default-deny:payments:ingress')).toMatchObject({ severity: 'medium' });
    expect(byKey.has('no-default-deny:payments:egress')).toBe(false);
    // production/postgres is egress-isolated by default-deny-all with no DNS rule: a gap, but no drops seen.
    expect(get('dns-egress-missing:production')).toMatchObject({ severity: 'medium', objects: [{ kind: 'StatefulSet', namespace: 'production', name: 'postgres' }] });
    expect([...byKey.keys()].filter((k) => k.startsWith('dns-egress-missing')).sort()).toEqual(['dns-egress-missing:payments', 'dns-egress-missing:production']);
  });

  it('legacy workloads have open egress, worse because flows to the internet were observed', () => {
    const app = get('open-egress:legacy/legacy-app');
    expect(app.severity).toBe('high');
    expect(app.evidence.find((e) => e.flowCount)?.text).toContain('api.github.com');
    expect(get('open-egress:legacy/legacy-cron').evidence.some((e) => e.text.includes('pastebin.com'))).toBe(true);
    const allowlist = parse(app.fix.yaml!);
    expect(allowlist.spec.egress[1].toFQDNs).toEqual([{ matchName: 'api.github.com' }, { matchName: 'pypi.org' }]);
    // Locked-down workloads have no open-egress finding; the FQDN-only api-server neither.
    for (const w of ['production/frontend', 'production/api-server', 'production/postgres', 'payments/payments-api', 'ingress-nginx/ingress-nginx-controller']) expect(byKey.has(`open-egress:${w}`)).toBe(false);
  });

  it('open-egress on the demo network: the firewall lets any .com out, so it stays high; it also says what the firewall denied', () => {
    const withAzure = computeFindings({ snapshot, flows, connections, azure: demoAzureSnapshot() });
    const app = withAzure.find((f) => f.key === 'open-egress:legacy/legacy-app')!;
    expect(app.severity).toBe('high');
    expect(app.title).toMatch(/and did: api\.github\.com .*Azure Firewall denied pypi\.org/);
    // The restricting / NAT / NSG / route cases are in azure-open-egress.test.ts.
  });

  it('monitoring: AUDIT flows become audit-would-deny findings naming the audit-mode policy', () => {
    const grafana = get('audit-would-deny:monitoring/grafana->world:grafana.com:443/TCP');
    expect(grafana.objects).toContainEqual({ kind: 'CiliumNetworkPolicy', namespace: 'monitoring', name: 'monitoring-egress-lockdown' });
    expect(grafana.evidence[0].flowCount).toBe(1);
    expect(get('audit-would-deny:monitoring/prometheus->kube-system/metrics-server:4443/TCP').severity).toBe('medium');
  });

  it('is ordered most severe first', () => {
    const order = findings.map((f) => ['critical', 'high', 'medium', 'low', 'info'].indexOf(f.severity));
    expect(order).toEqual([...order].sort((a, b) => a - b));
  });
});

describe('findings on small clusters', () => {
  const pods: PodSpec[] = [
    { ns: 'app', name: 'web', labels: { app: 'web' }, ip: '10.0.0.1' },
    { ns: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.0.0.53' },
  ];
  it('dns-egress-too-broad: port 53 to any destination', () => {
    const wide = np('app', 'dns-anywhere', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }] }] });
    const f = computeFindings({ snapshot: cluster({ pods, policies: [wide] }) });
    expect(f.find((x) => x.id === 'dns-egress-too-broad')).toMatchObject({ key: 'dns-egress-too-broad:app/dns-anywhere:0', severity: 'medium' });
    const scoped = np('app', 'dns-scoped', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ namespaceSelector: {}, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] }] });
    expect(computeFindings({ snapshot: cluster({ pods, policies: [scoped] }) }).some((x) => x.id === 'dns-egress-too-broad')).toBe(false);
  });

  it('policy-selects-nothing: a label typo', () => {
    const typo = cnp('app', 'protect-web', { endpointSelector: { matchLabels: { app: 'wbe' } }, ingress: [{}] });
    const f = computeFindings({ snapshot: cluster({ pods, policies: [typo] }) });
    expect(f.find((x) => x.id === 'policy-selects-nothing')).toMatchObject({ key: 'policy-selects-nothing:app/protect-web', severity: 'medium' });
    expect(f.find((x) => x.key === 'unprotected-namespace:app')).toBeDefined();
  });

  it('open-egress names the rule that allows 0.0.0.0/0', () => {
    const open = np('app', 'egress-anywhere', { podSelector: {}, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] });
    const engine = new PolicyEngine(cluster({ pods, policies: [open] }));
    const f = computeFindings({ snapshot: cluster({ pods, policies: [open] }), engine }).find((x) => x.key === 'open-egress:app/web');
    expect(f?.severity).toBe('medium');
    expect(f?.evidence[0].text).toContain('NetworkPolicy app/egress-anywhere egress[0]');
  });
});

describe('generated fixes are checked by the engine (issue 16, item 12)', () => {
  // With the connections seen in the demo's flows: a fix must keep that traffic running.
  const checked = computeFindings({ snapshot, flows, connections });
  const at = (key: string) => checked.find((f) => f.key === key)!;

  it('every manifest fix carries its check, and a withheld fix carries no YAML', () => {
    for (const f of checked) {
      if (f.fix.yaml) expect(f.fix.check?.status, f.key).toMatch(/verified|narrowed/);
      if (f.fix.check?.status === 'refused') expect(f.fix.yaml, f.key).toBeUndefined();
    }
  });

  it('DNS fixes select only the affected workloads (kubernetes.io Network Policies: a policy with Egress isolates every pod it selects)', () => {
    const payments = parse(at('dns-egress-missing:payments').fix.yaml!);
    expect(payments.spec.podSelector).toEqual({ matchExpressions: [{ key: 'app', operator: 'In', values: ['payments-api', 'payments-worker'] }] });
    expect(parse(at('dns-egress-missing:production').fix.yaml!).spec.podSelector).toEqual({ matchLabels: { app: 'postgres', tier: 'data' } });
    expect(at('dns-egress-missing:production').fix.check).toMatchObject({ status: 'verified', stops: { count: 0 } });
  });

  it('default deny for legacy would stop traffic seen today: withheld, naming the connections', () => {
    const f = at('unprotected-namespace:legacy');
    expect(f.fix.yaml).toBeUndefined();
    expect(f.fix.check?.status).toBe('refused');
    expect(f.fix.text).toMatch(/Not shown: applied as generated it would stop traffic seen today \(legacy\/legacy-app -> payments\/payments-api:8443\/TCP \(seen in flows\)/);
    // The kube-system one would have cut DNS for the whole cluster.
    expect(at('unprotected-namespace:kube-system').fix.check?.spared.map((s) => s.connection)).toContain('production/frontend -> kube-system/coredns:53/UDP (seen in flows)');
  });

  it('default deny ingress for payments is narrowed to payments-worker: payments-api receives traffic seen today', () => {
    const f = at('no-default-deny:payments:ingress');
    expect(f.fix.check?.status).toBe('narrowed');
    expect(parse(f.fix.yaml!).spec.podSelector).toEqual({ matchLabels: { app: 'payments-worker' } });
    expect(f.fix.text).toMatch(/payments\/payments-api is left out because the fix would stop traffic seen today/);
  });

  it("legacy-app's egress allow-list keeps its observed in-cluster path and stops the rest on purpose", () => {
    const f = at('open-egress:legacy/legacy-app');
    expect(f.fix.check?.status).toBe('verified');
    const egress = parse(f.fix.yaml!).spec.egress;
    expect(egress).toContainEqual({ toFQDNs: [{ matchName: 'api.github.com' }, { matchName: 'pypi.org' }], toPorts: [{ ports: [{ port: '443', protocol: 'TCP' }] }] });
    expect(egress).toContainEqual({ toEndpoints: [{ matchLabels: { 'k8s:io.kubernetes.pod.namespace': 'payments', app: 'payments-api' } }], toPorts: [{ ports: [{ port: '8443', protocol: 'TCP' }] }] });
    expect(f.fix.check!.stops.count).toBeGreaterThan(0);
  });

  it('on the kubernetes datapath the allow-list is a NetworkPolicy with the addresses seen (no toFQDNs there)', () => {
    const engine = new PolicyEngine(snapshot, { dns: flows.dnsAnswers, datapath: 'kubernetes' });
    const f = computeFindings({ snapshot, engine, flows, connections }).find((x) => x.key === 'open-egress:legacy/legacy-cron')!;
    const policy = parse(f.fix.yaml!);
    expect(policy.kind).toBe('NetworkPolicy');
    expect(policy.spec.egress).toContainEqual({ to: [{ ipBlock: { cidr: '104.20.67.143/32' } }, { ipBlock: { cidr: '204.79.197.219/32' } }], ports: [{ protocol: 'TCP', port: 443 }] });
    expect(f.fix.check?.status).toBe('verified');
  });

  it('a fix never takes the name of an existing policy (kubectl apply would replace that policy)', () => {
    const pods: PodSpec[] = [
      { ns: 'app', name: 'web', labels: { app: 'web' }, ip: '10.0.0.1' },
      { ns: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.0.0.53', ports: [{ containerPort: 53, protocol: 'UDP' }] },
    ];
    const taken = np('app', 'allow-dns-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '10.9.0.0/16' } }] }] });
    const f = computeFindings({ snapshot: cluster({ pods, policies: [taken] }) }).find((x) => x.key === 'dns-egress-missing:app')!;
    expect(parse(f.fix.yaml!).metadata).toEqual({ name: 'allow-dns-egress-2', namespace: 'app' });
    expect(f.fix.check?.status).toBe('verified');
  });

  it('dns-egress-too-broad: the fix is the policy with port 53 sent to kube-dns only, checked to close 8.8.8.8:53 and keep kube-dns', () => {
    const pods: PodSpec[] = [
      { ns: 'app', name: 'web', labels: { app: 'web' }, ip: '10.0.0.1' },
      { ns: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.0.0.53', ports: [{ containerPort: 53, protocol: 'UDP' }] },
    ];
    const wide = np('app', 'dns-anywhere', { podSelector: {}, policyTypes: ['Egress'], egress: [{ ports: [{ protocol: 'UDP', port: 53 }, { protocol: 'TCP', port: 443 }] }] });
    const f = computeFindings({ snapshot: cluster({ pods, policies: [wide] }) }).find((x) => x.id === 'dns-egress-too-broad')!;
    expect(f.fix.check?.status).toBe('verified');
    const edited = parse(f.fix.yaml!);
    expect(edited.metadata).toEqual({ name: 'dns-anywhere', namespace: 'app' });
    expect(edited.spec.egress).toEqual([
      { ports: [{ protocol: 'TCP', port: 443 }] },
      { to: [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' } }, podSelector: { matchLabels: { 'k8s-app': 'kube-dns' } } }], ports: [{ protocol: 'UDP', port: 53 }] },
    ]);
    expect(f.fix.check!.stops.examples).toContain('app/web -> world (8.8.8.8):53/UDP');
  });
});

describe('legacy-policy-engine (issue 16, item 13: every finding kind has a producer)', () => {
  const npm: PodSpec = { ns: 'kube-system', name: 'azure-npm-abcde', labels: { 'k8s-app': 'azure-npm' }, ip: '10.224.0.4', hostNetwork: true };
  const web: PodSpec = { ns: 'app', name: 'web', labels: { app: 'web' }, ip: '10.244.0.5' };

  it('Azure NPM pods (npm/azure-npm.yaml: label k8s-app=azure-npm in kube-system) raise it', () => {
    const f = computeFindings({ snapshot: cluster({ pods: [npm, web] }) }).find((x) => x.id === 'legacy-policy-engine');
    expect(f).toMatchObject({ key: 'legacy-policy-engine:azure-npm', severity: 'medium', fix: { commands: ['az aks update -g <resource-group> -n <cluster> --network-dataplane cilium'] } });
  });

  it('with Cilium policies it is high: NPM enforces none of them', () => {
    const p = cnp('app', 'web-l7', { endpointSelector: { matchLabels: { app: 'web' } }, ingress: [{}] });
    const f = computeFindings({ snapshot: cluster({ pods: [npm, web], policies: [p] }) }).find((x) => x.id === 'legacy-policy-engine');
    expect(f?.severity).toBe('high');
    expect(f?.evidence[1].text).toMatch(/CiliumNetworkPolicy app\/web-l7 are not enforced by Azure NPM/);
  });

  it('is not raised without NPM pods (a pod merely named azure-npm is not enough)', () => {
    const lookalike: PodSpec = { ns: 'default', name: 'azure-npm', labels: { app: 'azure-npm' }, ip: '10.244.0.9' };
    expect(computeFindings({ snapshot: cluster({ pods: [lookalike, web] }) }).some((x) => x.id === 'legacy-policy-engine')).toBe(false);
  });
});
