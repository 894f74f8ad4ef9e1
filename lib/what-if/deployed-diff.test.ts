/**
 * deployedDiff: the deployed policies of a namespace compared with its observed traffic. Verdicts
 * follow kubernetes.io "Network Policies" (a pod no policy selects for a direction is non-isolated
 * and allows everything that way; an isolated pod allows only what some rule allows; an empty
 * podSelector selects every pod of the namespace, a namespaceSelector alone admits every pod of the
 * matching namespaces) and docs.cilium.io "Policy Language" (an egress section makes the endpoint
 * default-deny for egress; audit mode reports what would be denied). The demo's traffic is lib/demo's.
 */

import { describe, expect, it } from 'vitest';
import { FlowGenerator } from '../demo/flow-generator';
import { demoScenario } from '../demo/scenario';
import { demoSnapshot } from '../k8s/demo-source';
import { cluster, np } from '../policy-engine/testing/cluster-fixture';
import { flow } from '../testing/flow-fixtures';
import { deployedDiff } from './deployed-diff';
import { foldFlows } from './observed-traffic';

const { snapshot: demo } = demoSnapshot();
const flows = new FlowGenerator(demoScenario(), 7).generate(3_000, 1_795_000_000_000, 100);
const traffic = foldFlows(flows, { since: null, until: null });
const requests = (pred: (f: (typeof flows)[number]) => boolean) => flows.filter((f) => !f.isReply && pred(f)).length;

describe('deployedDiff over the demo', () => {
  it('production: allow-prometheus-scrape is broader than needed (grafana could reach production on 9090/9187, and never did)', () => {
    const d = deployedDiff(demo, traffic, 'production');
    expect(d.checked.truncated).toBe(false);
    expect(d.checked.pairs).toBeGreaterThan(50);
    expect(d.broader.map((b) => b.rule)).toEqual(['NetworkPolicy production/allow-prometheus-scrape ingress rule 0']);
    const scrape = d.broader[0];
    expect(scrape.ref).toMatchObject({ kind: 'NetworkPolicy', namespace: 'production', name: 'allow-prometheus-scrape', section: 'ingress', rule: 0 });
    expect(scrape.unneeded).toBe(3);
    expect(scrape.examples.every((e) => e.startsWith('monitoring/grafana-'))).toBe(true);
    expect(scrape.examples.map((e) => e.replace(/^.* -> /, '').replace(/-[a-z0-9]+-[a-z0-9]{5}:/, ':').replace(/-0:/, ':')).sort()).toEqual([
      'production/api-server:9090/TCP',
      'production/frontend:9090/TCP',
      'production/postgres:9187/TCP',
    ]);
    // Prometheus did use it: counted, with its flows.
    expect(scrape.usedConnections).toBeGreaterThan(0);
    expect(scrape.usedFlows).toBe(requests((f) => f.source.workloads[0]?.name === 'prometheus' && f.destination.namespace === 'production'));
    // Every production allow rule admitted something in the window.
    expect(d.unused).toEqual([]);
  });

  it('production: the observed paths no rule covers are the ones denied today', () => {
    const d = deployedDiff(demo, traffic, 'production');
    expect(d.uncovered.map((u) => [u.direction, u.status, u.workload, u.path])).toEqual([
      ['ingress', 'denied', 'production/postgres', 'legacy/legacy-app -> production/postgres:5432/TCP'],
      ['ingress', 'denied', 'production/api-server', 'legacy/legacy-app -> production/api-server:8080/TCP'],
      ['egress', 'denied', 'production/frontend', 'production/frontend -> production/postgres:5432/TCP'],
      ['ingress', 'denied', 'production/postgres', 'production/frontend -> production/postgres:5432/TCP'],
    ]);
    expect(d.uncovered[0].flows).toBe(requests((f) => f.source.namespace === 'legacy' && f.destination.port === 5432));
    // Most flows first.
    for (let i = 1; i < d.uncovered.length; i++) expect(d.uncovered[i - 1].flows).toBeGreaterThanOrEqual(d.uncovered[i].flows);
  });

  it('legacy: no policy, so everything observed is allowed by default and nothing is broader or unused', () => {
    const d = deployedDiff(demo, traffic, 'legacy');
    expect(d.broader).toEqual([]);
    expect(d.unused).toEqual([]);
    expect(d.uncovered.length).toBe(8);
    expect(d.uncovered.every((u) => u.status === 'allowed-by-default')).toBe(true);
    expect(d.uncovered.map((u) => `${u.direction} ${u.path}`).sort()).toEqual(
      [
        'egress legacy/legacy-app -> kube-system/coredns:53/UDP',
        'egress legacy/legacy-cron -> legacy/legacy-app:8080/TCP',
        'ingress legacy/legacy-cron -> legacy/legacy-app:8080/TCP',
        'egress legacy/legacy-app -> payments/payments-api:8443/TCP',
        'egress legacy/legacy-app -> api.github.com:443/TCP',
        'egress legacy/legacy-app -> pypi.org:443/TCP',
        'egress legacy/legacy-cron -> mcr.microsoft.com:443/TCP',
        'egress legacy/legacy-cron -> pastebin.com:443/TCP',
      ].sort(),
    );
    // Dropped today (at production's ingress): legacy's own egress allowed it, but nothing passed, so it is not listed.
    expect(d.uncovered.some((u) => u.path.includes('production/'))).toBe(false);
    const dns = d.uncovered.find((u) => u.path.includes('coredns'))!;
    expect(dns).toMatchObject({ workload: 'legacy/legacy-app', flows: requests((f) => f.source.namespace === 'legacy' && f.destination.port === 53) });
  });

  it('monitoring: the audit-mode lockdown leaves audit paths uncovered and is broader toward production than prometheus needs', () => {
    const d = deployedDiff(demo, traffic, 'monitoring');
    expect(d.uncovered.map((u) => [u.direction, u.status, u.workload, u.path])).toEqual([
      // Audit mode: they pass today and would be denied once the lockdown is enforced.
      ['egress', 'audit', 'monitoring/prometheus', 'monitoring/prometheus -> kube-system/metrics-server:4443/TCP'],
      ['egress', 'audit', 'monitoring/grafana', 'monitoring/grafana -> grafana.com:443/TCP'],
    ]);
    expect(d.broader.map((b) => [b.rule, b.unneeded])).toEqual([['CiliumNetworkPolicy monitoring/monitoring-egress-lockdown egress rule 1', 3]]);
    expect(d.broader[0].examples.every((e) => e.startsWith('monitoring/grafana-'))).toBe(true);
    // The DNS rule is needed by every workload: never counted as broader.
    expect(d.broader.some((b) => b.rule.endsWith('egress rule 0'))).toBe(false);
  });
});

describe('deployedDiff on a small cluster', () => {
  const snapshot = cluster({
    pods: [
      { ns: 'shop', name: 'api-0', labels: { app: 'api' }, ip: '10.0.0.1', ports: [{ containerPort: 80, protocol: 'TCP' }] },
      { ns: 'shop', name: 'web-0', labels: { app: 'web' }, ip: '10.0.0.2' },
      { ns: 'shop', name: 'batch-0', labels: { app: 'batch' }, ip: '10.0.0.3' },
    ],
    policies: [
      np('shop', 'api-ingress', {
        podSelector: { matchLabels: { app: 'api' } },
        policyTypes: ['Ingress'],
        ingress: [
          { from: [{ podSelector: { matchLabels: { app: 'batch' } } }], ports: [{ protocol: 'TCP', port: 80 }] },
          { from: [{ podSelector: { matchLabels: { app: 'web' } } }], ports: [{ protocol: 'TCP', port: 80 }] },
        ],
      }),
    ],
  });
  const ep = (name: string, app: string, ip: string, port = 0) => ({ ip, port, identity: 20000, namespace: 'shop', pod: name, labels: [`k8s:app=${app}`, 'k8s:io.kubernetes.pod.namespace=shop'], workloads: [], names: [], service: '', cluster: '' });
  const t = foldFlows(
    [1, 2, 3].map((i) => flow(ep('web-0', 'web', '10.0.0.2'), ep('api-0', 'api', '10.0.0.1', 80), { time: 1_795_000_000_000 + i, uuid: `w${i}` })),
    { since: null, until: null },
  );

  it('a rule no flow used is unused, and broader for the paths it admits', () => {
    const d = deployedDiff(snapshot, t, 'shop');
    expect(d.unused.map((u) => u.rule)).toEqual(['NetworkPolicy shop/api-ingress ingress rule 0']);
    expect(d.broader.map((b) => [b.rule, b.unneeded, b.examples])).toEqual([['NetworkPolicy shop/api-ingress ingress rule 0', 1, ['shop/batch-0 -> shop/api-0:80/TCP']]]);
    // The rule web's flows used is neither.
    expect([...d.unused, ...d.broader].some((u) => u.rule.endsWith('rule 1'))).toBe(false);
    // web's egress is not isolated: its observed flows are uncovered on that side only.
    expect(d.uncovered.map((u) => [u.direction, u.status, u.path, u.flows])).toEqual([['egress', 'allowed-by-default', 'shop/web-0 -> shop/api-0:80/TCP', 3]]);
  });
});

describe('deployedDiff for a user who may read only some namespaces', () => {
  it('counts paths to pods of other namespaces but names none of them', () => {
    const { snapshot } = demoSnapshot();
    const flows = new FlowGenerator(demoScenario(), 7).generate(5000, 1_700_000_000_000, 100);
    const traffic = foldFlows(flows, { since: null, until: null });
    const all = deployedDiff(snapshot, traffic, 'production');
    const scoped = deployedDiff(snapshot, traffic, 'production', {}, (ns) => ns === 'production');
    const scrape = (d: typeof all) => d.broader.find((b) => b.rule.includes('allow-prometheus-scrape'))!;
    expect(scrape(all).examples.some((e) => e.startsWith('monitoring/grafana'))).toBe(true);
    // The same rule is broader by the same count, with no example naming monitoring's pods.
    expect(scrape(scoped).unneeded).toBe(scrape(all).unneeded);
    expect(scoped.broader.flatMap((b) => b.examples).filter((e) => e.includes('monitoring/'))).toEqual([]);
  });
});
