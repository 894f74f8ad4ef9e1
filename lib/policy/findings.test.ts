import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { computeFindings } from './findings';
import { FlowSummary } from './flow-summary';
import { demoFlows } from './testing/demo-flows';
import { cluster, cnp, np, type PodSpec } from './testing/cluster-fixture';
import { PolicyEngine } from './engine';
import type { Finding } from './finding';

const scenario = demoScenario();
const { snapshot } = demoSnapshot(scenario);
const flows = new FlowSummary().addAll(demoFlows(scenario)).snapshot();
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

  it('a firewall restricting egress lowers open-egress to low', () => {
    const withFirewall = computeFindings({ snapshot, flows, egressFirewall: { restricts: true, name: 'fw-hub' } });
    expect(withFirewall.find((f) => f.key === 'open-egress:legacy/legacy-app')?.severity).toBe('low');
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
