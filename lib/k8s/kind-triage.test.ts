import { describe, expect, it } from 'vitest';
import { apiGroupOf, triageUnknownKind } from './kind-triage';

// Issue 16, item 14: kinds Flowsight does not need are skipped; a kind its policy API group does not
// define is an error (Kubernetes API reference: networking.k8s.io/v1 defines NetworkPolicy, Ingress,
// IngressClass, IPAddress, ServiceCIDR; Cilium's cilium.io CRDs).
describe('triageUnknownKind', () => {
  it.each([
    ['ConfigMap', 'v1'],
    ['Secret', 'v1'],
    ['Deployment', 'apps/v1'],
    ['CronJob', 'batch/v1'],
    ['Ingress', 'networking.k8s.io/v1'],
    ['HorizontalPodAutoscaler', 'autoscaling/v2'],
    ['ServiceMonitor', 'monitoring.coreos.com/v1'],
    ['CiliumLoadBalancerIPPool', 'cilium.io/v2alpha1'],
    ['Certificate', 'cert-manager.io/v1'],
  ])('skips %s (%s)', (kind, apiVersion) => {
    expect(triageUnknownKind(kind, apiVersion)).toEqual({ action: 'skip' });
  });

  it.each([
    ['NetworkPolicyy', 'networking.k8s.io/v1', 'NetworkPolicy'],
    ['Networkpolicy', 'networking.k8s.io/v1', 'NetworkPolicy'],
    ['NetworkPolicies', 'networking.k8s.io/v1', 'NetworkPolicy'],
    ['CiliumNetworkPolicies', 'cilium.io/v2', 'CiliumNetworkPolicy'],
    ['CiliumClusterWideNetworkPolicy', 'cilium.io/v2', 'CiliumClusterwideNetworkPolicy'],
    ['Pood', 'v1', 'Pod'],
  ])('refuses %s in %s, suggesting %s', (kind, apiVersion, near) => {
    const t = triageUnknownKind(kind, apiVersion);
    expect(t.action).toBe('error');
    if (t.action === 'error') expect(t.message).toContain(`did you mean ${near}?`);
  });

  it('refuses a kind its group lacks even with no close name, and skips documents without apiVersion', () => {
    expect(triageUnknownKind('Deployment', 'v1').action).toBe('error');
    expect(triageUnknownKind('Anything', undefined).action).toBe('skip');
  });

  it('reads the API group of an apiVersion', () => {
    expect(apiGroupOf('v1')).toBe('');
    expect(apiGroupOf('networking.k8s.io/v1')).toBe('networking.k8s.io');
  });
});
