/**
 * What to do with a document of a kind Flowsight does not read. Real repositories are full of
 * ConfigMaps, Secrets, Ingresses and other projects' CRDs: those are skipped and counted. But a
 * typo in a kind of an API group whose objects decide verdicts (`networking.k8s.io/v1
 * NetworkPolicyy`, `cilium.io/v2 CiliumNetworkPolicies`) would silently drop a policy, so there a
 * kind the group does not define is an error.
 */

/** The kinds each group defines (Kubernetes API reference v1.33; Cilium v1.18 CRD list). */
const KINDS_BY_GROUP: Readonly<Record<string, readonly string[]>> = {
  // Core group (apiVersion `v1`): https://kubernetes.io/docs/reference/kubernetes-api/
  '': [
    'Binding', 'ComponentStatus', 'ConfigMap', 'Endpoints', 'Event', 'LimitRange', 'Namespace', 'Node', 'PersistentVolume',
    'PersistentVolumeClaim', 'Pod', 'PodTemplate', 'ReplicationController', 'ResourceQuota', 'Secret', 'Service', 'ServiceAccount',
  ],
  // https://kubernetes.io/docs/reference/kubernetes-api/service-resources/ and policy-resources/network-policy-v1/
  'networking.k8s.io': ['NetworkPolicy', 'Ingress', 'IngressClass', 'IPAddress', 'ServiceCIDR'],
  // https://docs.cilium.io/en/stable/network/kubernetes/ciliumendpoint/ and the cilium.io CRDs Cilium installs
  'cilium.io': [
    'CiliumNetworkPolicy', 'CiliumClusterwideNetworkPolicy', 'CiliumEndpoint', 'CiliumEndpointSlice', 'CiliumIdentity', 'CiliumNode',
    'CiliumNodeConfig', 'CiliumExternalWorkload', 'CiliumLocalRedirectPolicy', 'CiliumEgressGatewayPolicy', 'CiliumEnvoyConfig',
    'CiliumClusterwideEnvoyConfig', 'CiliumCIDRGroup', 'CiliumLoadBalancerIPPool', 'CiliumL2AnnouncementPolicy', 'CiliumPodIPPool',
    'CiliumBGPPeeringPolicy', 'CiliumBGPClusterConfig', 'CiliumBGPPeerConfig', 'CiliumBGPAdvertisement', 'CiliumBGPNodeConfig',
    'CiliumBGPNodeConfigOverride', 'CiliumGatewayClassConfig',
  ],
};

export type KindTriage = { action: 'skip' } | { action: 'error'; message: string };

/** The API group of an apiVersion: `v1` -> '', `networking.k8s.io/v1` -> 'networking.k8s.io'. */
export function apiGroupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

/** Decides for a kind the normalizer does not read; `apiVersion` may be missing (then: skip). */
export function triageUnknownKind(kind: string, apiVersion: string | undefined): KindTriage {
  if (apiVersion === undefined) return { action: 'skip' };
  const group = apiGroupOf(apiVersion);
  const known = KINDS_BY_GROUP[group];
  if (!known || known.includes(kind)) return { action: 'skip' };
  const lower = kind.toLowerCase();
  const singular = lower.endsWith('ies') ? `${lower.slice(0, -3)}y` : lower.replace(/s$/, '');
  const near = known.find((k) => k.toLowerCase() === singular || sameButOne(k, kind));
  return {
    action: 'error',
    message: `${apiVersion} has no kind ${kind}${near ? ` (did you mean ${near}?)` : ''}: a policy here would be ignored`,
  };
}

/** True when the two names differ by one inserted, deleted or changed letter. */
function sameButOne(a: string, b: string): boolean {
  if (Math.abs(a.length - b.length) > 1 || a === b) return false;
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const restA = a.slice(i);
  const restB = b.slice(i);
  return restA.slice(1) === restB.slice(1) || restA.slice(1) === restB || restA === restB.slice(1);
}
