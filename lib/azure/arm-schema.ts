/**
 * zod schemas from ARM JSON (either shape) to the normalized model. One schema per resource kind;
 * each object is parsed on its own so a bad one is reported with its fields and skipped alone.
 * Rules are held to what Azure accepts (arm-validation.ts): a value Azure would refuse is an error,
 * never a rule evaluated as if it existed.
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
  ServiceTag,
  ServiceTagList,
  Subnet,
  VirtualNetwork,
} from './types';
import { unwrapProperties, type ResourceKind } from './resource-kind';
import {
  canonical,
  checkApplicationRule,
  checkClassicCollection,
  checkNatRule,
  checkNetworkRule,
  checkPolicyCollection,
  checkRuleCollectionGroup,
  checkSecurityRule,
  checkUniquePriorities,
  integerOf,
  isIpOrCidr,
  listOf,
  NSG_PROTOCOLS,
  stringOf,
} from './arm-validation';

const optStr = z
  .string()
  .nullish()
  .transform((v) => (v ? v : undefined));

/** Ports and prefixes: ARM writes strings, hand-written templates sometimes numbers; az writes null for empty. */
const strList = z
  .array(z.union([z.string(), z.number()]).transform(String))
  .nullish()
  .transform((v) => (v ?? []).filter((s) => s !== ''));

const ref = z
  .object({ id: z.string() })
  .loose()
  .nullish()
  .transform((v) => v?.id);

const refList = z
  .array(z.object({ id: z.string() }).loose())
  .nullish()
  .transform((v) => (v ?? []).map((r) => r.id));

const flat = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(unwrapProperties, schema);

/** Union of ARM's singular and plural fields (they are exclusive in practice; union is safe either way). */
function merged(single: string | undefined, plural: string[]): string[] {
  return [...(single ? [single] : []), ...plural];
}

const issueAdder = (ctx: z.RefinementCtx) => (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

/** Union of the values of a singular and a plural field (az prints both, one of them empty). */
function bothFields(o: Record<string, unknown>, single: string, plural: string): string[] {
  const one = o[single];
  return merged(typeof one === 'string' && one !== '' ? one : typeof one === 'number' ? String(one) : undefined, listOf(o, plural));
}

const idList = (v: unknown): string[] =>
  Array.isArray(v) ? v.filter((r): r is { id: string } => typeof r === 'object' && r !== null && typeof (r as { id?: unknown }).id === 'string').map((r) => r.id) : [];

function securityRule(isDefault: boolean) {
  const defaultById = (o: Record<string, unknown>) => isDefault || /\/defaultSecurityRules\//i.test(typeof o.id === 'string' ? o.id : '');
  return flat(
    z
      .object({})
      .loose()
      // Every field is checked by hand so that all problems of a rule are reported, not the first.
      .superRefine((o, ctx) => checkSecurityRule(o, defaultById(o), issueAdder(ctx)))
      .transform(
        (o): SecurityRule => ({
          name: String(o.name),
          id: stringOf(o, 'id'),
          priority: integerOf(o.priority)!,
          direction: canonical(['Inbound', 'Outbound'] as const, o.direction)!,
          access: canonical(['Allow', 'Deny'] as const, o.access)!,
          protocol: canonical(NSG_PROTOCOLS, o.protocol)!,
          sourcePrefixes: bothFields(o, 'sourceAddressPrefix', 'sourceAddressPrefixes'),
          sourcePorts: bothFields(o, 'sourcePortRange', 'sourcePortRanges'),
          destinationPrefixes: bothFields(o, 'destinationAddressPrefix', 'destinationAddressPrefixes'),
          destinationPorts: bothFields(o, 'destinationPortRange', 'destinationPortRanges'),
          sourceAsgIds: idList(o.sourceApplicationSecurityGroups),
          destinationAsgIds: idList(o.destinationApplicationSecurityGroups),
          description: stringOf(o, 'description'),
          // Listed separately rules carry it in their id; in an NSG it depends on the list they came in.
          isDefault: defaultById(o),
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
    .superRefine((n, ctx) => checkUniquePriorities(n.securityRules ?? [], issueAdder(ctx)))
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
// Rules and collections are checked field by field (arm-validation.ts) so every problem is reported;
// the builders below run only on input that passed.

type Raw = Record<string, unknown>;
const upper = (l: string[]) => l.map((s) => s.toUpperCase());

function buildNetworkRule(o: Raw, protocolsKey: string): NetworkRule {
  return {
    kind: 'network',
    name: String(o.name),
    protocols: upper(listOf(o, protocolsKey)),
    sourceAddresses: listOf(o, 'sourceAddresses'),
    sourceIpGroups: listOf(o, 'sourceIpGroups'),
    destinationAddresses: listOf(o, 'destinationAddresses'),
    destinationIpGroups: listOf(o, 'destinationIpGroups'),
    destinationFqdns: listOf(o, 'destinationFqdns'),
    destinationPorts: listOf(o, 'destinationPorts'),
  };
}

function buildApplicationRule(o: Raw): ApplicationRule {
  const protocols = Array.isArray(o.protocols) ? (o.protocols as Raw[]) : [];
  return {
    kind: 'application',
    name: String(o.name),
    sourceAddresses: listOf(o, 'sourceAddresses'),
    sourceIpGroups: listOf(o, 'sourceIpGroups'),
    protocols: protocols.map((p) => ({ type: canonical(['Http', 'Https', 'Mssql'] as const, p.protocolType)!, port: integerOf(p.port)! })),
    targetFqdns: listOf(o, 'targetFqdns'),
    fqdnTags: listOf(o, 'fqdnTags'),
    targetUrls: listOf(o, 'targetUrls'),
    webCategories: listOf(o, 'webCategories'),
  };
}

function buildNatRule(o: Raw, protocolsKey: string): NatRule {
  return {
    kind: 'nat',
    name: String(o.name),
    protocols: upper(listOf(o, protocolsKey)),
    sourceAddresses: listOf(o, 'sourceAddresses'),
    sourceIpGroups: listOf(o, 'sourceIpGroups'),
    destinationAddresses: listOf(o, 'destinationAddresses'),
    destinationPorts: listOf(o, 'destinationPorts'),
    translatedAddress: stringOf(o, 'translatedAddress'),
    translatedFqdn: stringOf(o, 'translatedFqdn'),
    translatedPort: stringOf(o, 'translatedPort'),
  };
}

/** One rule, checked then built: `check` names every bad field, `build` runs on valid input only. */
function ruleSchema<T>(check: (o: Raw, issue: ReturnType<typeof issueAdder>) => void, build: (o: Raw) => T) {
  return flat(
    z
      .object({})
      .loose()
      .superRefine((o, ctx) => check(o, issueAdder(ctx)))
      .transform((o) => build(o)),
  );
}

// Classic rules say `protocols`; policy rules say `ipProtocols` (research 2.3).
const CLASSIC_RULES = {
  network: ruleSchema((o, i) => checkNetworkRule(o, 'protocols', i), (o) => buildNetworkRule(o, 'protocols')),
  application: ruleSchema(checkApplicationRule, buildApplicationRule),
  nat: ruleSchema((o, i) => checkNatRule(o, 'protocols', i), (o) => buildNatRule(o, 'protocols')),
};

const FIREWALL_ACTIONS = ['Allow', 'Deny', 'Dnat'] as const;
const actionOf = (o: Raw): FirewallAction => canonical(FIREWALL_ACTIONS, (o.action as Raw | undefined)?.type)!;

/**
 * Parses `list` item by item with `schema`, reporting every item's problems under `path`. Collection
 * checks read the raw object, so they run whether or not its rules are valid: all problems at once.
 */
function parseChildren<T>(list: unknown, schema: z.ZodType<T>, path: (string | number)[], ctx: z.RefinementCtx): T[] | undefined {
  if (list === undefined || list === null) return [];
  if (!Array.isArray(list)) {
    ctx.addIssue({ code: 'custom', path, message: 'expected a list' });
    return undefined;
  }
  const out: T[] = [];
  let ok = true;
  list.forEach((item, i) => {
    const r = schema.safeParse(item);
    if (r.success) out.push(r.data);
    else {
      ok = false;
      for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: [...path, i, ...(issue.path as (string | number)[])], message: issue.message });
    }
  });
  return ok ? out : undefined;
}

/** Runs `check` on the raw object; true when it found nothing. */
function passes(o: Raw, ctx: z.RefinementCtx, check: (o: Raw, issue: ReturnType<typeof issueAdder>) => void): boolean {
  let ok = true;
  const add = issueAdder(ctx);
  check(o, (path, message) => {
    ok = false;
    add(path, message);
  });
  return ok;
}

function classicCollection(kind: 'network' | 'application' | 'nat') {
  return flat(
    z
      .object({})
      .loose()
      .transform((c, ctx): FirewallRuleCollection => {
        const valid = passes(c, ctx, (o, issue) => checkClassicCollection(o, kind, issue));
        const rules = parseChildren<FirewallRule>(c.rules, CLASSIC_RULES[kind] as z.ZodType<FirewallRule>, ['rules'], ctx);
        if (!valid || !rules) return z.NEVER;
        return { name: String(c.name), priority: integerOf(c.priority)!, kind, action: actionOf(c), rules };
      }),
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

const POLICY_RULES = {
  networkrule: ruleSchema((o, i) => checkNetworkRule(o, 'ipProtocols', i), (o) => buildNetworkRule(o, 'ipProtocols')),
  applicationrule: ruleSchema(checkApplicationRule, buildApplicationRule),
  natrule: ruleSchema((o, i) => checkNatRule(o, 'ipProtocols', i), (o) => buildNatRule(o, 'ipProtocols')),
};

/** A policy rule by its `ruleType`; a missing or unknown type is reported by the collection check. */
const policyRule = z.object({}).loose().transform((o, ctx): FirewallRule => {
  const schema = POLICY_RULES[String(o.ruleType ?? '').toLowerCase() as keyof typeof POLICY_RULES];
  if (!schema) {
    ctx.addIssue({ code: 'custom', path: ['ruleType'], message: `${o.ruleType === undefined || o.ruleType === null || o.ruleType === '' ? 'missing' : `got ${JSON.stringify(o.ruleType)}`}: expected NetworkRule, ApplicationRule or NatRule` });
    return z.NEVER;
  }
  const r = schema.safeParse(o);
  if (r.success) return r.data;
  for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: issue.path as (string | number)[], message: issue.message });
  return z.NEVER;
});

const policyCollection = flat(
  z
    .object({})
    .loose()
    .transform((c, ctx): FirewallRuleCollection => {
      const valid = passes(c, ctx, checkPolicyCollection);
      const rules = parseChildren(c.rules, policyRule, ['rules'], ctx);
      if (!valid || !rules) return z.NEVER;
      const nat = canonical(['FirewallPolicyNatRuleCollection'] as const, c.ruleCollectionType) !== undefined;
      const kind = nat ? 'nat' : (rules[0]?.kind ?? 'network');
      return { name: String(c.name), priority: integerOf(c.priority)!, kind, action: actionOf(c), rules };
    }),
);

const ruleCollectionGroupSchema = flat(
  z
    .object({})
    .loose()
    .transform((g, ctx): RuleCollectionGroup => {
      const valid = passes(g, ctx, checkRuleCollectionGroup);
      const collections = parseChildren(g.ruleCollections, policyCollection, ['ruleCollections'], ctx);
      if (!valid || !collections) return z.NEVER;
      const id = stringOf(g, 'id');
      return { id, name: String(g.name), priority: integerOf(g.priority)!, policyId: id?.replace(/\/ruleCollectionGroups\/[^/]+$/i, ''), ruleCollections: collections };
    }),
);

/** `policy show` lists groups by id; templates and `az rest` embed them whole. Embedded ones are parsed. */
function isEmbeddedGroup(g: unknown): boolean {
  const o = unwrapProperties(g) as Raw | undefined;
  return !!o && typeof o === 'object' && ('ruleCollections' in o || 'priority' in o);
}

const firewallPolicySchema = flat(
  z
    .object({
      id: z.string(),
      name: z.string(),
      location: optStr,
      basePolicy: ref,
      threatIntelMode: optStr,
      dnsSettings: z.object({ enableProxy: z.boolean().nullish() }).loose().nullish(),
      ruleCollectionGroups: z.array(z.unknown()).nullish(),
    })
    .loose()
    .transform((p, ctx): FirewallPolicy => {
      const groups: RuleCollectionGroup[] = [];
      const ids: string[] = [];
      (p.ruleCollectionGroups ?? []).forEach((g, i) => {
        const id = typeof g === 'object' && g !== null && typeof (g as Raw).id === 'string' ? ((g as Raw).id as string) : undefined;
        if (id) ids.push(id);
        if (!isEmbeddedGroup(g)) return;
        const r = ruleCollectionGroupSchema.safeParse(g);
        if (r.success) groups.push(r.data);
        else for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', path: ['ruleCollectionGroups', i, ...(issue.path as (string | number)[])], message: issue.message });
      });
      return {
        id: p.id,
        name: p.name,
        location: p.location,
        basePolicyId: p.basePolicy,
        threatIntelMode: p.threatIntelMode,
        dnsProxyEnabled: p.dnsSettings?.enableProxy === true,
        ruleCollectionGroups: groups,
        ...(ids.length ? { ruleCollectionGroupIds: ids } : {}),
      };
    }),
);

// ---- Published service tags: `az network list-service-tags`, the Service Tags API, ServiceTags_*.json ----

const changeNumber = z.union([z.string(), z.number()]).nullish().transform((v) => (v === null || v === undefined || v === '' ? undefined : String(v)));

/** One tag: `{ name, id, properties: { addressPrefixes, region, systemService, changeNumber } }`. */
const serviceTagSchema = flat(
  z
    .object({
      name: z.string().min(1),
      region: optStr,
      systemService: optStr,
      changeNumber,
      addressPrefixes: z.array(z.string()).nullish(),
    })
    .loose()
    .superRefine((t, ctx) =>
      (t.addressPrefixes ?? []).forEach((p, i) => {
        if (!isIpOrCidr(p)) ctx.addIssue({ code: 'custom', path: ['addressPrefixes', i], message: `"${p}" is not an IP address or CIDR` });
      }),
    )
    .transform((t): ServiceTag => ({ name: t.name, region: t.region, systemService: t.systemService, changeNumber: t.changeNumber, addressPrefixes: t.addressPrefixes ?? [] })),
);

/** The envelope: `{ name, id, type, cloud, changeNumber, values: [...] }`; values are parsed one by one. */
const serviceTagListSchema = z
  .object({ cloud: optStr, changeNumber, values: z.array(z.unknown()) })
  .loose()
  .transform((l): ServiceTagList => ({ cloud: l.cloud, changeNumber: l.changeNumber, origin: '', tags: [] }));

export interface ServiceTagListParse {
  list: ServiceTagList;
  /** Tags that could not be read, each with its field; their names still count as "listed but unreadable". */
  issues: { field: string; message: string; tag?: string }[];
  unreadableTags: string[];
}

/**
 * Reads a published service tag list. One bad tag among thousands is reported and skipped alone;
 * rules naming it then evaluate to unknown, as for a tag that is not listed at all.
 */
export function parseServiceTagList(raw: unknown, origin: string): ServiceTagListParse | { ok: false; field: string; message: string } {
  const envelope = serviceTagListSchema.safeParse(raw);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    return { ok: false, field: formatPath(issue.path), message: issue.message };
  }
  const list: ServiceTagList = { ...envelope.data, origin };
  const issues: ServiceTagListParse['issues'] = [];
  const unreadableTags: string[] = [];
  const values = (raw as { values: unknown[] }).values;
  values.forEach((v, i) => {
    const r = serviceTagSchema.safeParse(v);
    if (r.success) return void list.tags.push(r.data);
    const name = typeof v === 'object' && v !== null && typeof (v as Raw).name === 'string' ? ((v as Raw).name as string) : undefined;
    if (name) unreadableTags.push(name);
    for (const issue of r.error.issues) issues.push({ field: `values[${i}]${issue.path.length ? `.${formatPath(issue.path)}` : ''}`, message: issue.message, tag: name });
  });
  return { list, issues, unreadableTags };
}

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
  serviceTag: ServiceTag;
}

/** Service tag lists are parsed by parseServiceTagList (tag by tag), not through this table. */
export type TableKind = Exclude<ResourceKind, 'serviceTagList'>;

const SCHEMAS: { [K in TableKind]: z.ZodType<ParsedResourceMap[K]> } = {
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
  serviceTag: serviceTagSchema,
};

export interface FieldProblem {
  /** Dotted path of the field, e.g. `securityRules[2].priority`. */
  field: string;
  message: string;
}

export type ParseOutcome<K extends TableKind> =
  | { ok: true; value: ParsedResourceMap[K] }
  /** `field` and `message` are the first problem; `problems` lists all of them in input order. */
  | { ok: false; field: string; message: string; problems: FieldProblem[] };

/** Parses one resource of a known kind; on failure names every bad field (`securityRules[2].priority`). */
export function parseResource<K extends TableKind>(kind: K, raw: unknown): ParseOutcome<K> {
  const result = SCHEMAS[kind].safeParse(raw);
  if (result.success) return { ok: true, value: result.data };
  const problems = result.error.issues.map((i) => ({ field: formatPath(i.path), message: i.message }));
  return { ok: false, ...problems[0], problems };
}

function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : `${out ? '.' : ''}${String(p)}`;
  return out || '(object)';
}
