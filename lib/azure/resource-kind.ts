/**
 * Recognizes what an ARM / `az -o json` object is from its shape, never from the file it came in:
 * people name their exports anything, and one file may hold `az network nsg list` or `show` output.
 */

export type ResourceKind =
  | 'networkSecurityGroup'
  | 'securityRule'
  | 'virtualNetwork'
  | 'subnet'
  | 'networkInterface'
  | 'routeTable'
  | 'natGateway'
  | 'azureFirewall'
  | 'firewallPolicy'
  | 'ruleCollectionGroup'
  /** Azure's published service tags: `az network list-service-tags`, the Service Tags API, ServiceTags_*.json. */
  | 'serviceTagList'
  /** One entry of such a list (`az network list-service-tags --query values` prints these). */
  | 'serviceTag';

type Json = Record<string, unknown>;

const BY_TYPE: Record<string, ResourceKind> = {
  'microsoft.network/networksecuritygroups': 'networkSecurityGroup',
  'microsoft.network/networksecuritygroups/securityrules': 'securityRule',
  'microsoft.network/networksecuritygroups/defaultsecurityrules': 'securityRule',
  'microsoft.network/virtualnetworks': 'virtualNetwork',
  'microsoft.network/virtualnetworks/subnets': 'subnet',
  'microsoft.network/networkinterfaces': 'networkInterface',
  'microsoft.network/routetables': 'routeTable',
  'microsoft.network/natgateways': 'natGateway',
  'microsoft.network/azurefirewalls': 'azureFirewall',
  'microsoft.network/firewallpolicies': 'firewallPolicy',
  'microsoft.network/firewallpolicies/rulecollectiongroups': 'ruleCollectionGroup',
  'microsoft.network/servicetags': 'serviceTagList',
};

/** ARM wraps most fields in `properties`; the SDK and az print them flattened. Returns the flat view. */
export function unwrapProperties(value: unknown): unknown {
  if (!isObject(value)) return value;
  const props = value.properties;
  const merged: Json = isObject(props) ? { ...withoutKey(value, 'properties'), ...props } : value;
  return normalizeIpCasing(merged);
}

/**
 * ARM REST spells `privateIPAddress`, `hubIPAddresses`; the SDK and az spell `privateIpAddress`.
 * One spelling downstream keeps the schemas single.
 */
function normalizeIpCasing(o: Json): Json {
  let changed = false;
  const out: Json = {};
  for (const [k, v] of Object.entries(o)) {
    const nk = k.replace(/([a-z])IP(?=[A-Z]|s$|$)/g, '$1Ip');
    if (nk !== k) changed = true;
    if (!(nk in out) || out[nk] === undefined || out[nk] === null) out[nk] = v;
  }
  return changed ? out : o;
}

/** What kind of resource `value` is, or undefined when its shape is not one we read. */
export function recognizeResource(value: unknown): ResourceKind | undefined {
  if (!isObject(value)) return undefined;
  const type = typeof value.type === 'string' ? value.type.toLowerCase() : '';
  if (BY_TYPE[type]) return BY_TYPE[type];
  const o = unwrapProperties(value) as Json;
  const has = (k: string) => o[k] !== undefined;
  // The list's `values` (plural) sets it apart from ARM's `{ value: [...] }` pages; the weekly
  // download has no `type` but always a cloud and a change number.
  if (Array.isArray(o.values) && (has('cloud') || has('changeNumber'))) return 'serviceTagList';
  if (Array.isArray(o.addressPrefixes) && typeof o.name === 'string' && !String(o.id ?? '').includes('/') && (has('systemService') || has('region') || has('changeNumber'))) {
    return 'serviceTag';
  }
  if (has('securityRules') || has('defaultSecurityRules')) return 'networkSecurityGroup';
  if (has('priority') && has('direction') && has('access')) return 'securityRule';
  if (has('ruleCollections')) return 'ruleCollectionGroup';
  if (has('networkRuleCollections') || has('applicationRuleCollections') || has('natRuleCollections') || has('hubIpAddresses')) {
    return 'azureFirewall';
  }
  if (has('ruleCollectionGroups') || has('basePolicy') || has('childPolicies')) return 'firewallPolicy';
  if (isObject(o.addressSpace)) return 'virtualNetwork';
  if (Array.isArray(o.routes)) return 'routeTable';
  if ((has('publicIpAddresses') || has('publicIpPrefixes')) && has('idleTimeoutInMinutes')) return 'natGateway';
  if (Array.isArray(o.ipConfigurations) && (has('macAddress') || has('enableIpForwarding') || has('enableAcceleratedNetworking') || has('nicType') || has('virtualMachine'))) {
    return 'networkInterface';
  }
  if ((has('addressPrefix') || has('addressPrefixes')) && typeof o.id === 'string' && /\/subnets\//i.test(o.id)) return 'subnet';
  return byIdPath(typeof o.id === 'string' ? o.id : '');
}

/** Last resort: the resource type spelled in the ARM id (`.../providers/Microsoft.Network/routeTables/x`). */
function byIdPath(id: string): ResourceKind | undefined {
  const m = /\/providers\/(microsoft\.network)\/([^/]+)\/[^/]+(?:\/([^/]+)\/[^/]+)?$/i.exec(id);
  if (!m) return undefined;
  const type = [m[1], m[2], m[3]].filter(Boolean).join('/').toLowerCase();
  return BY_TYPE[type];
}

export function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function withoutKey(o: Json, key: string): Json {
  const { [key]: _omit, ...rest } = o;
  return rest;
}
