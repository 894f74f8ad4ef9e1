/**
 * Posture findings from the Azure layers (DOMAIN.md): nsg-open-inbound, nsg-only-control,
 * egress-not-locked and firewall-rule-too-broad. Same `Finding` shape as the policy findings; every
 * fix is az CLI commands with the real resource names filled in (placeholders where only you know the
 * value, e.g. your admin network), so these fixes are not run through the policy engine.
 */

import type { ClusterSnapshot } from '../k8s/types';
import type { AzureFirewall, AzureSnapshot, FirewallRule, NetworkSecurityGroup, Subnet } from '../azure/types';
import { anyPortMatches, coversAllPorts, coversEverything, firstAssignableAddress } from '../azure-rules/azure-address';
import { internetInboundExposures, MANAGEMENT_PORTS } from '../azure-rules/nsg-inbound-probe';
import { clusterSubnets, type ClusterSubnetHints } from '../azure-rules/azure-cluster-subnets';
import { topologyOf, type AzureTopology } from '../azure-rules/azure-topology';
import { egressPath } from '../azure-rules/egress-path';
import { orderedRuleCollections, type OrderedCollection } from '../azure-rules/firewall-evaluator';
import { fqdnBreadth } from '../azure-rules/firewall-fqdn';
import { SEVERITY_ORDER, sortFindings, type Finding, type ObjectRef, type Severity } from './finding';
import { evaluateNsg } from '../azure-rules/nsg-evaluator';

export interface AzureFindingsOptions extends ClusterSubnetHints {
  /**
   * NetworkPolicies + CiliumNetworkPolicies + CiliumClusterwideNetworkPolicies in the cluster.
   * Unknown (undefined) means nsg-only-control is not judged.
   */
  networkPolicyCount?: number;
  /** AKS cluster name and resource group, for fix commands; placeholders otherwise. */
  cluster?: { name: string; resourceGroup: string };
}

/**
 * What a cluster adds to the Azure findings: its policy count, and its node IPs that Azure knows
 * (node IPs from elsewhere, e.g. manifests of another cluster, must not empty the cluster subnets).
 */
export function clusterFindingsOptions(snapshot: AzureSnapshot, cluster: ClusterSnapshot | undefined): AzureFindingsOptions {
  if (!cluster) return {};
  const topology = topologyOf(snapshot);
  const nodeIps = cluster.nodes.flatMap((n) => n.ips).filter((ip) => topology.subnetOf(ip));
  return { networkPolicyCount: cluster.policies.length, ...(nodeIps.length ? { nodeIps } : {}) };
}

/** All Azure findings for a snapshot, most severe first. */
export function azureFindings(snapshot: AzureSnapshot, opts: AzureFindingsOptions = {}): Finding[] {
  const topology = topologyOf(snapshot);
  const subnets = clusterSubnets(topology, opts);
  return sortFindings([
    ...nsgOpenInbound(topology),
    ...virtualNetworkTagTrap(topology, subnets),
    ...nsgOnlyControl(topology, subnets, opts),
    ...egressNotLocked(topology, subnets),
    ...firewallRulesTooBroad(topology),
  ]);
}

export function resourceGroupOf(id: string): string {
  return /\/resourceGroups\/([^/]+)/i.exec(id)?.[1] ?? '<resource-group>';
}

const nsgRef = (n: NetworkSecurityGroup): ObjectRef => ({ kind: 'NetworkSecurityGroup', name: n.name, id: n.id });
const subnetRef = (s: Subnet): ObjectRef => ({ kind: 'Subnet', name: s.name, id: s.id });

function describePorts(ports: string[]): string {
  return ports.length ? ports.join(', ') : '*';
}

/**
 * Custom inbound Allow rules open to the whole internet, judged by evaluating internet probes through the
 * NSGs on the inbound path (nsg-inbound-probe.ts): a rule that a higher-priority Deny shadows, or that the
 * other NSG on the path (subnet / NIC) denies, admits nothing and raises nothing. Worst on management ports
 * or every port; an NSG attached to nothing filters nothing today and ranks low.
 */
function nsgOpenInbound(topology: AzureTopology): Finding[] {
  const out: Finding[] = [];
  for (const x of internetInboundExposures(topology)) {
    // Admitted for certain, or unless a rule whose service tag is not loaded decides: then it "may" allow.
    const sure = x.admitted.length > 0;
    const open = sure ? x.admitted : x.uncertain;
    if (open.length === 0) continue;
    const { nsg, rule: r } = x;
    const ports = [...new Set(open.map((p) => p.port))].sort((a, b) => a - b);
    const stoppedPorts = [...new Set(x.stopped.filter((p) => p.outcome === 'shadowed' || p.outcome === 'blocked').map((p) => p.port))].filter((p) => !ports.includes(p));
    const management = MANAGEMENT_PORTS.filter((p) => ports.includes(p));
    const webOnly = x.protocol === 'Tcp' && !x.everyPort && ports.every((p) => p === 80 || p === 443);
    const certainSeverity: Severity = !x.attached ? 'low' : x.everyPort || management.length > 0 ? 'critical' : webOnly || x.protocol === 'Icmp' ? 'low' : 'medium';
    const severity: Severity = sure ? certainSeverity : SEVERITY_ORDER[Math.min(SEVERITY_ORDER.indexOf(certainSeverity) + 1, SEVERITY_ORDER.length - 1)];
    // An any-port rule partly shadowed is open on whatever the Deny above leaves: name a few of the open ports.
    const anyPort = coversAllPorts(r.destinationPorts);
    const what = x.protocol === 'Icmp' ? 'ICMP' : x.everyPort ? 'every port' : management.length ? `management port ${management.join(' and ')}` : anyPort ? `ports such as ${ports.slice(0, 4).join(', ')}` : `port ${ports.join(', ')}`;
    const rg = resourceGroupOf(nsg.id);
    const sample = open.find((p) => management.includes(p.port)) ?? open[0];
    const stoppers = [...new Map(x.stopped.filter((p) => p.by && stoppedPorts.includes(p.port)).map((p) => [`${p.by!.nsg}/${p.by!.rule}`, p.by!])).values()];
    out.push({
      id: 'nsg-open-inbound',
      key: `nsg-open-inbound:${nsg.name}/${r.name}`,
      severity,
      title: `NSG ${nsg.name} ${sure ? 'allows' : 'may allow'} ${what} from the Internet (rule ${r.name})${x.attached ? '' : ' but is not attached to any subnet or NIC'}`,
      objects: [nsgRef(nsg)],
      evidence: [
        {
          text: `An internet host (e.g. ${sample.sourceIp}) ${sure ? 'reaches' : 'may reach'} ${sample.destinationIp}:${sample.port}/${x.protocol.toUpperCase()} through ${x.attached ? `${sample.via}` : 'this NSG (evaluated alone)'}: inbound rule ${r.name} (priority ${r.priority}) allows ${r.protocol} from ${r.sourcePrefixes.join(', ')} and ${sure ? 'every NSG on the path lets it in' : `nothing known stops it (${sample.why})`}${x.protocol === 'Icmp' ? '' : `; open ports found: ${ports.join(', ')}`}${webOnly ? '. Web ports on a load-balancer rule are often intended, check the destination' : ''}.`,
          objects: [nsgRef(nsg)],
        },
        ...(stoppers.length ? [{ text: `Ports ${stoppedPorts.join(', ')} of the rule are closed first by ${stoppers.map((b) => `${b.nsg}/${b.rule} (priority ${b.priority})`).join(', ')}.` }] : []),
        ...(x.attached ? [] : [{ text: `${nsg.name} is attached to no subnet and no NIC, so it filters nothing today; attaching it would open ${what}.` }]),
        ...x.notes.map((n) => ({ text: `Uncertain: ${n}.` })),
      ],
      fix: {
        text: management.length
          ? 'Remove the rule and reach nodes through Azure Bastion or `az aks command invoke`, or restrict the source to your admin network.'
          : 'Restrict the rule to the sources that need it, or remove it.',
        commands: [
          `az network nsg rule update -g ${rg} --nsg-name ${nsg.name} -n ${r.name} --source-address-prefixes <admin-cidr>`,
          `az network nsg rule delete -g ${rg} --nsg-name ${nsg.name} -n ${r.name}`,
        ],
      },
    });
  }
  return out;
}

/**
 * The 0.0.0.0/0 UDR trap (DOMAIN.md): the VirtualNetwork tag includes UDR prefixes, so the default
 * AllowVnetInBound admits internet sources. Checked by evaluating an internet probe to a node.
 */
function virtualNetworkTagTrap(topology: AzureTopology, subnets: Subnet[]): Finding[] {
  const out: Finding[] = [];
  for (const subnet of subnets) {
    const nsg = topology.subnetNsg(subnet);
    const target = subnet.addressPrefixes[0] && firstAssignableAddress(subnet.addressPrefixes[0]);
    if (!nsg || !target) continue;
    const v = evaluateNsg(topology, { sourceIp: INTERNET_PROBE_IP, destinationIp: target, destinationPort: 10250, protocol: 'Tcp' });
    const decision = v.decisions.find((d) => d.nsg.id === nsg.id);
    if (v.verdict !== 'allowed' || !decision?.rule.isDefault || !/^allowvnetinbound$/i.test(decision.rule.ruleName)) continue;
    const rg = resourceGroupOf(nsg.id);
    out.push({
      id: 'nsg-open-inbound',
      key: `nsg-open-inbound:${nsg.name}/${decision.rule.ruleName}`,
      severity: 'high',
      title: `Default rule AllowVnetInBound of ${nsg.name} admits internet sources through the VirtualNetwork tag`,
      objects: [nsgRef(nsg), subnetRef(subnet)],
      evidence: [
        {
          text: `A user-defined route prefix (0.0.0.0/0 to the firewall) is part of the VirtualNetwork service tag, so an internet address such as ${INTERNET_PROBE_IP} reaching ${target}:10250 matches AllowVnetInBound (priority 65000). Azure documents that the tag "might also contain default routes"; confirm with \`az network nic list-effective-nsg\`.`,
          objects: [nsgRef(nsg)],
        },
      ],
      fix: {
        text: 'Add an explicit inbound deny for the Internet tag above the default rules (below your intended allows).',
        commands: [
          `az network nsg rule create -g ${rg} --nsg-name ${nsg.name} -n deny-internet-inbound --priority 4096 --direction Inbound --access Deny --protocol '*' --source-address-prefixes Internet --destination-address-prefixes '*' --destination-port-ranges '*'`,
        ],
      },
    });
  }
  return out;
}

/** A documentation address (RFC 5737) standing for "somewhere on the internet". */
export const INTERNET_PROBE_IP = '198.51.100.10';

/** NSGs on the nodes but no in-cluster policy: NSGs cannot see pod-to-pod traffic. */
function nsgOnlyControl(topology: AzureTopology, subnets: Subnet[], opts: AzureFindingsOptions): Finding[] {
  if (opts.networkPolicyCount === undefined || opts.networkPolicyCount > 0) return [];
  const nsgs = subnets.map((s) => topology.subnetNsg(s)).filter((n): n is NetworkSecurityGroup => !!n);
  const nicNsgs = topology.snapshot.networkInterfaces
    .filter((nic) => nic.ipConfigurations.some((c) => subnets.some((s) => s.id.toLowerCase() === c.subnetId?.toLowerCase())))
    .map((nic) => topology.nicNsg(nic))
    .filter((n): n is NetworkSecurityGroup => !!n);
  const all = [...new Map([...nsgs, ...nicNsgs].map((n) => [n.id.toLowerCase(), n])).values()];
  if (all.length === 0) return [];
  const rg = opts.cluster?.resourceGroup ?? '<resource-group>';
  const name = opts.cluster?.name ?? '<cluster>';
  return [
    {
      id: 'nsg-only-control',
      key: `nsg-only-control:${all.map((n) => n.name).join(',')}`,
      severity: 'high',
      title: 'The cluster relies on NSGs alone: no network policy controls pod-to-pod traffic',
      objects: all.map(nsgRef),
      evidence: [
        {
          text: `NSGs ${all.map((n) => n.name).join(', ')} protect the node subnet, but the cluster has no NetworkPolicy or CiliumNetworkPolicy. NSGs see node-level traffic only; pod-to-pod traffic inside the subnet is not filtered.`,
          objects: all.map(nsgRef),
        },
      ],
      fix: {
        // The per-namespace default-deny manifests come with the cluster's unprotected-namespace findings, where the
        // policy engine checks them against the pods and the observed traffic; a blanket template here could not be.
        text: 'Enable a network policy engine (Cilium), then apply the default-deny fixes of the unprotected-namespace findings (checked against your traffic) and allow what each workload needs.',
        commands: [`az aks update -g ${rg} -n ${name} --network-dataplane cilium --network-policy cilium`],
      },
    },
  ];
}

/** Cluster egress not forced through a firewall, or a firewall rule that allows everything. */
function egressNotLocked(topology: AzureTopology, subnets: Subnet[]): Finding[] {
  const out: Finding[] = [];
  const firewalls = new Map<string, AzureFirewall>();
  for (const subnet of subnets) {
    const path = egressPath(topology, subnet);
    if (path.kind === 'firewall') {
      const fw = topology.firewallAt(path.firewall?.privateIp);
      if (fw) firewalls.set(fw.id.toLowerCase(), fw);
      continue;
    }
    if (path.kind === 'blackhole' || path.kind === 'virtual-appliance') continue;
    const vnet = topology.vnetOf(subnet);
    const rg = resourceGroupOf(subnet.id);
    const fw = topology.snapshot.azureFirewalls[0];
    out.push({
      id: 'egress-not-locked',
      key: `egress-not-locked:${subnet.name}`,
      severity: 'high',
      title: `Egress from ${subnet.name} is not forced through a firewall`,
      objects: [subnetRef(subnet)],
      evidence: [{ text: `${path.explanation}. Controls on this path: ${path.controls.join('; ')}. Nothing filters by FQDN.`, objects: [subnetRef(subnet)] }],
      fix: {
        text: 'Route 0.0.0.0/0 from the cluster subnet to an Azure Firewall that allows only the required FQDNs (AKS outboundType userDefinedRouting).',
        commands: [
          `az network route-table create -g ${rg} -n ${subnet.name}-egress-rt --disable-bgp-route-propagation true`,
          `az network route-table route create -g ${rg} --route-table-name ${subnet.name}-egress-rt -n default-via-firewall --address-prefix 0.0.0.0/0 --next-hop-type VirtualAppliance --next-hop-ip-address ${fw?.privateIp ?? '<firewall-private-ip>'}`,
          `az network vnet subnet update -g ${rg} --vnet-name ${vnet?.name ?? '<vnet>'} -n ${subnet.name} --route-table ${subnet.name}-egress-rt`,
        ],
      },
    });
  }
  for (const fw of firewalls.values()) {
    for (const { entry, rule } of allowRules(topology, fw)) {
      if (!allowsEverything(rule)) continue;
      out.push({
        id: 'egress-not-locked',
        key: `egress-not-locked:${fw.name}/${entry.collection.name}/${rule.name}`,
        severity: 'critical',
        title: `Firewall ${fw.name} rule ${rule.name} allows all egress`,
        objects: [firewallRef(fw, entry)],
        evidence: [{ text: `${ruleLocation(entry, rule)} allows ${describeTargets(rule)}: the firewall on the path filters nothing.`, objects: [firewallRef(fw, entry)] }],
        fix: { text: 'Replace the rule with application rules for the FQDNs the cluster needs (AKS: the AzureKubernetesService FQDN tag).', commands: removeRuleCommands(fw, entry, rule) },
      });
    }
  }
  return out;
}

/** Rules broad enough to defeat FQDN filtering without allowing literally everything. */
function firewallRulesTooBroad(topology: AzureTopology): Finding[] {
  const out: Finding[] = [];
  for (const fw of topology.snapshot.azureFirewalls) {
    for (const { entry, rule } of allowRules(topology, fw)) {
      if (allowsEverything(rule)) continue; // reported as egress-not-locked
      let why: string | undefined;
      let severity: Severity = 'high';
      if (rule.kind === 'application') {
        const broad = rule.targetFqdns.filter((f) => fqdnBreadth(f) === 'top-level-domain' || fqdnBreadth(f) === 'everything');
        if (broad.length) why = `target ${broad.join(', ')} matches every name under a top-level domain (pastebin.com, any attacker's .com)`;
      } else if (rule.kind === 'network' && coversEverything(rule.destinationAddresses) && (anyPortMatches(rule.destinationPorts, 443) || anyPortMatches(rule.destinationPorts, 80))) {
        why = `it allows any destination on ports ${describePorts(rule.destinationPorts)}; a network-rule match ends processing, so the FQDN application rules are never consulted for this traffic`;
      } else if (rule.kind === 'network' && coversEverything(rule.destinationAddresses) && coversAllPorts(rule.destinationPorts)) {
        why = 'it allows any destination on any port';
        severity = 'critical';
      }
      if (!why) continue;
      out.push({
        id: 'firewall-rule-too-broad',
        key: `firewall-rule-too-broad:${fw.name}/${entry.collection.name}/${rule.name}`,
        severity,
        title: `Firewall rule ${rule.name} is too broad`,
        objects: [firewallRef(fw, entry)],
        evidence: [{ text: `${ruleLocation(entry, rule)}: ${why}.`, objects: [firewallRef(fw, entry)] }],
        fix: { text: 'Replace the wildcard with the exact FQDNs the workloads need (observed flows show which).', commands: removeRuleCommands(fw, entry, rule) },
      });
    }
  }
  return out;
}

function allowRules(topology: AzureTopology, fw: AzureFirewall): { entry: OrderedCollection; rule: FirewallRule }[] {
  const ordered = orderedRuleCollections(topology, fw);
  return [...ordered.network, ...ordered.application]
    .filter((e) => e.collection.action === 'Allow')
    .flatMap((entry) => entry.collection.rules.map((rule) => ({ entry, rule })));
}

function allowsEverything(rule: FirewallRule): boolean {
  if (rule.kind === 'application') return rule.targetFqdns.some((f) => fqdnBreadth(f) === 'everything') && coversEverything(rule.sourceAddresses);
  if (rule.kind === 'network') {
    return coversEverything(rule.sourceAddresses) && coversEverything(rule.destinationAddresses) && coversAllPorts(rule.destinationPorts) && rule.protocols.some((p) => p === 'ANY' || p === 'TCP');
  }
  return false;
}

function describeTargets(rule: FirewallRule): string {
  if (rule.kind === 'application') return `FQDNs ${rule.targetFqdns.join(', ')} from ${rule.sourceAddresses.join(', ')}`;
  if (rule.kind === 'network') return `${rule.protocols.join('/')} to ${rule.destinationAddresses.join(', ')} ports ${describePorts(rule.destinationPorts)}`;
  return rule.name;
}

function ruleLocation(entry: OrderedCollection, rule: FirewallRule): string {
  const group = entry.group ? `rule collection group ${entry.group.name} (priority ${entry.group.priority}), ` : '';
  return `${rule.kind} rule ${rule.name} in ${group}collection ${entry.collection.name} (priority ${entry.collection.priority})`;
}

function firewallRef(fw: AzureFirewall, entry: OrderedCollection): ObjectRef {
  return entry.policy ? { kind: 'FirewallPolicy', name: entry.policy.name, id: entry.policy.id } : { kind: 'AzureFirewall', name: fw.name, id: fw.id };
}

function removeRuleCommands(fw: AzureFirewall, entry: OrderedCollection, rule: FirewallRule): string[] {
  if (entry.policy && entry.group) {
    const rg = resourceGroupOf(entry.policy.id);
    const base = `-g ${rg} --policy-name ${entry.policy.name} --rcg-name ${entry.group.name} --collection-name ${entry.collection.name}`;
    return [
      `az network firewall policy rule-collection-group collection rule remove ${base} --name ${rule.name}`,
      `az network firewall policy rule-collection-group collection rule add ${base} --name ${rule.name}-exact --rule-type ApplicationRule --protocols Https=443 --source-addresses <cluster-subnet-cidr> --target-fqdns <fqdn> [<fqdn> ...]`,
    ];
  }
  const rg = resourceGroupOf(fw.id);
  const kind = rule.kind === 'application' ? 'application-rule' : 'network-rule';
  return [`az network firewall ${kind} delete -g ${rg} -f ${fw.name} -c ${entry.collection.name} -n ${rule.name}`];
}
