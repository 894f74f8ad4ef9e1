/**
 * zod schemas from ARM JSON (either shape) to the normalized model. One schema per resource kind;
 * each object is parsed on its own so a bad one is reported with its field and skipped alone.
 */

import { z } from 'zod';
import type {
  ApplicationRule,
  AzureFirewall,
  FirewallAction,
  FirewallPolicy,
  FirewallRule,
  FirewallRuleCollection,
  NatGateway,
  NatRule,
  NetworkInterface,
  NetworkRule,
  NetworkSecurityGroup,
  RouteTable,
  RuleCollectionGroup,
  SecurityRule,
  Subnet,
  VirtualNetwork,
} from './types';
import { unwrapProperties, type ResourceKind } from './resource-kind';

const optStr = z
  .string()
  .nullish()
  .transform((v) => (v ? v : undefined));

/** Ports and prefixes: ARM writes strings, hand-written templates sometimes numbers; az writes null for empty. */
const strList = z
  .array(z.union([z.string(), z.number()]).transform(String))
  .nullish()
  .transform((v) => (v ?? []).filter((s) => s !== ''));

const intLike = z.union([z.number().int(), z.string().regex(/^\d+$/, 'expected an integer').transform(Number)]);

const ref = z
  .object({ id: z.string() })
  .loose()
  .nullish()
  .transform((v) => v?.id);

const refList = z
  .array(z.object({ id: z.string() }).loose())
  .nullish()
  .transform((v) => (v ?? []).map((r) => r.id));

/** Accepts the values case-insensitively and returns them spelled as ARM documents them. */
function oneOf<T extends string>(values: readonly T[]) {
  return z.string().transform((s, ctx) => {
    const found = values.find((v) => v.toLowerCase() === s.toLowerCase());
    if (!found) {
      ctx.addIssue({ code: 'custom', message: `expected one of ${values.join(', ')}, got "${s}"` });
      return z.NEVER;
    }
    return found;
  });
}

const flat = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(unwrapProperties, schema);

/** Union of ARM's singular and plural fields (they are exclusive in practice; union is safe either way). */
function merged(single: string | undefined, plural: string[]): string[] {
  return [...(single ? [single] : []), ...plural];
}

function securityRule(isDefault: boolean) {
  return flat(
    z
      .object({
        name: z.string().min(1),
        id: optStr,
        priority: intLike,
        direction: oneOf(['Inbound', 'Outbound'] as const),
        access: oneOf(['Allow', 'Deny'] as const),
        protocol: z.string().min(1),
        sourceAddressPrefix: optStr,
        sourceAddressPrefixes: strList,
        sourcePortRange: optStr,
        sourcePortRanges: strList,
        destinationAddressPrefix: optStr,
        destinationAddressPrefixes: strList,
        destinationPortRange: optStr,
        destinationPortRanges: strList,
        sourceApplicationSecurityGroups: refList,
        destinationApplicationSecurityGroups: refList,
        description: optStr,
      })
      .loose()
      .transform(
        (r): SecurityRule => ({
          name: r.name,
          id: r.id,
          priority: r.priority,
          direction: r.direction,
          access: r.access,
          protocol: r.protocol,
          sourcePrefixes: merged(r.sourceAddressPrefix, r.sourceAddressPrefixes),
          sourcePorts: merged(r.sourcePortRange, r.sourcePortRanges),
          destinationPrefixes: merged(r.destinationAddressPrefix, r.destinationAddressPrefixes),
          destinationPorts: merged(r.destinationPortRange, r.destinationPortRanges),
          sourceAsgIds: r.sourceApplicationSecurityGroups,
          destinationAsgIds: r.destinationApplicationSecurityGroups,
          description: r.description,
          // Listed separately rules carry it in their id; in an NSG it depends on the list they came in.
          isDefault: isDefault || /\/defaultSecurityRules\//i.test(r.id ?? ''),
        }),
      ),
  );
}

const nsgSchema = flat(
  z
    .object({
      id: z.string(),
      name: z.string(),
      location: optStr,
      securityRules: z.array(securityRule(false)).nullish(),
      defaultSecurityRules: z.array(securityRule(true)).nullish(),
      subnets: refList,
      networkInterfaces: refList,
    })
    .loose()
    .transform(
      (n): NetworkSecurityGroup => ({
        id: n.id,
        name: n.name,
        location: n.location,
        securityRules: n.securityRules ?? [],
        defaultSecurityRules: n.defaultSecurityRules ?? [],
        subnetIds: n.subnets,
        networkInterfaceIds: n.networkInterfaces,
      }),
    ),
);

const subnetSchema = flat(
  z
    .object({
      id: z.string(),
      name: z.string(),
      addressPrefix: optStr,
      addressPrefixes: strList,
      networkSecurityGroup: ref,
      routeTable: ref,
      natGateway: ref,
      ipConfigurations: refList,
    })
    .loose()
    .transform(
      (s): Subnet => ({
        id: s.id,
        name: s.name,
        vnetId: s.id.replace(/\/subnets\/[^/]+$/i, ''),
        addressPrefixes: merged(s.addressPrefix, s.addressPrefixes),
        networkSecurityGroupId: s.networkSecurityGroup,
        routeTableId: s.routeTable,
        natGatewayId: s.natGateway,
        ipConfigurationIds: s.ipConfigurations,
      }),
    ),
);

const addressSpace = z
  .object({ addressPrefixes: strList })
  .loose()
  .nullish()
  .transform((a) => a?.addressPrefixes ?? []);

const peeringSchema = flat(
  z
    .object({
      name: z.string(),
      remoteVirtualNetwork: ref,
      remoteAddressSpace: addressSpace,
      peeringState: optStr,
    })
    .loose()
    .transform((p) => ({ name: p.name, remoteVnetId: p.remoteVirtualNetwork, remoteAddressPrefixes: p.remoteAddressSpace, state: p.peeringState })),
);

const vnetSchema = flat(
  z
    .object({
      id: z.string(),
      name: z.string(),
      location: optStr,
      addressSpace: z.object({ addressPrefixes: strList }).loose(),
      subnets: z.array(subnetSchema).nullish(),
      virtualNetworkPeerings: z.array(peeringSchema).nullish(),
    })
    .loose()
    .transform(
      (v): VirtualNetwork => ({
        id: v.id,
        name: v.name,
        location: v.location,
        addressPrefixes: v.addressSpace.addressPrefixes,
        subnets: (v.subnets ?? []).map((s) => ({ ...s, vnetId: v.id })),
        peerings: v.virtualNetworkPeerings ?? [],
      }),
    ),
);

const nicSchema = flat(
  z
    .object({
      id: z.string(),
      name: z.string(),
      networkSecurityGroup: ref,
      ipConfigurations: z.array(
        flat(
          z
            .object({ name: z.string(), privateIpAddress: optStr, subnet: ref, applicationSecurityGroups: refList })
            .loose()
            .transform((c) => ({ name: c.name, privateIp: c.privateIpAddress, subnetId: c.subnet, asgIds: c.applicationSecurityGroups })),
        ),
      ),
    })
    .loose()
    .transform(
      (n): NetworkInterface => ({
        id: n.id,
        name: n.name,
        networkSecurityGroupId: n.networkSecurityGroup,
        ipConfigurations: n.ipConfigurations,
        virtualMachineScaleSet: /\/virtualMachineScaleSets\/([^/]+)/i.exec(n.id)?.[1],
      }),
    ),
);

const routeTableSchema = flat(
  z
    .object({
      id: z.string(),
      name: z.string(),
      routes: z
        .array(
          flat(
            z
              .object({ name: z.string(), addressPrefix: z.string(), nextHopType: z.string(), nextHopIpAddress: optStr })
              .loose()
              .transform((r) => ({ name: r.name, addressPrefix: r.addressPrefix, nextHopType: r.nextHopType, nextHopIpAddress: r.nextHopIpAddress })),
          ),
        )
        .nullish(),
      subnets: refList,
    })
    .loose()
    .transform((t): RouteTable => ({ id: t.id, name: t.name, routes: t.routes ?? [], subnetIds: t.subnets })),
);

const natGatewaySchema = flat(
  z
    .object({ id: z.string(), name: z.string(), subnets: refList, publicIpAddresses: refList })
    .loose()
    .transform((g): NatGateway => ({ id: g.id, name: g.name, subnetIds: g.subnets, publicIpAddressIds: g.publicIpAddresses })),
);

// ---- Azure Firewall rules: classic (inline on the firewall) and policy (rule collection groups) ----

const upperList = strList.transform((l) => l.map((s) => s.toUpperCase()));

const appProtocols = z
  .array(
    z
      .object({ protocolType: z.string(), port: intLike })
      .loose()
      .transform((p) => ({ type: p.protocolType, port: p.port })),
  )
  .nullish()
  .transform((v) => v ?? []);

const networkRuleFields = {
  name: z.string(),
  sourceAddresses: strList,
  sourceIpGroups: strList,
  destinationAddresses: strList,
  destinationIpGroups: strList,
  destinationFqdns: strList,
  destinationPorts: strList,
};

const appRuleFields = {
  name: z.string(),
  sourceAddresses: strList,
  sourceIpGroups: strList,
  protocols: appProtocols,
  targetFqdns: strList,
  fqdnTags: strList,
  targetUrls: strList,
  webCategories: strList,
};

const natRuleFields = {
  name: z.string(),
  sourceAddresses: strList,
  sourceIpGroups: strList,
  destinationAddresses: strList,
  destinationPorts: strList,
  translatedAddress: optStr,
  translatedFqdn: optStr,
  translatedPort: z.union([z.string(), z.number()]).nullish().transform((v) => (v === null || v === undefined || v === '' ? undefined : String(v))),
};

function toNetworkRule(r: z.infer<z.ZodObject<typeof networkRuleFields>>, protocols: string[]): NetworkRule {
  return { kind: 'network', ...r, protocols };
}

function toNatRule(r: z.infer<z.ZodObject<typeof natRuleFields>>, protocols: string[]): NatRule {
  return { kind: 'nat', ...r, protocols };
}

// Classic rules say `protocols`; policy rules say `ipProtocols` (research 2.3).
const classicNetworkRule = z
  .object({ ...networkRuleFields, protocols: upperList })
  .loose()
  .transform((r) => toNetworkRule(r, r.protocols));
const classicAppRule = z
  .object(appRuleFields)
  .loose()
  .transform((r): ApplicationRule => ({ kind: 'application', ...r }));
const classicNatRule = z
  .object({ ...natRuleFields, protocols: upperList })
  .loose()
  .transform((r) => toNatRule(r, r.protocols));

const ACTIONS = ['Allow', 'Deny', 'Dnat'] as const;
const action = z
  .object({ type: z.string() })
  .loose()
  .transform((a, ctx): FirewallAction => {
    const found = ACTIONS.find((x) => x.toLowerCase() === a.type.toLowerCase());
    if (!found) {
      ctx.addIssue({ code: 'custom', message: `expected action Allow, Deny or DNAT, got "${a.type}"` });
      return z.NEVER;
    }
    return found;
  });

function classicCollection(kind: 'network' | 'application' | 'nat') {
  const rule = kind === 'network' ? classicNetworkRule : kind === 'application' ? classicAppRule : classicNatRule;
  return flat(
    z
      .object({ name: z.string(), priority: intLike, action, rules: z.array(rule).nullish() })
      .loose()
      .transform((c): FirewallRuleCollection => ({ name: c.name, priority: c.priority, kind, action: c.action, rules: (c.rules ?? []) as FirewallRule[] })),
  );
}

const firewallSchema = flat(
  z
    .object({
      id: z.string(),
      name: z.string(),
      location: optStr,
      hubIpAddresses: z.preprocess(
        unwrapProperties,
        z
          .object({
            privateIpAddress: optStr,
            publicIps: z.preprocess(unwrapProperties, z.object({ addresses: z.array(z.object({ address: z.string() }).loose()).nullish() }).loose().nullish()),
          })
          .loose()
          .nullish(),
      ),
      ipConfigurations: z
        .array(flat(z.object({ privateIpAddress: optStr, subnet: ref }).loose()))
        .nullish(),
      firewallPolicy: ref,
      networkRuleCollections: z.array(classicCollection('network')).nullish(),
      applicationRuleCollections: z.array(classicCollection('application')).nullish(),
      natRuleCollections: z.array(classicCollection('nat')).nullish(),
    })
    .loose()
    .transform((f): AzureFirewall => {
      const ipConfig = f.ipConfigurations?.find((c) => c.privateIpAddress) ?? f.ipConfigurations?.[0];
      return {
        id: f.id,
        name: f.name,
        location: f.location,
        privateIp: f.hubIpAddresses?.privateIpAddress ?? ipConfig?.privateIpAddress,
        publicIps: (f.hubIpAddresses?.publicIps?.addresses ?? []).map((a) => a.address),
        subnetId: ipConfig?.subnet,
        firewallPolicyId: f.firewallPolicy,
        natRuleCollections: f.natRuleCollections ?? [],
        networkRuleCollections: f.networkRuleCollections ?? [],
        applicationRuleCollections: f.applicationRuleCollections ?? [],
      };
    }),
);

const policyRule = z.discriminatedUnion('ruleType', [
  z
    .object({ ruleType: z.literal('NetworkRule'), ...networkRuleFields, ipProtocols: upperList })
    .loose()
    .transform((r) => toNetworkRule(r, r.ipProtocols)),
  z
    .object({ ruleType: z.literal('ApplicationRule'), ...appRuleFields })
    .loose()
    .transform((r): ApplicationRule => ({
      kind: 'application',
      name: r.name,
      sourceAddresses: r.sourceAddresses,
      sourceIpGroups: r.sourceIpGroups,
      protocols: r.protocols,
      targetFqdns: r.targetFqdns,
      fqdnTags: r.fqdnTags,
      targetUrls: r.targetUrls,
      webCategories: r.webCategories,
    })),
  z
    .object({ ruleType: z.literal('NatRule'), ...natRuleFields, ipProtocols: upperList })
    .loose()
    .transform((r) => toNatRule(r, r.ipProtocols)),
]);

const policyCollection = z
  .object({
    ruleCollectionType: z.enum(['FirewallPolicyFilterRuleCollection', 'FirewallPolicyNatRuleCollection']),
    name: z.string(),
    priority: intLike,
    action,
    rules: z.array(policyRule).nullish(),
  })
  .loose()
  .transform((c, ctx): FirewallRuleCollection => {
    const rules = (c.rules ?? []) as FirewallRule[];
    const kinds = new Set(rules.map((r) => r.kind));
    if (kinds.size > 1) {
      // Azure refuses mixed collections; reading one would make the evaluation order meaningless.
      ctx.addIssue({ code: 'custom', message: `rule collection "${c.name}" mixes ${[...kinds].join(' and ')} rules` });
      return z.NEVER;
    }
    const kind = c.ruleCollectionType === 'FirewallPolicyNatRuleCollection' ? 'nat' : (rules[0]?.kind ?? 'network');
    return { name: c.name, priority: c.priority, kind, action: c.action, rules };
  });

const ruleCollectionGroupSchema = flat(
  z
    .object({ id: optStr, name: z.string(), priority: intLike, ruleCollections: z.array(policyCollection).nullish() })
    .loose()
    .transform(
      (g): RuleCollectionGroup => ({
        id: g.id,
        name: g.name,
        priority: g.priority,
        policyId: g.id?.replace(/\/ruleCollectionGroups\/[^/]+$/i, ''),
        ruleCollections: g.ruleCollections ?? [],
      }),
    ),
);

const firewallPolicySchema = flat(
  z
    .object({
      id: z.string(),
      name: z.string(),
      location: optStr,
      basePolicy: ref,
      threatIntelMode: optStr,
      dnsSettings: z.object({ enableProxy: z.boolean().nullish() }).loose().nullish(),
      // `show` lists ids only; embedded groups (templates, `az rest`) are full objects.
      ruleCollectionGroups: z.array(z.union([ruleCollectionGroupSchema, z.object({ id: z.string() }).loose()])).nullish(),
    })
    .loose()
    .transform(
      (p): FirewallPolicy => ({
        id: p.id,
        name: p.name,
        location: p.location,
        basePolicyId: p.basePolicy,
        threatIntelMode: p.threatIntelMode,
        dnsProxyEnabled: p.dnsSettings?.enableProxy === true,
        ruleCollectionGroups: (p.ruleCollectionGroups ?? []).filter((g): g is RuleCollectionGroup => 'ruleCollections' in g && Array.isArray(g.ruleCollections)),
      }),
    ),
);

export interface ParsedResourceMap {
  networkSecurityGroup: NetworkSecurityGroup;
  securityRule: SecurityRule;
  virtualNetwork: VirtualNetwork;
  subnet: Subnet;
  networkInterface: NetworkInterface;
  routeTable: RouteTable;
  natGateway: NatGateway;
  azureFirewall: AzureFirewall;
  firewallPolicy: FirewallPolicy;
  ruleCollectionGroup: RuleCollectionGroup;
}

const SCHEMAS: { [K in ResourceKind]: z.ZodType<ParsedResourceMap[K]> } = {
  networkSecurityGroup: nsgSchema,
  securityRule: securityRule(false),
  virtualNetwork: vnetSchema,
  subnet: subnetSchema,
  networkInterface: nicSchema,
  routeTable: routeTableSchema,
  natGateway: natGatewaySchema,
  azureFirewall: firewallSchema,
  firewallPolicy: firewallPolicySchema,
  ruleCollectionGroup: ruleCollectionGroupSchema,
};

export type ParseOutcome<K extends ResourceKind> =
  | { ok: true; value: ParsedResourceMap[K] }
  | { ok: false; field: string; message: string };

/** Parses one resource of a known kind; on failure names the first bad field (`securityRules[2].priority`). */
export function parseResource<K extends ResourceKind>(kind: K, raw: unknown): ParseOutcome<K> {
  const result = SCHEMAS[kind].safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  return { ok: false, field: formatPath(issue.path), message: issue.message };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(object)';
}
