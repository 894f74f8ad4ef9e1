/**
 * Collects parsed resources from any number of inputs (files, ARM list calls) and joins the pieces
 * that arrive separately: rule collection groups to their policy, standalone subnets to their VNet,
 * standalone security rules to their NSG, service tags to their list. ARM ids are case-insensitive,
 * so all joins are too. An object Azure would refuse is reported field by field and skipped; where
 * skipping it could change a verdict (a rule collection group of a policy), the gap is recorded so
 * the evaluators answer "unknown" instead.
 */

import { parseResource, parseServiceTagList, type FieldProblem } from './arm-schema';
import { recognizeResource, unwrapProperties, type ResourceKind } from './resource-kind';
import type { AzureSnapshot, AzureSourceKind, FirewallPolicy, RuleCollectionGroup, SecurityRule, ServiceTag, SourceError, Subnet, VirtualNetwork } from './types';
import { emptySnapshot } from './types';

/** ARM ids differ in case between references (`MC_rg` vs `mc_rg`); compare them lowered. */
export function sameId(a: string | undefined, b: string | undefined): boolean {
  return !!a && !!b && a.toLowerCase() === b.toLowerCase();
}

/** Last segment of an ARM id: the resource's name. */
export function nameFromId(id: string): string {
  return id.split('/').filter(Boolean).pop() ?? id;
}

/** Problems reported per rejected object before the rest are summed up. */
const MAX_PROBLEMS = 20;

export interface ObjectOrigin {
  file?: string;
  /** Index of the object in the file's top-level array, when it was one. */
  index?: number;
  /** ARM resource type listed, for ARM sources. */
  resourceType?: string;
}

export class SnapshotAssembler {
  private readonly snapshot: AzureSnapshot;
  private readonly seen = new Set<string>();
  private readonly loose = {
    rules: [] as { rule: SecurityRule; origin: ObjectOrigin }[],
    subnets: [] as { subnet: Subnet; origin: ObjectOrigin }[],
    groups: [] as { group: RuleCollectionGroup; origin: ObjectOrigin }[],
    /** Ids of rule collection groups that were present but invalid. */
    rejectedGroupIds: [] as string[],
    /** Single service tags (`list-service-tags --query values`), per file. */
    tags: new Map<string, ServiceTag[]>(),
  };

  constructor(source: AzureSourceKind, origin: string) {
    this.snapshot = emptySnapshot(source, origin);
  }

  addError(error: SourceError): void {
    this.snapshot.errors.push(error);
  }

  /** Adds one raw object; `expected` skips shape recognition (ARM list calls know what they asked for). */
  addRaw(raw: unknown, origin: ObjectOrigin, expected?: ResourceKind): void {
    const kind = expected ?? recognizeResource(raw);
    const label = describe(raw, origin);
    if (!kind) {
      this.addError({
        code: 'unrecognized-shape',
        message: `${label} is not a resource Flowsight reads (NSG, VNet, subnet, NIC, route table, NAT gateway, firewall, firewall policy, rule collection group or service tag list); skipped`,
        where: { file: origin.file, resource: resourceName(raw) },
      });
      return;
    }
    if (kind === 'serviceTagList') return this.addServiceTagList(raw, origin, label);
    const parsed = parseResource(kind, raw);
    if (!parsed.ok) {
      this.addProblems(parsed.problems, `${label} (${kind})`, 'this object is skipped', { file: origin.file, resource: resourceName(raw) ?? origin.resourceType });
      if (kind === 'ruleCollectionGroup') {
        const id = (unwrapProperties(raw) as { id?: unknown } | undefined)?.id;
        if (typeof id === 'string') this.loose.rejectedGroupIds.push(id);
      }
      return;
    }
    this.add(kind, parsed.value, origin);
  }

  /** One error per bad field, at most MAX_PROBLEMS per object, then a count of the rest. */
  private addProblems(problems: FieldProblem[], what: string, consequence: string, where: SourceError['where']): void {
    for (const p of problems.slice(0, MAX_PROBLEMS)) {
      this.addError({ code: 'invalid-object', message: `${what}: field ${p.field}: ${p.message}; ${consequence}`, where: { ...where, field: p.field } });
    }
    if (problems.length > MAX_PROBLEMS) {
      this.addError({ code: 'invalid-object', message: `${what}: ${problems.length - MAX_PROBLEMS} more problems not listed; ${consequence}`, where });
    }
  }

  private addServiceTagList(raw: unknown, origin: ObjectOrigin, label: string): void {
    const source = origin.file ?? origin.resourceType ?? 'service tags';
    const parsed = parseServiceTagList(raw, source);
    if ('ok' in parsed) {
      this.addProblems([parsed], `${label} (service tag list)`, 'the list is skipped; rules naming service tags evaluate to unknown', { file: origin.file, resource: resourceName(raw) ?? origin.resourceType });
      return;
    }
    for (const issue of parsed.issues.slice(0, MAX_PROBLEMS)) {
      this.addError({
        code: 'invalid-object',
        message: `${label} (service tag list): ${issue.tag ? `tag ${issue.tag}, ` : ''}field ${issue.field}: ${issue.message}; that tag is skipped, rules naming it evaluate to unknown`,
        where: { file: origin.file, resource: issue.tag ?? resourceName(raw) ?? origin.resourceType, field: issue.field },
      });
    }
    if (parsed.issues.length > MAX_PROBLEMS) {
      this.addError({ code: 'invalid-object', message: `${label} (service tag list): ${parsed.issues.length - MAX_PROBLEMS} more problems not listed`, where: { file: origin.file } });
    }
    this.snapshot.serviceTags.push(parsed.list);
  }

  private add(kind: ResourceKind, value: unknown, origin: ObjectOrigin): void {
    const id = (value as { id?: string }).id;
    if (id && kind !== 'securityRule') {
      // `list` and `show` of the same resource may both be in a directory: keep the first.
      const key = `${kind}:${id.toLowerCase()}`;
      if (this.seen.has(key)) return;
      this.seen.add(key);
    }
    const s = this.snapshot;
    switch (kind) {
      case 'networkSecurityGroup': s.networkSecurityGroups.push(value as AzureSnapshot['networkSecurityGroups'][number]); break;
      case 'virtualNetwork': s.virtualNetworks.push(value as VirtualNetwork); break;
      case 'networkInterface': s.networkInterfaces.push(value as AzureSnapshot['networkInterfaces'][number]); break;
      case 'routeTable': s.routeTables.push(value as AzureSnapshot['routeTables'][number]); break;
      case 'natGateway': s.natGateways.push(value as AzureSnapshot['natGateways'][number]); break;
      case 'azureFirewall': s.azureFirewalls.push(value as AzureSnapshot['azureFirewalls'][number]); break;
      case 'firewallPolicy': s.firewallPolicies.push(value as FirewallPolicy); break;
      case 'securityRule': this.loose.rules.push({ rule: value as SecurityRule, origin }); break;
      case 'subnet': this.loose.subnets.push({ subnet: value as Subnet, origin }); break;
      case 'ruleCollectionGroup': this.loose.groups.push({ group: value as RuleCollectionGroup, origin }); break;
      case 'serviceTag': {
        const file = origin.file ?? origin.resourceType ?? 'service tags';
        this.loose.tags.set(file, [...(this.loose.tags.get(file) ?? []), value as ServiceTag]);
        break;
      }
      case 'serviceTagList': break; // handled by addServiceTagList
    }
  }

  /** Joins the separately listed pieces and returns the snapshot. */
  finish(): AzureSnapshot {
    const s = this.snapshot;
    for (const { subnet, origin } of this.loose.subnets) {
      let vnet = s.virtualNetworks.find((v) => sameId(v.id, subnet.vnetId));
      if (!vnet) {
        // Without the VNet we lack its address space (the VirtualNetwork tag): say so, keep the subnet.
        vnet = { id: subnet.vnetId, name: nameFromId(subnet.vnetId), addressPrefixes: [], subnets: [], peerings: [] };
        s.virtualNetworks.push(vnet);
        this.addError({
          code: 'dangling-reference',
          message: `subnet ${subnet.name} belongs to VNet ${vnet.name}, which is not in the input; its address space (VirtualNetwork tag) is unknown`,
          where: { file: origin.file, resource: subnet.id },
        });
      }
      const existing = vnet.subnets.findIndex((x) => sameId(x.id, subnet.id));
      if (existing >= 0) vnet.subnets[existing] = { ...vnet.subnets[existing], ...definedOnly(subnet) };
      else vnet.subnets.push(subnet);
    }
    for (const { rule, origin } of this.loose.rules) {
      const nsgId = rule.id?.replace(/\/(default)?securityRules\/[^/]+$/i, '');
      const nsg = s.networkSecurityGroups.find((n) => sameId(n.id, nsgId));
      if (!nsg) {
        this.addError({
          code: 'dangling-reference',
          message: `security rule ${rule.name} belongs to NSG ${nsgId ? nameFromId(nsgId) : '(unknown: the rule has no id)'}, which is not in the input; skipped`,
          where: { file: origin.file, resource: rule.id ?? rule.name },
        });
        continue;
      }
      const list = rule.isDefault ? nsg.defaultSecurityRules : nsg.securityRules;
      if (list.some((r) => r.name.toLowerCase() === rule.name.toLowerCase())) continue;
      const clash = rule.isDefault ? undefined : list.find((r) => r.direction === rule.direction && r.priority === rule.priority);
      if (clash) {
        // Azure refuses two rules with one priority and direction: the inputs disagree (exports of different times).
        this.addError({
          code: 'invalid-object',
          message: `security rule ${rule.name} of NSG ${nsg.name}: field priority: ${rule.priority} is also used by ${rule.direction.toLowerCase()} rule "${clash.name}"; Azure allows one rule per priority and direction; this rule is skipped`,
          where: { file: origin.file, resource: rule.id ?? rule.name, field: 'priority' },
        });
        continue;
      }
      list.push(rule);
    }
    for (const [file, tags] of this.loose.tags) s.serviceTags.push({ origin: file, tags });
    for (const { group, origin } of this.loose.groups) {
      let policy = s.firewallPolicies.find((p) => sameId(p.id, group.policyId));
      if (!policy) {
        if (!group.policyId) {
          this.addError({
            code: 'dangling-reference',
            message: `rule collection group ${group.name} has no id, so its firewall policy is unknown; skipped`,
            where: { file: origin.file, resource: group.name },
          });
          continue;
        }
        // `rule-collection-group list` without `policy list` is a common export: the policy is implied.
        policy = { id: group.policyId, name: nameFromId(group.policyId), dnsProxyEnabled: false, ruleCollectionGroups: [] };
        s.firewallPolicies.push(policy);
      }
      if (!policy.ruleCollectionGroups.some((g) => g.name.toLowerCase() === group.name.toLowerCase())) policy.ruleCollectionGroups.push(group);
    }
    for (const id of this.loose.rejectedGroupIds) {
      // The group exists but was unreadable: its policy must not be evaluated as if it had no such group.
      const policyId = id.replace(/\/ruleCollectionGroups\/[^/]+$/i, '');
      let policy = s.firewallPolicies.find((p) => sameId(p.id, policyId));
      if (!policy) {
        policy = { id: policyId, name: nameFromId(policyId), dnsProxyEnabled: false, ruleCollectionGroups: [] };
        s.firewallPolicies.push(policy);
      }
      const ids = (policy.ruleCollectionGroupIds ??= []);
      if (!ids.some((x) => sameId(x, id))) ids.push(id);
    }
    return s;
  }
}

function definedOnly<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as Partial<T>;
}

function resourceName(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const o = raw as { id?: unknown; name?: unknown };
  if (typeof o.id === 'string') return o.id;
  return typeof o.name === 'string' ? o.name : undefined;
}

function describe(raw: unknown, origin: ObjectOrigin): string {
  const name = typeof raw === 'object' && raw !== null && typeof (raw as { name?: unknown }).name === 'string' ? `"${(raw as { name: string }).name}"` : undefined;
  const position = origin.index !== undefined ? `object #${origin.index}` : 'the object';
  const where = origin.file ? ` in ${origin.file}` : origin.resourceType ? ` from ${origin.resourceType}` : '';
  return `${position}${name ? ` ${name}` : ''}${where}`;
}
