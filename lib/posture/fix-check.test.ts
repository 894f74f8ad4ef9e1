/**
 * Every generated fix is checked by the engine before it is shown (issue 16, item 12).
 * Semantics the checks rely on:
 * - kubernetes.io, Network Policies, "Isolated and Non-isolated Pods": a pod is isolated for egress as soon
 *   as one policy with Egress in policyTypes selects it, so a DNS "allow" selecting a non-isolated pod denies
 *   everything else it sends.
 * - `kubectl apply` replaces an object with the same kind, namespace and name (kubernetes.io, "Declarative
 *   Management of Kubernetes Objects Using Configuration Files").
 */

import { describe, expect, it } from 'vitest';
import type { ClusterSnapshot } from '../k8s/types';
import { PolicyEngine } from '../policy-engine/engine';
import { allowOnlyIntent, defaultDenyIntent, egressAllowlistIntent, FixChecker, FIX_CHECK_LIMITS } from './fix-check';
import { defaultDenyPolicy, dnsEgressPolicy, egressAllowlistPolicy, withSelector } from './fix-manifests';
import type { ObservedConnection } from './observed-connections';
import { cluster, np, type PodSpec } from '../policy-engine/testing/cluster-fixture';

const PODS: PodSpec[] = [
  { ns: 'app', name: 'web', labels: { app: 'web' }, ip: '10.244.0.10', ports: [{ containerPort: 8080, protocol: 'TCP' }] },
  { ns: 'app', name: 'worker', labels: { app: 'worker' }, ip: '10.244.0.11' },
  { ns: 'app', name: 'api', labels: { app: 'api' }, ip: '10.244.0.12', ports: [{ containerPort: 9000, protocol: 'TCP' }] },
  { ns: 'kube-system', name: 'coredns', labels: { 'k8s-app': 'kube-dns' }, ip: '10.244.0.53', ports: [{ containerPort: 53, protocol: 'UDP' }, { containerPort: 53, protocol: 'TCP' }] },
];

/** Pods without a controller: each pod is its own workload (`app/web`, ...). web is egress-isolated (only to api:9000, no DNS); worker and api are not isolated. */
const WEB_EGRESS = np('app', 'web-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 9000 }] }] });

/** The engine as on AKS with Azure CNI powered by Cilium: CiliumNetworkPolicy fixes are enforced. */
function checker(snapshot: ClusterSnapshot, datapath: 'cilium' | 'kubernetes' = 'cilium') {
  return new FixChecker(snapshot, new PolicyEngine(snapshot, { datapath }));
}

const observed = (from: string, to: string | { ip: string; name?: string }, port: number, protocol = 'TCP'): ObservedConnection => {
  const pod = (key: string) => {
    const [namespace, name] = key.split('/');
    return { kind: 'pod' as const, namespace, workload: name, pod: name };
  };
  return {
    source: pod(from),
    destination: typeof to === 'string' ? pod(to) : { kind: 'world', ...to },
    port,
    protocol,
    passed: 3,
    dropped: 0,
    sampleUuids: ['u1'],
    firstSeen: 1,
    lastSeen: 2,
  };
};

describe('FixChecker', () => {
  const snapshot = cluster({ pods: PODS, policies: [WEB_EGRESS] });
  const noFlows = { observed: [], dns: {} };

  it('a DNS fix selecting every pod would isolate worker and api for egress: narrowed to the affected workload (web)', () => {
    const r = checker(snapshot).check([dnsEgressPolicy('app')], allowOnlyIntent(['app/web']), noFlows);
    expect(r.check.status).toBe('narrowed');
    expect(r.manifests).toEqual([expect.objectContaining({ spec: expect.objectContaining({ podSelector: { matchLabels: { app: 'web' } } }) })]);
    expect(r.check.summary).toMatch(/^Narrowed to app\/web: as generated it would also have changed app\/worker, app\/api/);
    expect(r.check.spared.map((s) => s.workload)).toEqual(expect.arrayContaining(['app/worker', 'app/api']));
  });

  it('keeps at most FIX_CHECK_LIMITS.engines compiled fix engines, dropping the least recently used', () => {
    const c = checker(snapshot);
    const dns = (i: number) => {
      const m = dnsEgressPolicy('app');
      (m.metadata as { name: string }).name = `allow-dns-${i}`;
      return withSelector(m, { matchLabels: { app: 'web' } });
    };
    const results = Array.from({ length: FIX_CHECK_LIMITS.engines + 16 }, (_, i) => c.check([dns(i)], allowOnlyIntent(['app/web']), noFlows));
    expect(c.enginesHeld).toBe(FIX_CHECK_LIMITS.engines);
    // Each was checked on its own engine all the same.
    expect(new Set(results.map((r) => r.check.status))).toEqual(new Set(['verified']));
  });

  it('the DNS fix scoped to the affected workload is verified and does what it is for', () => {
    const target = { from: { pod: 'app/web' }, to: { pod: 'kube-system/coredns' }, port: 53, protocol: 'UDP' as const, expect: 'allowed' as const, label: 'web -> kube-dns:53/UDP' };
    const r = checker(snapshot).check([dnsEgressPolicy('app', { matchLabels: { app: 'web' } })], allowOnlyIntent(['app/web'], [target]), noFlows);
    expect(r.check).toMatchObject({ status: 'verified', stops: { count: 0 }, spared: [] });
    expect(r.check.checked.pairs).toBeGreaterThan(0);
  });

  it('a fix that misses its purpose is withheld: DNS to the wrong namespace leaves kube-dns denied', () => {
    const wrong = dnsEgressPolicy('app', { matchLabels: { app: 'web' } });
    (wrong.spec as { egress: { to: unknown[] }[] }).egress[0].to = [{ namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'dns' } } }];
    const target = { from: { pod: 'app/web' }, to: { pod: 'kube-system/coredns' }, port: 53, protocol: 'UDP' as const, expect: 'allowed' as const, label: 'app/web -> kube-dns:53/UDP' };
    const r = checker(snapshot).check([wrong], allowOnlyIntent(['app/web'], [target]), noFlows);
    expect(r.manifests).toBeUndefined();
    expect(r.check).toMatchObject({ status: 'refused', summary: 'Not shown: it would not achieve its purpose: app/web -> kube-dns:53/UDP would stay denied' });
  });

  it('default deny stops unobserved connections on purpose, but never observed traffic: the workload with traffic is left out', () => {
    const ingressDeny = defaultDenyPolicy('app', ['Ingress']);
    const seen = [observed('app/web', 'app/api', 9000)];
    const r = checker(snapshot).check([ingressDeny], defaultDenyIntent(['app/web', 'app/worker', 'app/api'], ['ingress']), { observed: seen, dns: {} });
    expect(r.check.status).toBe('narrowed');
    // api receives observed traffic, so it stays out; web and worker are isolated (key `app` tells them apart).
    expect(r.manifests![0]).toMatchObject({ spec: { podSelector: { matchExpressions: [{ key: 'app', operator: 'In', values: ['web', 'worker'] }] } } });
    expect(r.check.summary).toMatch(/app\/api is left out because the fix would stop traffic seen today: app\/web -> app\/api:9000\/TCP \(seen in flows\)/);
    expect(r.check.stops.count).toBeGreaterThan(0);
    expect(r.check.stops.examples.some((e) => e.includes('-> app/web:8080/TCP'))).toBe(true);
  });

  it('default deny: a workload whose observed traffic would stop is left out; one whose traffic survives stays in', () => {
    // web -> api:9000 is observed: denying api's ingress would stop it, web's own egress already allows it.
    const seen = [observed('app/web', 'app/api', 9000), observed('app/api', { ip: '140.82.121.6', name: 'api.github.com' }, 443), observed('app/worker', 'app/api', 9000)];
    const r = checker(snapshot).check([defaultDenyPolicy('app')], defaultDenyIntent(['app/web', 'app/worker', 'app/api'], ['ingress', 'egress']), { observed: seen, dns: {} });
    expect(r.check.status).toBe('narrowed');
    expect(r.manifests![0]).toMatchObject({ spec: { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Ingress', 'Egress'] } });
    expect(r.check.spared.map((s) => [s.workload, s.connection])).toEqual([
      ['app/api', 'app/web -> app/api:9000/TCP (seen in flows)'],
      ['app/worker', 'app/worker -> app/api:9000/TCP (seen in flows)'],
      ['app/api', 'app/api -> api.github.com:443/TCP (seen in flows)'],
    ]);
  });

  it('default deny where every workload has observed traffic that would stop is refused with the connections', () => {
    const seen = [observed('app/api', { ip: '140.82.121.6', name: 'api.github.com' }, 443), observed('app/worker', 'app/api', 9000), observed('app/api', 'app/web', 8080)];
    const r = checker(snapshot).check([defaultDenyPolicy('app')], defaultDenyIntent(['app/web', 'app/worker', 'app/api'], ['ingress', 'egress']), { observed: seen, dns: {} });
    expect(r.manifests).toBeUndefined();
    expect(r.check.status).toBe('refused');
    expect(r.check.summary).toMatch(/^Not shown: applied as generated it would stop traffic seen today \(.*api\.github\.com:443\/TCP \(seen in flows\)/);
    expect(r.check.spared.every((s) => s.observed)).toBe(true);
  });

  it('a CiliumNetworkPolicy fix on a cluster whose datapath is not Cilium would change nothing: withheld', () => {
    const r = checker(snapshot, 'kubernetes').check([egressAllowlistPolicy('app', 'api', { app: 'api' }, [])], egressAllowlistIntent(['app/api']), noFlows);
    expect(r.check.status).toBe('refused');
    expect(r.check.summary).toMatch(/CiliumNetworkPolicy api-egress-allowlist would have no effect: only Cilium enforces CiliumNetworkPolicy/);
  });

  it('an egress allow-list keeps the observed in-cluster path and stops the rest of the egress on purpose', () => {
    const allowlist = egressAllowlistPolicy('app', 'api', { app: 'api' }, [
      { kind: 'fqdn', name: 'api.github.com', port: 443, protocol: 'TCP' },
      { kind: 'workload', namespace: 'app', labels: { app: 'web' }, port: 8080, protocol: 'TCP' },
    ]);
    const seen = [observed('app/api', 'app/web', 8080), observed('app/api', { ip: '140.82.121.6', name: 'api.github.com' }, 443)];
    const target = { from: { pod: 'app/api' }, to: { ip: '1.1.1.1' }, port: 443, protocol: 'TCP' as const, expect: 'denied' as const, label: 'api -> internet' };
    const r = checker(snapshot).check([allowlist], egressAllowlistIntent(['app/api'], [target]), { observed: seen, dns: { 'api.github.com': ['140.82.121.6'] } });
    expect(r.check.status).toBe('verified');
    expect(r.check.checked.observed).toBe(2);
    expect(r.check.stops.examples).toContain('app/api -> world (1.1.1.1):443/TCP');
  });

  it('the allow-list without the observed in-cluster path is refused: it would break traffic seen today', () => {
    const allowlist = egressAllowlistPolicy('app', 'api', { app: 'api' }, [{ kind: 'fqdn', name: 'api.github.com', port: 443, protocol: 'TCP' }]);
    const r = checker(snapshot).check([allowlist], egressAllowlistIntent(['app/api']), { observed: [observed('app/api', 'app/web', 8080)], dns: {} });
    expect(r.check.status).toBe('refused');
    expect(r.check.spared).toEqual([{ connection: 'app/api -> app/web:8080/TCP (seen in flows)', observed: true, flowCount: 3, workload: 'app/api' }]);
  });

  it('an allow-list that another policy overrides (0.0.0.0/0 egress) does not close anything: withheld', () => {
    const wide = np('app', 'api-anywhere', { podSelector: { matchLabels: { app: 'api' } }, policyTypes: ['Egress'], egress: [{ to: [{ ipBlock: { cidr: '0.0.0.0/0' } }] }] });
    const s = cluster({ pods: PODS, policies: [WEB_EGRESS, wide] });
    const target = { from: { pod: 'app/api' }, to: { ip: '1.1.1.1' }, port: 443, protocol: 'TCP' as const, expect: 'denied' as const, label: 'app/api -> an arbitrary internet address:443/TCP' };
    const r = checker(s).check([egressAllowlistPolicy('app', 'api', { app: 'api' }, [])], egressAllowlistIntent(['app/api'], [target]), noFlows);
    expect(r.check.summary).toBe('Not shown: it would not achieve its purpose: app/api -> an arbitrary internet address:443/TCP would stay allowed');
  });

  it('a fix named like an existing policy replaces it (kubectl apply): losing that policy\'s allows is caught', () => {
    // The namespace already has `allow-dns-egress` - but it is web's only path to api.
    const existing = np('app', 'allow-dns-egress', { podSelector: { matchLabels: { app: 'web' } }, policyTypes: ['Egress'], egress: [{ to: [{ podSelector: { matchLabels: { app: 'api' } } }], ports: [{ protocol: 'TCP', port: 9000 }] }] });
    const s = cluster({ pods: PODS, policies: [existing] });
    const r = checker(s).check([dnsEgressPolicy('app', { matchLabels: { app: 'web' } })], allowOnlyIntent(['app/web']), noFlows);
    expect(r.check.status).toBe('refused');
    expect(r.check.spared.map((x) => x.connection)).toContain('app/web -> app/api:9000/TCP');
  });

  it('a fix that does not compile is withheld with the field', () => {
    const broken = dnsEgressPolicy('app', { matchLabels: { app: 'web' } });
    (broken.spec as { egress: { ports: unknown[] }[] }).egress[0].ports = [{ protocol: 'TCP', port: 'not a port!' }];
    const r = checker(snapshot).check([broken], allowOnlyIntent(['app/web']), noFlows);
    expect(r.check.status).toBe('refused');
    expect(r.check.summary).toMatch(/^Not shown: the fix does not compile or would not be enforced: allow-dns-egress spec\.egress\[0\]\.ports\[0\]/);
  });

  it('remembers results until new connections are observed', () => {
    const c = checker(snapshot);
    const m = [dnsEgressPolicy('app', { matchLabels: { app: 'web' } })];
    const first = c.check(m, allowOnlyIntent(['app/web']), noFlows);
    expect(c.check(m, allowOnlyIntent(['app/web']), { observed: [], dns: {} })).toBe(first);
    expect(c.check(m, allowOnlyIntent(['app/web']), { observed: [observed('app/web', 'app/api', 9000)], dns: {} })).not.toBe(first);
  });

  it('indexes a new list of observed connections in steps, with the same result as in one go', () => {
    // 10,000 connections, none of web's: indexing them is all the work their number adds.
    const many = Array.from({ length: 10_000 }, (_, i) => observed(`app/worker`, { ip: `20.0.${i >> 8}.${i & 255}` }, 443));
    const m = [dnsEgressPolicy('app', { matchLabels: { app: 'web' } })];
    const pausesWith = (list: ObservedConnection[]) => {
      const steps = checker(snapshot).checkSteps(m, allowOnlyIntent(['app/web']), { observed: list, dns: {} });
      for (let pauses = 0; ; pauses++) {
        const r = steps.next();
        if (r.done) return { pauses, result: r.value };
      }
    };
    const few = pausesWith([]);
    const lots = pausesWith(many);
    expect(lots.pauses - few.pauses).toBeGreaterThanOrEqual(4);
    expect(lots.result).toEqual(few.result);
    expect(lots.result).toEqual(checker(snapshot).check(m, allowOnlyIntent(['app/web']), { observed: many, dns: {} }));
  });
});
